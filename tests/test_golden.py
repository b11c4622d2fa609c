"""Golden weights: every variant, tiny, fixed seed, a few ``fit`` steps, compared
with numbers stored in ``tests/golden/weights.json``.

A refactor of training code must not change what training computes; this test
fails when it does. A change that is *meant* to change results (a different
optimizer setting, say) regenerates the file on purpose and says why in its
commit:

    ZOO_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

Each saved array is summarised by its sum, its sum of absolute values and its
first four values, which is enough to catch any change to any weight.
"""

import json
import os
from pathlib import Path

import keras
import numpy as np
import pytest

import tiny

GOLDEN = Path(__file__).parent / "golden" / "weights.json"
PRESETS = tiny.one_per_variant()
STEPS = 3


def trained_summary(name, steps_per_execution=1):
    """The summary of the weights after STEPS steps; at ``steps_per_execution`` 1 one
    ``fit`` call per step (every batch used once, in order), else one ``fit`` of STEPS
    steps, that many per call (at 2: a call of two steps, then one of one)."""
    keras.utils.set_random_seed(0)
    model = tiny.build(name, seed=0)
    batches = [tiny.batch(model, seed=s) for s in range(STEPS)]
    if steps_per_execution == 1:
        for b in batches:
            model.fit(_dataset(b), epochs=1, steps_per_epoch=1, verbose=0)
    else:
        model.set_steps_per_execution(steps_per_execution)
        stream = _dataset(batches[0]).take(1)
        for b in batches[1:]:
            stream = stream.concatenate(_dataset(b).take(1))
        model.fit(stream.repeat(), epochs=1, steps_per_epoch=STEPS, verbose=0)
    return {key: [float(a.sum()), float(np.abs(a).sum())] + [float(x) for x in a[:4]]
            for key, a in _arrays(model).items()}


def _arrays(model):
    # Keyed by position and shape: layer names get numbered per process.
    return {f"{i:03d} {v.name} {tuple(v.shape)}":
            np.asarray(keras.ops.convert_to_numpy(v.value), np.float64).ravel()
            for i, v in enumerate(model.variables)}


def _dataset(batch):
    import tensorflow as tf

    return tf.data.Dataset.from_tensors(batch).repeat()


def _stored():
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="the golden numbers are TensorFlow's; tests/test_backends.py "
                           "compares the other backends with TensorFlow")
@pytest.mark.parametrize("name", PRESETS)
def test_weights_after_a_few_steps_match_the_stored_ones(name):
    got = trained_summary(name)
    if os.environ.get("ZOO_UPDATE_GOLDEN"):
        stored = _stored()
        stored[name] = got
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
        return
    want = _stored().get(name)
    assert want is not None, f"no golden numbers for {name}; run with ZOO_UPDATE_GOLDEN=1"
    assert sorted(got) == sorted(want), "the set of saved variables changed"
    for path, values in want.items():
        np.testing.assert_allclose(got[path], values, rtol=1e-5, atol=1e-6, err_msg=path)
    # The numbers must describe training, not an untouched model.
    assert model_moved(name, want), f"{name}: golden weights equal the initial ones"
    # Two steps per call (the player chosen inside the traced loop) train the same.
    assert trained_summary(name, steps_per_execution=2) == got


def model_moved(name, want):
    keras.utils.set_random_seed(0)
    model = tiny.build(name, seed=0)
    init = {key: float(a.sum()) for key, a in _arrays(model).items()}
    return sum(abs(init[key] - want[key][0]) > 1e-6 for key in want) >= 4
