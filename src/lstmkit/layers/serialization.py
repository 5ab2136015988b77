"""`{"class_name", "config"}` in and out: layers (and models, cells) by their TF.js class name.

The classes come from the layer registry (`layers.registry`), which every class that sets its
own `class_name` joins when it is defined, models included, so this module imports no model.
"""

from __future__ import annotations

from typing import Any

from .base import Layer
from .registry import ALIASES, get_class  # noqa: F401 (the old names)


def serialize(layer: Layer) -> dict[str, Any]:
    """`{"class_name": ..., "config": ...}`, as TF.js's `serializeKerasObject`."""
    return {"class_name": layer.class_name, "config": layer.get_config()}


def deserialize(config: dict[str, Any]) -> Layer:
    """A layer from `{"class_name": ..., "config": {...}}` (snake_case or camelCase keys)."""
    class_name = config.get("class_name", config.get("className"))
    if class_name is None:
        raise ValueError(f"A layer config needs a class_name, got keys {sorted(config)}.")
    return get_class(class_name).from_config(config.get("config", {}))
