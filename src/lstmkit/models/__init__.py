"""Models: Sequential, functional LayersModel, the training loop and the summary."""

from .functional import LayersModel, model
from .sequential import Sequential, sequential
from .tape_free import use_tape_free_step

__all__ = ["LayersModel", "Sequential", "model", "sequential", "use_tape_free_step"]
