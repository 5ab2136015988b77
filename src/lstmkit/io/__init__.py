"""TF.js model files: `model.json` + binary weights, read and written as TF.js 4.22 does.

    model.save("my-model")                        # my-model/model.json + weights.bin
    model = tf.load_layers_model("my-model")      # or "my-model/model.json"

Files are parsed as JSON and raw little-endian bytes only (no pickle, no code from a file);
weight paths must stay inside the model's folder, sizes are checked before allocation, and
every problem raises `ModelFormatError` (a ValueError) naming the file.
"""

from __future__ import annotations

from .errors import ModelFormatError
from .saving import GENERATED_BY, load_layers_model, model_to_json, save_model

__all__ = ["GENERATED_BY", "ModelFormatError", "load_layers_model", "model_to_json", "save_model"]
