"""Models: Sequential, functional LayersModel, the training loop and the summary."""

from .functional import LayersModel, model
from .sequential import Sequential, sequential
from .tape_free import use_tape_free_step

Model = LayersModel  # Keras's name (keras.Model(inputs, outputs)), TF.js's class name "Model"

__all__ = ["LayersModel", "Model", "Sequential", "model", "sequential", "use_tape_free_step"]
