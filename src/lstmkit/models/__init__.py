"""Models: Sequential, functional LayersModel, the training loop and the summary."""

from __future__ import annotations

from typing import Any

from .functional import LayersModel, model
from .sequential import Sequential, sequential
from .tape_free import use_tape_free_step

Model = LayersModel  # Keras's name (keras.Model(inputs, outputs)), TF.js's class name "Model"


def load_model(
    filepath: Any, custom_objects: dict[str, Any] | None = None, compile: bool = True, **kwargs: Any
) -> LayersModel:
    """Keras's `keras.models.load_model(filepath, custom_objects=None, compile=True)`: the model
    `model.save(filepath)` wrote (a TF.js layers-model folder, whatever the name ends with,
    `.keras` too). Layer classes in `custom_objects` are registered first, under their
    class names; a model saved with `include_optimizer=True` comes back compiled unless
    `compile=False`. Keras's own `.keras`/`.h5` files are not read: convert them with
    `tensorflowjs_converter` first."""
    from ..layers.base import Layer
    from ..layers.registry import register_class
    from .saving import load_layers_model

    for obj in (custom_objects or {}).values():
        if isinstance(obj, type) and issubclass(obj, Layer):
            register_class(obj)
    kwargs.pop("safe_mode", None)  # Keras's lambda-deserialization guard: nothing to guard here
    loaded = load_layers_model(filepath, **kwargs)
    if not compile:
        loaded.optimizer = None
    return loaded


__all__ = [
    "LayersModel",
    "Model",
    "Sequential",
    "load_model",
    "model",
    "sequential",
    "use_tape_free_step",
]
