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


def test_the_jax_hook_zoo_models_override_is_one_keras_calls():
    """Overriding a method Keras no longer calls would silently change nothing: Keras'
    JAX trainer must call ``_get_jax_state`` itself, and the zoo's override must be the
    one a zoo model resolves to (not the trainer's)."""
    import inspect

    from keras.src.backend.jax import trainer

    from zoo.models.base import Adversarial
    from zoo.models import Pix2Pix

    assert inspect.getsource(trainer).count("self._get_jax_state(") >= 1
    assert Pix2Pix._get_jax_state is Adversarial._get_jax_state
    assert Adversarial._get_jax_state is not trainer.JAXTrainer._get_jax_state
