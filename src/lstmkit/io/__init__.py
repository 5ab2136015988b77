"""TF.js model files, the format alone: `model.json` and binary weights, as TF.js 4.22 has them.

This package knows files, not models: `model_json` (strict JSON in and out), `weights` (the
manifest, dtypes, quantization, shards), `handlers` (folders, layouts, atomic writes) and
`ModelFormatError`. It imports nothing of lstmkit's layers or models; saving and loading a
model (`model.save`, `tf.load_layers_model`) live in `lstmkit.models.saving`, which builds on it.

    model.save("my-model")                        # my-model/model.json + weights.bin
    model = tf.load_layers_model("my-model")      # or "my-model/model.json"

Files are parsed as JSON and raw little-endian bytes only (no pickle, no code from a file);
weight paths must stay inside the model's folder, sizes are checked before allocation, and
every problem raises `ModelFormatError` (a ValueError) naming the file.

`lstmkit.io.save_model`, `load_layers_model`, `model_to_json` and `GENERATED_BY` still work:
they are looked up in `lstmkit.models.saving` when first used (PEP 562), so importing this
package never imports the models.
"""

from __future__ import annotations

from typing import Any

from .errors import ModelFormatError

_FROM_MODELS = ("GENERATED_BY", "load_layers_model", "model_to_json", "save_model")

__all__ = ["GENERATED_BY", "ModelFormatError", "load_layers_model", "model_to_json", "save_model"]


def __getattr__(name: str) -> Any:
    """The model-level names kept here for compatibility, from `lstmkit.models.saving`."""
    if name in _FROM_MODELS:
        from ..models import saving  # compatibility only: io itself never needs the models

        return getattr(saving, name)
    raise AttributeError(f"module 'lstmkit.io' has no attribute {name!r}")
