"""Test set-up: quiet logs; under TensorFlow, two logical CPU devices (for the
MirroredStrategy tests). Must run before TensorFlow initialises its devices,
hence at import time.

The suite runs on the backend ``KERAS_BACKEND`` names (TensorFlow by default).
``tests/test_backends.py`` runs the variant tests on JAX and PyTorch too and
compares the backends; modules that test TensorFlow-only parts (``tf.data``
pipelines, ``tf.distribute``, recipes) are skipped on the other backends.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Two workers on two cores, and many tests start processes of their own: one thread per
# process for the ops, so that cores are not oversubscribed (spinning thread pools cost
# about 10% more CPU time), and XLA (JAX) compiles without LLVM's optimisations, which
# takes most of a tiny JAX model's time (the JAX variant tests: 110 -> 72 s). Processes
# that tests start with os.environ inherit both; the tests that give a process an
# environment of its own add TEST_ENV.
TEST_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "OMP_NUM_THREADS": "1",
            "XLA_FLAGS": "--xla_backend_optimization_level=0 --xla_cpu_multi_thread_eigen=false"}
for _key, _value in TEST_ENV.items():
    os.environ.setdefault(_key, _value)

import keras  # noqa: E402
import pytest  # noqa: E402

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    _cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        _cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
    )

# Modules that run on every backend; the rest test TensorFlow-only code.
ANY_BACKEND = {"test_models.py", "test_losses.py", "test_rng.py", "test_backends.py"}


def pytest_collection_modifyitems(config, items):
    if keras.backend.backend() == "tensorflow":
        return
    skip = pytest.mark.skip(reason="tests TensorFlow-only code (tf.data, tf.distribute, recipes)")
    for item in items:
        if item.path.name not in ANY_BACKEND:
            item.add_marker(skip)
