#!/usr/bin/env python3
"""Ground-truth generator for the Model Lens static analyzer.

For every ``test/fixtures/keras/*.py`` (or the files named on the command
line) this runs the fixture with real Keras in a fresh Python process and
writes ``<stem>.expected.json`` next to it, describing every Keras model the
script built: names, classes, output shapes, parameter counts, kernel shapes,
inbound layers and the fixture line that constructed each layer/model.

Usage:
    python generate.py [--jobs N] [--check] [fixture.py ...]

The parent process only orchestrates; each fixture runs in a child
(``generate.py --child FIXTURE OUT``) so Keras's global auto-naming counters
start at zero exactly like in a user's own script.

See README.md in this directory for what is patched and why.
"""

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURE_DIR = os.path.join(REPO, "test", "fixtures", "keras")

# How many samples the patched fit/evaluate/predict keep, and how many
# samples the fake datasets contain.
FIT_SAMPLES = 8
DATASET_TRAIN = 256
DATASET_TEST = 64


# ---------------------------------------------------------------------------
# Parent: orchestration
# ---------------------------------------------------------------------------


def child_env():
    env = dict(os.environ)
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "KERAS_BACKEND": "tensorflow",
            "CUDA_VISIBLE_DEVICES": "-1",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "TF_NUM_INTRAOP_THREADS": "1",
            "TF_NUM_INTEROP_THREADS": "1",
        }
    )
    env.pop("TF_USE_LEGACY_KERAS", None)
    return env


def run_one(fixture, check, verbose, timeout):
    stem = os.path.splitext(os.path.basename(fixture))[0]
    out = os.path.join(os.path.dirname(fixture), stem + ".expected.json")
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="keras-truth-") as work:
        tmp_out = os.path.join(work, "out.json")
        try:
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--child",
                 os.path.abspath(fixture), tmp_out],
                cwd=work,  # files the script saves land in a temp dir
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
            log = proc.stdout.decode("utf-8", "replace")
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            return stem, False, time.time() - start, f"timeout after {timeout}s"
        elapsed = time.time() - start
        if rc != 0 or not os.path.exists(tmp_out):
            return stem, False, elapsed, f"child exited {rc}\n{log[-4000:]}"
        with open(tmp_out, encoding="utf-8") as f:
            text = f.read()
    summary = summarize(json.loads(text))
    if verbose:
        summary += "\n" + log[-4000:]
    if check:
        old = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
        if old != text:
            diff = "".join(
                difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True),
                    out + " (committed)", out + " (regenerated)", n=2,
                )
            )
            return stem, False, elapsed, "OUT OF DATE\n" + diff[:6000]
        return stem, True, elapsed, summary
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return stem, True, elapsed, summary


def summarize(data):
    parts = []
    for m in data["models"]:
        s = f"{m['name']}({len(m['layers'])} layers"
        if m["totalParams"] is not None:
            s += f", {m['totalParams']} params"
        if m["fitError"]:
            s += ", fitError"
        parts.append(s + ")")
    err = f"  error={data['error']}" if data["error"] else ""
    return ", ".join(parts) + err


def main_parent(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="fixture .py files (default: all)")
    ap.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--check", action="store_true",
                    help="do not write; fail if a committed .expected.json differs")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="show the child's captured output")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args(argv)

    files = args.files or sorted(
        os.path.join(FIXTURE_DIR, f)
        for f in os.listdir(FIXTURE_DIR)
        if f.endswith(".py")
    )
    files = [os.path.abspath(f) for f in files]
    t0 = time.time()
    ok_all = True
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, f, args.check, args.verbose, args.timeout)
                   for f in files]
        for fut in futures:
            stem, ok, elapsed, msg = fut.result()
            ok_all &= ok
            print(f"{'ok ' if ok else 'FAIL'} {stem:40s} {elapsed:5.1f}s  {msg}", flush=True)
    print(f"{len(files)} fixture(s) in {time.time() - t0:.1f}s", flush=True)
    return 0 if ok_all else 1


# ---------------------------------------------------------------------------
# Child: run one fixture under real Keras and describe its models
# ---------------------------------------------------------------------------


