"""Layer classes by their TF.js class name, and `{"class_name", "config"}` in and out."""

from __future__ import annotations

import difflib
import importlib
from typing import Any

from .base import Layer

_MODULES = (
    "input_layer",
    "core",
    "embeddings",
    "convolutional",
    "pooling",
    "normalization",
    "merge",
    "noise",
    "recurrent",
    "wrappers",
)


def _classes() -> dict[str, type[Layer]]:
    out: dict[str, type[Layer]] = {}
    for module_name in _MODULES:
        # by import path: `layers.input_layer` the attribute is the factory, not the module
        module = importlib.import_module(f"{__package__}.{module_name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Layer)
                and not obj.__name__.startswith("_")
            ):
                name = obj.__dict__.get("class_name")
                if name:
                    out[name] = obj
    return out


# Class names older Keras / converter files use for the same layers.
ALIASES = {
    "UnifiedLSTM": "LSTM",
    "UnifiedGRU": "GRU",
    "BatchNormalizationV1": "BatchNormalization",
    "Functional": "Model",
}


def get_class(class_name: str) -> type:
    name = ALIASES.get(class_name, class_name)
    if name in ("Model", "Sequential"):
        from ..models import LayersModel, Sequential

        return Sequential if name == "Sequential" else LayersModel
    classes = _classes()
    if name not in classes:
        close = difflib.get_close_matches(name, list(classes), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Unknown layer: {class_name}.{hint}")
    return classes[name]


def serialize(layer: Layer) -> dict[str, Any]:
    return {"class_name": layer.class_name, "config": layer.get_config()}


def deserialize(config: dict[str, Any]) -> Layer:
    """A layer from `{"class_name": ..., "config": {...}}` (snake_case or camelCase keys)."""
    class_name = config.get("class_name", config.get("className"))
    if class_name is None:
        raise ValueError(f"A layer config needs a class_name, got keys {sorted(config)}.")
    return get_class(class_name).from_config(config.get("config", {}))
