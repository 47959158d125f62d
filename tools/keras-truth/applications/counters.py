# For one keras.applications constructor (argv[1]): the auto-name counters each of its builds
# consumes (top, no top, avg and max pooling), from a fresh state. Prints one JSON line.
import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
from keras.src.backend.common import global_state
name = sys.argv[1]
ctor = getattr(keras.applications, name)
default = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'table.json')))[name]['defaultInput']
size = default if default[0] else [224, 224, 3]
configs = {
    'top': dict(include_top=True),
    'notop': dict(include_top=False, input_shape=tuple(size)),
    'avg': dict(include_top=False, input_shape=tuple(size), pooling='avg'),
    'max': dict(include_top=False, input_shape=tuple(size), pooling='max'),
}
out = {}
for key, kw in configs.items():
    keras.backend.clear_session()
    ctor(weights=None, **kw)
    uids = global_state.get_global_attribute('object_name_uids') or {}
    out[key] = {k: v for k, v in dict(uids).items() if v}
print(json.dumps({name: out}))
