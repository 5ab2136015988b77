"""Models: Sequential, functional LayersModel, the training loop and the summary."""

from .functional import LayersModel, model
from .sequential import Sequential, sequential

__all__ = ["LayersModel", "Sequential", "model", "sequential"]
