"""The private Keras APIs the zoo uses (``zoo/backends/compat.py``) are where it
expects them. On a Keras that moved one, this is the test that fails, by name."""

import keras

from zoo.backends import compat


def test_the_private_keras_apis_the_zoo_uses_are_there():
    missing = compat.problems()
    assert not missing, (
        f"Keras {keras.__version__} lacks {', '.join(missing)}, which the zoo uses "
        f"(tested with {compat.TESTED_WITH}); see zoo/backends/compat.py for what each does."
    )


def test_the_jax_hook_zoo_models_override_is_a_keras_trainer_method():
    from zoo.models.base import Adversarial

    # Overriding a method Keras no longer calls would silently change nothing.
    assert "_get_jax_state" in vars(Adversarial)
    from keras.src.backend.jax.trainer import JAXTrainer

    assert callable(getattr(JAXTrainer, "_get_jax_state", None))
