"""`trainingConfig`: the compile arguments saved with `include_optimizer`, and back.

Written as TF.js's `getTrainingConfig()` (training.ts): `{"loss", "metrics",
"optimizer_config": {"class_name", "config"}}` with snake_case loss and metric names and the
optimizer's camelCase config. Read as `loadTrainingConfig()`: names are camelCased, the
optimizer is rebuilt from its config, and `weighted_metrics`, `loss_weights` and
`sample_weight_mode` are refused as TF.js refuses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .._names import to_camel_case, to_snake_case
from ..io.errors import ModelFormatError


def _metric_id(metric: Any) -> Any:
    if isinstance(metric, (list, tuple)):
        return [_metric_id(m) for m in metric]
    return to_snake_case(metrics_mod.name_of(metric))


def training_config(model: Any) -> dict[str, Any]:
    """The trainingConfig of a compiled model (ValueError for custom loss functions)."""
    args = getattr(model, "_compile_args", None) or {}
    loss = args.get("loss")
    if isinstance(loss, dict):
        loss_id: Any = {k: losses_mod.serialize_name(v) for k, v in loss.items()}
    elif isinstance(loss, (list, tuple)):
        loss_id = [losses_mod.serialize_name(v) for v in loss]
    else:
        loss_id = losses_mod.serialize_name(loss)
    metrics = args.get("metrics")
    if metrics is None:
        metric_ids: Any = {}  # TF.js: `for (key in undefined)` gives {}
    elif isinstance(metrics, dict):
        metric_ids = {k: _metric_id(v) for k, v in metrics.items()}
    elif isinstance(metrics, (list, tuple)):
        metric_ids = [_metric_id(m) for m in metrics]
    else:
        metric_ids = [_metric_id(metrics)]
    opt = model.optimizer
    return {
        "loss": loss_id,
        "metrics": metric_ids,
        "optimizer_config": {"class_name": opt.class_name, "config": opt.get_config()},
    }


def _camel(value: Any, what: str, path: Path) -> Any:
    if isinstance(value, str):
        return to_camel_case(value)
    if isinstance(value, list):
        return [_camel(v, what, path) for v in value]
    if isinstance(value, dict):
        return {k: _camel(v, what, path) for k, v in value.items()}
    raise ModelFormatError(path, f"trainingConfig.{what} must be names, got {value!r}.")


def compile_from(model: Any, config: Any, path: Path) -> None:
    """Compile `model` as TF.js's `loadTrainingConfig` does."""
    if not isinstance(config, dict):
        raise ModelFormatError(path, "'trainingConfig' must be an object.")
    for key in ("weighted_metrics", "loss_weights", "sample_weight_mode"):
        if config.get(key) is not None:
            raise ModelFormatError(path, f"trainingConfig: loading {key} is not supported yet.")
    opt_config = config.get("optimizer_config")
    if not isinstance(opt_config, dict) or not isinstance(opt_config.get("config", {}), dict):
        raise ModelFormatError(path, "trainingConfig.optimizer_config must be an object.")
    try:
        optimizer = optimizers_mod.deserialize(
            {
                "class_name": opt_config.get("class_name"),
                "config": {to_camel_case(k): v for k, v in opt_config.get("config", {}).items()},
            }
        )
    except Exception as e:
        raise ModelFormatError(path, f"trainingConfig.optimizer_config: {e}") from None
    loss = config.get("loss")
    if loss is None:
        raise ModelFormatError(path, "trainingConfig has no 'loss'.")
    loss = _camel(loss, "loss", path)
    metrics = config.get("metrics")
    metrics = None if metrics is None else _camel(metrics, "metrics", path)
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    except Exception as e:
        raise ModelFormatError(path, f"trainingConfig: cannot compile the model: {e}") from None
