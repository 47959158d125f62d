"""Runs each working example in examples/ under real Keras 3, offline.

    /path/to/python test/vscode/verify_examples.py [examples/NAME.py ...]

keras.datasets.mnist.load_data() would download MNIST; here it returns 2,000 random 28x28 "digits"
with random labels (same shapes and dtypes as the real data), and fit() runs 1 epoch, so the check is
"the code runs and trains under real Keras", not accuracy. Exit code 1 if any example fails.
The seed_*.py files are not run: they are the broken originals (Keras rejects them).
"""
import os
import runpy
import sys
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = ["fixed_activation_penalty.py", "fixed_kernel_penalty.py", "fixed_custom_penalty.py", "mnist_cnn.py", "multi_output.py"]


def fake_mnist():
    rng = np.random.default_rng(0)
    make = lambda n: (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8))
    return make(2000), make(200)


keras.datasets.mnist.load_data = fake_mnist
fit = keras.Model.fit


def short_fit(self, *args, **kwargs):
    kwargs["epochs"] = 1
    kwargs["verbose"] = 0
    history = fit(self, *args, **kwargs)
    short_fit.losses.append({k: round(float(v[-1]), 4) for k, v in history.history.items()})
    return history


keras.Model.fit = short_fit

failed = 0
for name in sys.argv[1:] or [os.path.join(ROOT, "examples", f) for f in DEFAULT]:
    short_fit.losses = []
    started = time.time()
    try:
        runpy.run_path(name, run_name="__main__")
        assert short_fit.losses, "fit() was not called"
        print(f"ok   {os.path.basename(name)} in {time.time() - started:.1f} s: {short_fit.losses[-1]}")
    except Exception:  # noqa: BLE001
        failed += 1
        print(f"FAIL {os.path.basename(name)}")
        traceback.print_exc()
sys.exit(1 if failed else 0)