def dumps(value, indent=0):
    """json.dumps(indent=2) but with lists of scalars kept on one line."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        flat = all(
            not isinstance(v, (dict, list, tuple))
            or (isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in v))
            for v in value.values()
        )
        if flat:
            one = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
            if len(one) + len(pad) <= 120:
                return one
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(not isinstance(v, (dict, list, tuple)) for v in value) or all(
            isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in v)
            for v in value
        ):
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def main_child(fixture, out_path):
    import builtins
    import functools
    import inspect
    import random
    import types
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np

    import tensorflow as tf  # noqa: F401  (imported before the user does)
    import keras
    from keras.src.ops.operation import Operation

    fixture = os.path.abspath(fixture)
    random.seed(0)
    np.random.seed(0)

    # ---- construction tracking (must not create any Keras object) --------
    created = {}  # id(obj) -> {"line":..., "implicit":...}
    keep_alive = []  # keep objects alive so ids are never reused
    model_order = []  # user-constructed models, construction order

    def construction_site(obj):
        frames = []
        f = sys._getframe(2)
        while f is not None:
            frames.append(f)
            f = f.f_back
        line = None
        user_idx = None
        for idx, fr in enumerate(frames):
            if fr.f_code.co_filename != fixture:
                continue
            # Skip the object's own constructor chain (e.g. a user-defined
            # `__init__` of a Layer/Model subclass calling super().__init__).
            if fr.f_code.co_varnames[:1] == ("self",) and fr.f_locals.get("self") is obj:
                continue
            line = fr.f_lineno
            user_idx = idx
            break
        implicit = user_idx is None
        if user_idx is not None:
            # Constructed by Keras on behalf of ANOTHER Keras object (the
            # Functional a Sequential builds internally, the InputLayer that
            # `input_shape=` creates, MultiHeadAttention's Softmax, ...).
            for fr in frames[:user_idx]:
                if fr.f_code.co_varnames[:1] != ("self",):
                    continue
                s = fr.f_locals.get("self")
                if s is not None and s is not obj and isinstance(s, Operation):
                    implicit = True
                    break
        return line, implicit

    orig_op_init = Operation.__init__
    # Operation.__new__ introspects cls.__init__ with getfullargspec (which
    # does not follow __wrapped__) for classes without their own __init__,
    # so the hook must have exactly the original signature.
    assert str(inspect.signature(orig_op_init)) == "(self, name=None)", \
        inspect.signature(orig_op_init)

    def op_init(self, name=None):
        key = id(self)
        if key not in created:
            line, implicit = construction_site(self)
            created[key] = {"line": line, "implicit": implicit}
            keep_alive.append(self)
            if isinstance(self, keras.Model) and not implicit:
                model_order.append(self)
        return orig_op_init(self, name=name)

    op_init.__qualname__ = orig_op_init.__qualname__
    op_init.__doc__ = orig_op_init.__doc__
    Operation.__init__ = op_init

    # First-call output shapes of layers, for layers that are only ever
    # called on real tensors (subclassed models, eager calls) and so never get
    # a symbolic node.  Recording creates no Keras object.
    from keras.src.layers.layer import Layer as _Layer
    first_call = {}  # id(layer) -> output shape(s)
    orig_layer_call = _Layer.__call__

    @functools.wraps(orig_layer_call)
    def layer_call(self, *args, **kwargs):
        out = orig_layer_call(self, *args, **kwargs)
        if id(self) not in first_call:
            try:
                flat = keras.tree.flatten(out)
                shapes = [[None if d is None else int(d) for d in t.shape] for t in flat]
                first_call[id(self)] = (
                    shapes[0] if len(shapes) == 1 and not isinstance(out, (list, tuple, dict))
                    else shapes)
            except Exception:
                pass
        return out

    _Layer.__call__ = layer_call

    # ---- datasets: no network; fake arrays with the real per-sample shapes -
    rng = np.random.RandomState(0)

    def images(n, shape):
        return rng.randint(0, 256, size=(n,) + shape).astype("uint8")

    def labels(n, classes, shape=()):
        return (np.arange(n) % classes).astype("uint8").reshape((n,) + shape)

    def image_loader(shape, classes, label_shape=()):
        def load_data(*args, **kwargs):
            return ((images(DATASET_TRAIN, shape), labels(DATASET_TRAIN, classes, label_shape)),
                    (images(DATASET_TEST, shape), labels(DATASET_TEST, classes, label_shape)))
        return load_data

    def cifar100_load_data(label_mode="fine", *args, **kwargs):
        return image_loader((32, 32, 3), 100 if label_mode == "fine" else 20, (1,))()

    def sequence_loader(vocab_default, classes):
        def load_data(path=None, num_words=None, skip_top=0, maxlen=None, *args, **kwargs):
            vocab = num_words or vocab_default

            def seqs(n):
                out = np.empty(n, dtype=object)
                for i in range(n):
                    length = int(rng.randint(10, maxlen or 300))
                    out[i] = [1] + [int(v) for v in rng.randint(2, vocab, size=length - 1)]
                return out
            return ((seqs(DATASET_TRAIN), (np.arange(DATASET_TRAIN) % classes).astype("int64")),
                    (seqs(DATASET_TEST), (np.arange(DATASET_TEST) % classes).astype("int64")))
        return load_data

    def word_index(*args, **kwargs):
        return {f"word{i}": i for i in range(1, 2000)}

    def regression_loader(features):
        def load_data(*args, **kwargs):
            return ((rng.rand(DATASET_TRAIN, features), rng.rand(DATASET_TRAIN) * 50),
                    (rng.rand(DATASET_TEST, features), rng.rand(DATASET_TEST) * 50))
        return load_data

    fake = {
        "mnist": {"load_data": image_loader((28, 28), 10)},
        "fashion_mnist": {"load_data": image_loader((28, 28), 10)},
        "cifar10": {"load_data": image_loader((32, 32, 3), 10, (1,))},
        "cifar100": {"load_data": cifar100_load_data},
        "imdb": {"load_data": sequence_loader(88587, 2), "get_word_index": word_index},
        "reuters": {"load_data": sequence_loader(30980, 46), "get_word_index": word_index},
        "boston_housing": {"load_data": regression_loader(13)},
        "california_housing": {"load_data": regression_loader(8)},
    }
    import importlib
    for pkg in ("keras.datasets", "keras._tf_keras.keras.datasets", "keras.src.datasets"):
        for ds, funcs in fake.items():
            try:
                mod = importlib.import_module(f"{pkg}.{ds}")
            except Exception:
                continue
            for fname, fn in funcs.items():
                if hasattr(mod, fname):
                    setattr(mod, fname, fn)

    # ---- quiet, fast training -------------------------------------------
    fit_info = {}  # id(model) -> {"calls": n, "error": str|None}

    import re

    def err_text(e):
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", l).strip() for l in str(e).splitlines()]
        lines = [l for l in lines if l]
        text = lines[0] if lines else ""
        if text.startswith("Exception encountered when calling") and len(lines) > 1:
            text += " " + lines[1]
        return f"{type(e).__name__}: {text}"[:400]

    def cut(a):
        if a is None:
            return None
        if isinstance(a, dict):
            return type(a)((k, cut(v)) for k, v in a.items())
        if isinstance(a, (list, tuple)):
            if a and all(isinstance(e, (int, float, bool, np.number)) for e in a):
                return np.asarray(a)[:FIT_SAMPLES]
            return type(a)(cut(e) for e in a)
        if isinstance(a, tf.data.Dataset):
            return a.take(1)
        shape = getattr(a, "shape", None)
        if shape is not None and len(shape) > 0 and hasattr(a, "__getitem__"):
            try:
                return a[:FIT_SAMPLES]
            except Exception:
                return a
        return a

    class _FakeHistory:
        def __init__(self):
            self.history = {}
            self.epoch = []
            self.params = {}

    def make_runner(method, kind):
        sig = inspect.signature(method)

        @functools.wraps(method)
        def runner(self, *args, **kwargs):
            info = fit_info.setdefault(id(self), {"fit": 0, "fitError": None})
            try:
                bound = sig.bind(self, *args, **kwargs)
            except TypeError:
                bound = None
            if bound is not None:
                a = dict(bound.arguments)
                a.pop("self", None)
                extra = a.pop("kwargs", {}) or {}
                a.update(extra)
                for k in ("x", "y", "sample_weight"):
                    if k in a:
                        a[k] = cut(a[k])
                a["verbose"] = 0
                for k in ("callbacks", "validation_data", "validation_split",
                          "validation_steps", "validation_batch_size",
                          "validation_freq", "steps_per_epoch", "steps",
                          "initial_epoch"):
                    a.pop(k, None)
                if kind == "fit":
                    a["epochs"] = 1
                call = lambda: method(self, **a)  # noqa: E731
            else:
                call = lambda: method(self, *args, **kwargs)  # noqa: E731
            if kind == "fit":
                info["fit"] += 1
            try:
                result = call()
            except Exception as e:  # user mistakes Keras rejects
                if kind == "fit":
                    if info["fitError"] is None:
                        info["fitError"] = err_text(e)
                    return _FakeHistory()
                info.setdefault(kind + "Error", err_text(e))
                return None
            if kind == "fit":
                h = getattr(result, "history", None)
                if isinstance(h, dict):
                    for k in list(h):
                        if not k.startswith("val_"):
                            h.setdefault("val_" + k, h[k])
            return result
        return runner

    keras.Model.fit = make_runner(keras.Model.fit, "fit")
    keras.Model.evaluate = make_runner(keras.Model.evaluate, "evaluate")
    keras.Model.predict = make_runner(keras.Model.predict, "predict")

    orig_summary = keras.Model.summary

    @functools.wraps(orig_summary)
    def quiet_summary(self, *args, **kwargs):
        kwargs["print_fn"] = lambda *a, **k: None
        return orig_summary(self, *args, **kwargs)

    keras.Model.summary = quiet_summary

    def no_plot(*args, **kwargs):
        return None

    for modname in ("keras.utils", "keras._tf_keras.keras.utils",
                    "keras.src.utils", "keras.src.utils.model_visualization"):
        try:
            mod = importlib.import_module(modname)
        except Exception:
            continue
        if hasattr(mod, "plot_model"):
            mod.plot_model = no_plot

    # ---- run the user's script as __main__ ------------------------------
    with open(fixture, encoding="utf-8") as f:
        source = f.read()
    module = types.ModuleType("__main__")
    module.__file__ = fixture
    module.__builtins__ = builtins
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    sys.argv = [fixture]
    sys.path.insert(0, os.path.dirname(fixture))
    error = None
    error_line = None
    try:
        code = compile(source, fixture, "exec")
        exec(code, module.__dict__)
    except SystemExit as e:
        if e.code not in (None, 0):
            error = f"SystemExit: {e.code}"
    except BaseException as e:  # noqa: BLE001 - record anything the script raises
        error = err_text(e)
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == fixture:
                error_line = tb.tb_lineno
            tb = tb.tb_next
    finally:
        sys.modules["__main__"] = saved_main
    Operation.__init__ = orig_op_init
    _Layer.__call__ = orig_layer_call
    user_globals = module.__dict__

    # ---- describe -------------------------------------------------------
    from keras.src.layers.input_spec import InputSpec  # noqa: F401
    from keras.src.layers.layer import Layer
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    def shape_list(shape):
        return [None if d is None else int(d) for d in shape]

    def tensors_shapes(out):
        flat = keras.tree.flatten(out)
        shapes = [shape_list(t.shape) for t in flat]
        if len(shapes) == 1 and not isinstance(out, (list, tuple, dict)):
            return shapes[0]
        return shapes

    def output_shape_of(layer):
        if layer._inbound_nodes:
            try:
                return tensors_shapes(layer.output)
            except Exception:
                return None
        # Only ever called on real tensors (subclassed model trained with fit
        # or called on data): no symbolic node.  Use the shape of the first
        # real call; its batch dimension is data-dependent (and sliced by the
        # patched fit), so it is reported as null.
        shapes = first_call.get(id(layer))
        if shapes is None:
            return None

        def fix(s):
            return [None] + s[1:] if s else s
        if shapes and isinstance(shapes[0], list):
            return [fix(s) for s in shapes]
        return fix(shapes)

    def count_params(obj):
        if not getattr(obj, "built", False):
            return None
        try:
            return int(obj.count_params())
        except Exception:
            return None

    def kernel_shape(layer):
        if isinstance(layer, keras.Model):
            return None
        try:
            k = getattr(layer, "kernel", None)
        except Exception:
            return None
        if isinstance(k, keras.Variable):
            return shape_list(k.shape)
        return None

    def weights_of(layer):
        if isinstance(layer, keras.Model) or not getattr(layer, "built", False):
            return None
        try:
            return [
                {"name": w.name, "path": w.path, "shape": shape_list(w.shape),
                 "trainable": bool(w.trainable)}
                for w in layer.weights
            ]
        except Exception:
            return None

    def node_ids(model):
        graph = model
        if isinstance(model, Sequential):
            graph = model._functional
        if not isinstance(graph, Functional):
            return None
        ids = set()
        for nodes in graph._nodes_by_depth.values():
            for n in nodes:
                ids.add(id(n))
        return ids

    def inbound_of(op, ids):
        for n in op._inbound_nodes:
            if id(n) in ids:
                names = []
                for t in n.input_tensors:
                    hist = getattr(t, "_keras_history", None)
                    if hist is not None and hist.operation is not None:
                        names.append(hist.operation.name)
                return names
        return []

    def calls_of(op, ids):
        return sum(1 for n in op._inbound_nodes if id(n) in ids)

    def kind_of(model):
        if isinstance(model, Sequential):
            return "sequential"
        if isinstance(model, Functional):
            return "functional"
        return "subclassed"

    def describe_layer(layer, ids, sequential):
        d = {
            "name": layer.name,
            "className": type(layer).__name__,
            "outputShape": output_shape_of(layer),
            "params": count_params(layer),
            "trainable": bool(layer.trainable),
            "kernelShape": kernel_shape(layer),
            "inbound": [] if (ids is None or sequential) else inbound_of(layer, ids),
            "line": created.get(id(layer), {}).get("line"),
        }
        if not layer._inbound_nodes and d["outputShape"] is not None:
            d["outputShapeFromEagerCall"] = True
        if ids is not None:
            n = calls_of(layer, ids)
            if n > 1:
                d["calls"] = n
        w = weights_of(layer)
        if w is not None:
            d["weights"] = w
        if isinstance(layer, keras.Model):
            d["kind"] = kind_of(layer)
            d["layers"] = describe_layers(layer)
        return d

    def describe_layers(model):
        ids = node_ids(model)
        seq = isinstance(model, Sequential)
        return [describe_layer(l, ids, seq) for l in model.layers]

    def io_names(tensors):
        names = []
        for t in keras.tree.flatten(tensors or []):
            hist = getattr(t, "_keras_history", None)
            names.append(hist.operation.name if hist is not None else None)
        return names

    def safe(fn, default):
        try:
            return fn()
        except Exception:
            return default

    def describe_model(model):
        built = bool(model.built)
        graph = model._functional if isinstance(model, Sequential) else model
        symbolic = isinstance(graph, Functional)
        info = fit_info.get(id(model), {})
        variables = sorted(
            k for k, v in user_globals.items()
            if v is model and not k.startswith("__")
        )
        d = {
            "name": model.name,
            "className": type(model).__name__,
            "kind": kind_of(model),
            "variables": variables,
            "line": created.get(id(model), {}).get("line"),
            "built": built,
            "inputs": io_names(graph.inputs) if symbolic else [],
            "outputs": io_names(graph.outputs) if symbolic else [],
            "inputShapes": [shape_list(t.shape) for t in keras.tree.flatten(graph.inputs)] if symbolic else [],
            "outputShapes": [shape_list(t.shape) for t in keras.tree.flatten(graph.outputs)] if symbolic else [],
            "totalParams": count_params(model),
            "trainableParams": safe(lambda: int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)), None) if built else None,
            "fitCalled": bool(info.get("fit")),
            "fitError": info.get("fitError"),
            "layers": describe_layers(model),
        }
        for extra in ("evaluateError", "predictError"):
            if info.get(extra):
                d[extra] = info[extra]
        if symbolic and isinstance(model, Functional):
            ids = node_ids(model)
            ops = []
            for i, op in enumerate(model.operations):
                if isinstance(op, Layer):
                    continue
                ops.append({
                    "name": op.name,
                    "className": type(op).__name__,
                    "index": i,
                    "outputShape": safe(lambda: tensors_shapes(op.output), None),
                    "inbound": inbound_of(op, ids),
                })
            if ops:
                d["operations"] = [op.name for op in model.operations]
                d["ops"] = ops
        return d

    models = []
    for m in model_order:
        try:
            models.append(describe_model(m))
        except Exception as e:  # never lose the whole file
            models.append({"name": getattr(m, "name", None), "describeError": err_text(e)})

    # Layers the script constructed that ended up in no recorded model (e.g.
    # the script crashed before building the model, or a layer was unused).
    covered = set()
    for m in model_order:
        try:
            for l in m._flatten_layers(include_self=True, recursive=True):
                covered.add(id(l))
        except Exception:
            pass
    loose = []
    for obj in keep_alive:
        c = created[id(obj)]
        if (isinstance(obj, Layer) and not isinstance(obj, keras.Model)
                and not c["implicit"] and c["line"] is not None
                and id(obj) not in covered):
            try:
                for l in obj._flatten_layers(include_self=False, recursive=True):
                    covered.add(id(l))
            except Exception:
                pass
    for obj in keep_alive:
        c = created[id(obj)]
        if (isinstance(obj, Layer) and not isinstance(obj, keras.Model)
                and not c["implicit"] and c["line"] is not None
                and id(obj) not in covered):
            loose.append({
                "name": obj.name,
                "className": type(obj).__name__,
                "outputShape": output_shape_of(obj),
                "line": c["line"],
            })

    result = {
        "file": os.path.basename(fixture),
        "keras": keras.__version__,
        "error": error,
        "errorLine": error_line,
        "models": models,
        "looseLayers": loose,
    }
    text = dumps(result) + "\n"
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        sys.exit(main_child(sys.argv[2], sys.argv[3]))
    sys.exit(main_parent(sys.argv[1:]))
