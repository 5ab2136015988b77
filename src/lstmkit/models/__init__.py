"""Models: Sequential, functional LayersModel, the training loop and the summary."""

from __future__ import annotations

import json
from typing import Any

from ..layers.base import Layer
from ..layers.registry import register_class
from . import saving, serialization  # noqa: F401  (they register LayersModel's persistence)
from .functional import LayersModel, model
from .saving import load_layers_model, load_weights_from_manifest
from .sequential import Sequential, sequential
from .serialization import model_from_config
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
    for obj in (custom_objects or {}).values():
        if isinstance(obj, type) and issubclass(obj, Layer):
            register_class(obj)
    kwargs.pop("safe_mode", None)  # Keras's lambda-deserialization guard: nothing to guard here
    loaded = load_layers_model(filepath, **kwargs)
    if not compile:
        loaded.optimizer = None
    return loaded


def model_from_json(
    model_and_weights_config: Any, custom_objects: dict[str, Any] | None = None
) -> LayersModel:
    """TF.js's `tf.models.modelFromJSON(modelAndWeightsConfig, customObjects?)`: a model from
    its topology, `{modelTopology: ...}` (TF.js's ModelAndWeightsConfig; the weights keep their
    initial values, as TF.js without a `pathPrefix`) or the topology itself, as a dict or a JSON
    string. With a `weightsManifest` the weights are read from the files it lists under
    `pathPrefix` (a folder, default '.', or an http(s) prefix), as TF.js fetches them. Layer
    classes in `custom_objects` are registered first."""
    for obj in (custom_objects or {}).values():
        if isinstance(obj, type) and issubclass(obj, Layer):
            register_class(obj)
    config = model_and_weights_config
    if isinstance(config, str):
        config = json.loads(config)
    manifest = path_prefix = None
    if isinstance(config, dict) and ("modelTopology" in config or "model_topology" in config):
        manifest = config.get("weightsManifest", config.get("weights_manifest"))
        path_prefix = config.get("pathPrefix", config.get("path_prefix"))
        config = config.get("modelTopology", config.get("model_topology"))
    if isinstance(config, str):
        config = json.loads(config)
    made = model_from_config(config)
    if manifest is not None:  # TF.js loads the listed weights from pathPrefix
        load_weights_from_manifest(made, manifest, path_prefix)
    return made


modelFromJSON = model_from_json  # noqa: N816  (TF.js's name)

__all__ = [
    "LayersModel",
    "Model",
    "Sequential",
    "load_model",
    "model",
    "modelFromJSON",
    "model_from_json",
    "sequential",
    "use_tape_free_step",
]
