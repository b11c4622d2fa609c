"""The private Keras APIs the zoo relies on, all here, so that a Keras release
that moves one breaks one file and one test (``tests/test_compat.py``) with a
message that names it, not a training run.

* ``Trainer._make_function`` (TensorFlow trainer): wraps a step the way ``fit``
  does (``tf.function``, distribution); the zoo builds two, one with and one
  without the generator update (``tensorflow_step.py``).
* ``keras.src.backend.tensorflow.trainer.reduce_per_replica``: what ``fit`` does
  with a step's outputs under a strategy; the zoo's loop of many steps per call
  (``steps_per_execution``) does the same.
* ``keras.src.backend.common.stateless_scope.get_stateless_scope``: the JAX
  step must know whether it already runs inside a ``StatelessScope``.
* ``Trainer._get_jax_state``: the JAX trainer's hand-over of variable values,
  which zoo models override (``Adversarial._get_jax_state``), since their steps
  keep every variable attached.
"""

import keras

TESTED_WITH = "3.15.1"


def make_function(model, step):
    """``fit``'s own wrapping of ``step`` (TensorFlow backend)."""
    return model._make_function(step)


def reduce_per_replica(outputs, strategy):
    """``fit``'s reduction of one step's outputs over replicas (TensorFlow backend)."""
    from keras.src.backend.tensorflow.trainer import reduce_per_replica as reduce

    return reduce(outputs, strategy, reduction="auto")


def get_stateless_scope():
    from keras.src.backend.common.stateless_scope import get_stateless_scope as current

    return current()


def problems():
    """What of the above this Keras lacks (an empty list when all is there)."""
    found = []
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

        if not callable(getattr(TensorFlowTrainer, "_make_function", None)):
            found.append("TensorFlowTrainer._make_function")
        try:
            from keras.src.backend.tensorflow.trainer import reduce_per_replica  # noqa: F401
        except ImportError:
            found.append("keras.src.backend.tensorflow.trainer.reduce_per_replica")
    if backend == "jax":
        from keras.src.backend.jax.trainer import JAXTrainer

        if not callable(getattr(JAXTrainer, "_get_jax_state", None)):
            found.append("JAXTrainer._get_jax_state")
    try:
        get_stateless_scope()
    except (ImportError, AttributeError):
        found.append("keras.src.backend.common.stateless_scope.get_stateless_scope")
    return found
