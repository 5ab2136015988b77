"""compile, the training step, evaluate and predict: TF.js's training API (`training.ts`) in NumPy.

One training step runs the model forward while the tape records, sums the per-output losses
(each the batch mean of per-sample losses, times sample weights) and the weight regularizers,
backpropagates once, and lets the optimizer update the trainable weights; constraints are then
applied. Reported numbers follow TF.js: batch loss and metrics are computed before the update,
an epoch's value is the batch-size-weighted mean of its batches, validation runs after the last
batch of the epoch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import _async, _options
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from ..engine import ops, tape
from ..tensor import Tensor
from ..tensor_buffer import AwaitableFloat
from . import data as data_mod
from . import training_utils
from .fitting import FitMixin
from .nodes import node_arguments
from .step_result import StepResult


class TrainingMixin(FitMixin):
    """The training API of LayersModel: compile, the one training step, evaluate, predict
    (fit comes from FitMixin, models/fitting.py)."""

    def __init__(self) -> None:
        self.optimizer = None
        self.loss = None
        self._loss_fns: list[Callable] = []
        self._loss_names: list[str] = []
        self._metric_fns: list[list[tuple[str, Callable]]] = []
        self.metrics_names: list[str] = []
        self.stop_training = False
        self._is_training = False

    def __await__(self) -> Any:
        """`await tf.loadLayersModel(url)` gives the model: TF.js returns it in a Promise, here
        it is ready (as `await` in JavaScript, awaiting gives the value itself)."""
        return _async.Ready.__await__(self)

    @property
    def stopTraining(self) -> bool | None:  # noqa: N802  (TF.js's name; settable, as in TF.js)
        """TF.js's `model.stopTraining = true` (from a callback): stop after this batch.

        None (TF.js's undefined) until a fit starts (which sets it false) or it is set;
        Keras's `stop_training` is False from the start."""
        if self.stop_training or self.__dict__.get("_stop_training_set", False):
            return self.stop_training
        return None

    @stopTraining.setter
    def stopTraining(self, value: bool) -> None:  # noqa: N802  (TF.js's name)
        self.stop_training = bool(value)
        self._stop_training_set = True

    # -- fit: history keys in both spellings ------------------------------------------------
    def fit(self, *args: Any, **kwargs: Any) -> Any:
        """Train the model (TF.js's `model.fit`; see FitMixin.fit). The History's `history`
        answers to TF.js's keys ('acc', 'val_acc') and Keras's ('accuracy'): a MetricLogs."""
        return _keras_readable(super().fit(*args, **kwargs))

    def fit_dataset(self, *args: Any, **kwargs: Any) -> Any:
        """Train on a tf.data Dataset (TF.js's `model.fitDataset`; see FitMixin.fit_dataset)."""
        return _keras_readable(super().fit_dataset(*args, **kwargs))

    # -- compile ----------------------------------------------------------------------------
    def compile(
        self, optimizer: Any = None, loss: Any = None, metrics: Any = None, **kwargs: Any
    ) -> None:
        """Choose the optimizer, loss(es) and metrics (TF.js's ModelCompileArgs), as keywords
        or as TF.js's one dict: `compile({"optimizer": "adam", "loss": "meanSquaredError"})`.

        Keras's options with no effect here (`run_eagerly`, `jit_compile`, ...) are accepted;
        `classWeight`, a `fit()` option that TF.js's compile ignores (programs pass it), is
        accepted with a warning that it is ignored.
        """
        config = None
        if _options.is_options(optimizer) and not _is_optimizer_config(optimizer):
            config, optimizer = optimizer, None
        given = {"optimizer": optimizer, "loss": loss, "metrics": metrics}
        opts = _options.merge_options(
            "compile()",
            config,
            {**{k: v for k, v in given.items() if v is not None}, **kwargs},
            _COMPILE_OPTIONS,
            ignored=_KERAS_COMPILE_NO_EFFECT,
        )
        optimizer, loss, metrics = opts.get("optimizer"), opts.get("loss"), opts.get("metrics")
        if opts.get("class_weight") is not None:
            warnings.warn(
                "compile(): classWeight is ignored here (TF.js's compile ignores it too); it is "
                "an option of fit(): model.fit(x, y, {classWeight: ...}).",
                UserWarning,
                stacklevel=2,
            )
        for unsupported in ("loss_weights", "weighted_metrics"):
            if opts.get(unsupported) is not None:
                raise ValueError(
                    f"compile(): {unsupported} is not supported (TF.js has no such option "
                    "either); weight the outputs' losses with a custom loss function, or "
                    "pass sample weights to fit()."
                )
        if optimizer is None or loss is None:
            raise ValueError(
                "compile(): give both an optimizer (e.g. 'adam') and a loss "
                "(e.g. 'meanSquaredError')."
            )
        self.optimizer = optimizers_mod.get(optimizer)
        names = self.output_names
        if isinstance(loss, dict):
            unknown = set(loss) - set(names)
            if unknown:
                raise ValueError(
                    f"Unknown entry in loss dictionary: {', '.join(map(repr, sorted(unknown)))}."
                    f" Only expected the following keys: {names} (compile(): loss given for "
                    f"unknown outputs {sorted(unknown)}; outputs are {names})."
                )
            per_output = [loss.get(n) for n in names]
        elif isinstance(loss, (list, tuple)):
            if len(loss) != len(names):
                raise ValueError(
                    "When passing an Array as loss, it should have one entry per model output. "
                    f"The model has {len(names)} output(s), but you passed {len(loss)} "
                    f"(compile(): {len(loss)} losses given for {len(names)} outputs ({names}))."
                )
            per_output = list(loss)
        else:
            per_output = [loss] * len(names)
        self.loss = loss
        resolved = [_resolve_loss(lo) for lo in per_output]
        self._loss_names = [r[0] for r in resolved]
        self._loss_fns = [r[1] for r in resolved]
        self._metric_fns = []
        keras = metrics_mod.keras_dialect(loss)  # history keys 'accuracy' rather than 'acc'
        metric_list = metrics or []
        if isinstance(metric_list, (str, Callable)) and not isinstance(
            metric_list, (list, tuple, dict)
        ):
            metric_list = [metric_list]
        for i, out in enumerate(self.outputs):
            ms = metric_list.get(names[i], []) if isinstance(metric_list, dict) else metric_list
            ms = [ms] if isinstance(ms, str) or callable(ms) else ms
            self._metric_fns.append(
                [_resolve_metric(m, out.shape, self._loss_names[i], keras) for m in ms]
            )
        self.metrics_names = ["loss"]
        if len(names) > 1:
            self.metrics_names += [f"{n}_loss" for n in names]
        for i, fns in enumerate(self._metric_fns):
            for key, _ in fns:
                self.metrics_names.append(key if len(names) == 1 else f"{names[i]}_{key}")
        self._compile_args = {"loss": loss, "metrics": metrics}

    def _check_compiled(self, what: str) -> None:
        if self.optimizer is None:
            raise ValueError(
                f"You must compile a model before {what}: call model.compile(optimizer='adam', "
                "loss='meanSquaredError') first."
            )

    # -- data -------------------------------------------------------------------------------
    def _inputs_arrays(self, x: Any, what: str = "input") -> list[np.ndarray]:
        names = self.input_names
        xs = data_mod.as_list(x, names, f"model {self.name} input")
        out = []
        for sym, arr_like, name in zip(self.inputs, xs, names):
            arr = data_mod.to_array(arr_like, f"input {name}", sym.dtype)
            if arr.ndim == 1 and len(sym.shape) == 2 and sym.shape[1] in (1, None):
                arr = arr.reshape(-1, 1)  # TF.js: a 1-D Tensor is a batch of 1-feature samples
            first = self._first_consumer(sym)
            data_mod.check_input(arr, sym.shape, name, first, what)
            out.append(arr)
        return out

    def _first_consumer(self, sym: Any) -> str:
        for node in self._nodes:
            if sym in node.inputs:
                return node.layer.name
        return sym.source_layer.name

    def _target_arrays(self, y: Any) -> list[np.ndarray]:
        names = self.output_names
        ys = data_mod.as_list(y, names, f"model {self.name} target")
        out = []
        for i, (sym, arr_like) in enumerate(zip(self.outputs, ys)):
            arr = data_mod.to_array(arr_like, f"target {names[i]}")
            if self._loss_names and self._loss_names[i] == "sparseCategoricalCrossentropy":
                out.append(arr)
                continue
            if arr.ndim == len(sym.shape) - 1 and sym.shape[-1] == 1:
                arr = arr.reshape(arr.shape + (1,))
            data_mod.check_input(arr, sym.shape, f"target of {names[i]}", names[i], "target")
            out.append(arr)
        return out

    # -- one step ---------------------------------------------------------------------------
    def _forward(self, xs: list[np.ndarray], training: bool) -> list[Tensor]:
        inputs = [Tensor._wrap(x) for x in xs]
        outs, _ = self.run_graph(inputs if len(inputs) > 1 else inputs[0], training=training)
        return outs

    def _losses_and_metrics(
        self, outs: list[Tensor], ys: list[np.ndarray], weights: list[np.ndarray | None]
    ) -> tuple[Tensor, list[Tensor]]:
        """The total loss (with regularization) and the per-output losses."""
        per_output = []
        for fn, out, y, w in zip(self._loss_fns, outs, ys, weights):
            per_sample = fn(Tensor._wrap(y), out)
            if w is not None:
                per_sample = ops.mul(
                    per_sample, Tensor._wrap(w.reshape(w.shape + (1,) * (per_sample.rank - 1)))
                )
            per_output.append(ops.mean(per_sample))
        total = per_output[0]
        for lo in per_output[1:]:
            total = ops.add(total, lo)
        for penalty in self.regularization_losses():
            total = ops.add(total, penalty)
        return total, per_output

    def _metric_values(self, outs: list[Tensor], ys: list[np.ndarray]) -> list[float]:
        values = []
        with tape.paused():
            for fns, out, y in zip(self._metric_fns, outs, ys):
                for _, fn in fns:
                    values.append(float(np.mean(fn(Tensor._wrap(y), out)._data)))
        return values

    def _train_step(self, xs, ys, weights) -> StepResult:
        """One update; the pre-update loss and metrics (no update if the loss was not finite)."""
        step = self.__dict__.get("_tape_free_step")
        if step is not None:
            result = step(xs, ys, weights)
            if result is not None:
                return result
        variables = self.trainable_weights
        captured: dict[str, Any] = {}

        def loss_fn() -> Tensor:
            outs = self._forward(xs, training=True)
            total, per_output = self._losses_and_metrics(outs, ys, weights)
            captured["outs"], captured["per_output"] = outs, per_output
            return total

        if variables:
            total, grads = _value_and_grads(loss_fn, variables)
        else:
            total, grads = loss_fn(), []
        loss_value = float(total._data)
        values = [loss_value]
        if len(self.outputs) > 1:
            values += [float(p._data) for p in captured["per_output"]]
        values += self._metric_values(captured["outs"], ys)
        if not np.isfinite(loss_value):
            return StepResult(values, finite=False)
        if not variables:
            return StepResult(values)

        def constrain() -> None:
            for v in variables:
                if v.constraint is not None:
                    v.assign(v.constraint(v._data))

        # kept only if every weight and slot stays finite (else all are left as they were)
        refused = self.optimizer._apply_pairs(
            list(zip(variables, grads)), check_finite=True, finish=constrain
        )
        return StepResult(values, finite=not refused, refused=refused)

    # -- evaluate / predict -----------------------------------------------------------------
    def _evaluate_arrays(self, xs, ys, batch_size, weights=None) -> list[float]:
        n = data_mod.sample_count(xs, "evaluate(): inputs")
        sums = np.zeros(len(self.metrics_names))
        weights = weights or [None] * len(ys)
        for start, end in data_mod.batches(n, batch_size):
            outs = self._forward([a[start:end] for a in xs], training=False)
            yb = [a[start:end] for a in ys]
            wb = [None if w is None else w[start:end] for w in weights]
            total, per_output = self._losses_and_metrics(outs, yb, wb)
            values = [float(total._data)]
            if len(self.outputs) > 1:
                values += [float(p._data) for p in per_output]
            values += self._metric_values(outs, yb)
            sums += np.asarray(values) * (end - start)
        return list(sums / max(n, 1))

    def evaluate(self, x: Any, y: Any = None, batch_size: Any = None, **kwargs: Any) -> Any:
        """Loss (and metrics) on the data: a scalar Tensor, or a list `[loss, ...metrics]`.

        Options as keywords or TF.js's dict (`evaluate(x, y, {"batchSize": 8})`):
        `batch_size` (32), `verbose`, `sample_weight` (one weight per sample, applied to the
        loss as in training), `steps` (evaluate only that many batches); Keras's
        `return_dict=True` gives `{name: float}` instead.
        """
        config, batch_size = _split_options(batch_size)
        opts = _options.merge_options(
            "evaluate()",
            config,
            {**({"batch_size": batch_size} if batch_size is not None else {}), **kwargs},
            ("batch_size", "verbose", "sample_weight", "steps", "return_dict", "callbacks"),
        )
        # TF.js checks the batch size first, then that the model is compiled
        size = data_mod.check_batch_size(
            32 if opts.get("batch_size") is None else opts["batch_size"]
        )
        self._check_compiled("evaluating it")
        xs = self._inputs_arrays(x)
        ys = self._target_arrays(y)
        if data_mod.sample_count(xs, "evaluate(): inputs") == 0:
            raise ValueError(
                "evaluate(): the inputs have 0 samples, and the loss of no samples is undefined "
                "(TF.js gives an empty list); pass at least one sample."
            )
        steps = opts.get("steps")
        if steps is not None:
            xs, ys = [a[: steps * size] for a in xs], [a[: steps * size] for a in ys]
        weights = None
        if opts.get("sample_weight") is not None:
            n = data_mod.sample_count(xs, "evaluate(): inputs")
            w = data_mod.to_array(opts["sample_weight"], "evaluate(): sample_weight").reshape(-1)
            if steps is not None:
                w = w[:n]
            if w.shape[0] != n:
                raise ValueError(
                    f"evaluate(): sample_weight has {w.shape[0]} values for {n} samples; give "
                    "one weight per sample."
                )
            weights = [w] * len(ys)
        values = self._evaluate_arrays(xs, ys, size, weights)
        if opts.get("return_dict"):
            return dict(zip(self.metrics_names, values))
        scalars = [Tensor._wrap(np.asarray(v, np.float32)) for v in values]
        return scalars[0] if len(scalars) == 1 else _async.ReadyList(scalars)

    def predict(self, x: Any, batch_size: Any = None, **kwargs: Any) -> Tensor | list[Tensor]:
        """Outputs for x, computed in batches (TF.js's `model.predict(x, {batchSize})`;
        options `batch_size` (32), `verbose`, Keras's `steps`, as keywords or one dict)."""
        config, batch_size = _split_options(batch_size)
        opts = _options.merge_options(
            "predict()",
            config,
            {**({"batch_size": batch_size} if batch_size is not None else {}), **kwargs},
            ("batch_size", "verbose", "steps", "callbacks"),
        )
        xs = self._inputs_arrays(x)
        n = data_mod.sample_count(xs, "predict(): inputs")
        size = data_mod.check_batch_size(
            32 if opts.get("batch_size") is None else opts["batch_size"]
        )
        if opts.get("steps") is not None:
            n = min(n, opts["steps"] * size)
        parts: list[list[np.ndarray]] = [[] for _ in self.outputs]
        # no rows: one pass over the empty batch gives each output's empty result, with its
        # shape and dtype (TF.js's concat of no batches throws "Pass at least one tensor")
        for start, end in data_mod.batches(n, size) or [(0, 0)]:
            outs = self._forward([a[start:end] for a in xs], training=False)
            for i, o in enumerate(outs):
                parts[i].append(o._data)
        results = [Tensor._wrap(np.concatenate(p, axis=0)) for p in parts]
        return results[0] if self._one_result(results) else _async.ReadyList(results)

    def predict_on_batch(self, x: Any) -> Tensor | list[Tensor]:
        xs = self._inputs_arrays(x)
        outs = self._forward(xs, training=False)
        return outs[0] if self._one_result(outs) else _async.ReadyList(outs)

    def _one_result(self, results: list[Tensor]) -> bool:
        """One output gives one Tensor: always for a model made TF.js's way (TF.js's
        singletonOrArray), for a Keras-made one when its outputs were not a list."""
        return len(results) == 1 and (
            self._single_output or self.__dict__.get("_made_from_options_dict", False)
        )

    def train_on_batch(self, x: Any, y: Any) -> float | list[float]:
        """One update on this batch; the pre-update loss (and metrics). Awaitable, as TF.js's
        `await model.trainOnBatch(x, y)` (a float, or a list of floats)."""
        self._check_compiled("training it")
        xs = self._inputs_arrays(x)
        ys = self._target_arrays(y)
        values = [AwaitableFloat(v) for v in self._train_step(xs, ys, [None] * len(ys)).values]
        return values[0] if len(values) == 1 else _async.ReadyList(values)

    # -- execute ----------------------------------------------------------------------------
    def execute(self, inputs: Any, outputs: str | Sequence[str]) -> Any:
        """TF.js's `model.execute(inputs, outputNames)`: run the graph on `inputs` (a Tensor, a
        list in the order of `model.inputs`, or a dict by input name) and give the values of
        the named SymbolicTensors (any layer's output or model input, `layer.output.name`):
        one Tensor for one name, a list for a list of names."""
        if isinstance(outputs, (list, tuple)) and len(outputs) == 0:
            raise ValueError("`outputs` is an empty Array, which is not allowed.")
        as_list = isinstance(outputs, (list, tuple))
        names = list(outputs) if as_list else [outputs]
        wanted = self._retrieve_symbolic_tensors(names)
        if isinstance(inputs, (Tensor, np.ndarray)):
            inputs = [inputs]
        feed: list[Any] = []
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != len(self.inputs):
                raise ValueError(
                    f"The number of inputs provided ({len(inputs)}) does not match the number "
                    f"of inputs of this model ({len(self.inputs)})."
                )
            feed = list(inputs)
        else:
            for sym in self.inputs:
                value = inputs.get(sym.name)
                if value is None:
                    raise ValueError(f"No value is provided for the model's input {sym.name}")
                feed.append(value)
        values = self._run_nodes(feed)
        out = [values[id(t)] for t in wanted]
        return _async.ReadyList(out) if as_list else out[0]

    def _retrieve_symbolic_tensors(self, names: list[str]) -> list[Any]:
        by_name: dict[str, Any] = {}
        for t in self.inputs:
            by_name.setdefault(t.name, t)
        for node in self._nodes:
            for t in node.outputs:
                by_name.setdefault(t.name, t)
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ValueError(
                "Cannot find SymbolicTensors for output name(s): "
                + "["
                + ",".join(f'"{n}"' for n in missing)
                + "]"
            )
        return [by_name[n] for n in names]

    def _run_nodes(self, feed: list[Any]) -> dict[int, Any]:
        """Every node's output values (by id of its SymbolicTensor) for the model inputs
        `feed`, in inference mode, masks passed along as the model's call passes them."""
        from ..layers.base import Layer
        from ..layers.input_layer import InputLayer

        values: dict[int, Any] = {}
        mask_of: dict[int, Any] = {}
        for sym, x in zip(self.inputs, feed):
            values[id(sym)] = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
            mask_of[id(sym)] = None
        for node in self._nodes:
            layer = node.layer
            if isinstance(layer, InputLayer):
                continue
            args, kwargs, in_mask = node_arguments(node, values, mask_of)
            out = layer.apply(args, **kwargs)
            if (
                in_mask is None
                or layer.supports_masking
                or (type(layer).compute_mask is not Layer.compute_mask)
            ):
                out_mask = layer.compute_mask(args, in_mask)
            else:
                out_mask = None  # a layer that does not support masking stops the mask
            outs = out if isinstance(out, (list, tuple)) else [out]
            out_masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask] * len(outs)
            for sym, value, m in zip(node.outputs, outs, out_masks):
                values[id(sym)] = value
                mask_of[id(sym)] = m
        return values

    # -- summary ----------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Print the layer table exactly as TF.js's `model.summary(lineLength, positions,
        printFn)`; the keywords in either spelling, and Keras's display options
        (`expand_nested`, `show_trainable`, `layer_range`) accepted and ignored."""
        from .summary import print_summary

        opts = _options.merge_options(
            "summary()",
            None,
            kwargs,
            ("line_length", "positions", "print_fn"),
            ignored=("expand_nested", "show_trainable", "layer_range"),
        )
        line_length = opts.get("line_length", line_length)
        positions = opts.get("positions", positions)
        print_fn = opts.get("print_fn", print_fn) or print
        print_summary(self, line_length, positions, print_fn)


def _value_and_grads(loss_fn: Callable[[], Tensor], variables: list) -> tuple[Tensor, list]:
    """The loss and one gradient per variable; None where the loss does not depend on it (the
    optimizer then leaves that weight alone, as TF.js does)."""
    with tape.recording():
        total = loss_fn()
    if total._data.shape != ():
        total = ops.reshape(total, ())
    return total, tape.backprop(total, None, variables)


_COMPILE_OPTIONS = (
    "optimizer",
    "loss",
    "metrics",
    "class_weight",
    "loss_weights",
    "weighted_metrics",
)
# Keras's compile options that change nothing in lstmkit's numbers (execution settings).
_KERAS_COMPILE_NO_EFFECT = (
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
    "auto_scale_loss",
    "sample_weight_mode",
)


def _keras_readable(history: Any) -> Any:
    """`history.history` as a MetricLogs: TF.js's keys, readable under Keras's."""
    if isinstance(getattr(history, "history", None), dict):
        history.history = metrics_mod.MetricLogs(history.history)
    return history


def _resolve_loss(loss: Any) -> tuple[str, Callable[..., Any]]:
    """compile's loss lookup; an unknown name fails with TF.js's "Unknown loss foo"."""
    try:
        return losses_mod.get(loss)
    except ValueError as err:
        raise ValueError(losses_mod.layers.with_tfjs_words(loss, err)) from None


def _resolve_metric(
    metric: Any, output_shape: Any, loss_name: str, keras: bool
) -> tuple[str, Callable[..., Any]]:
    """compile's metric lookup; an unknown name fails with TF.js's "Unknown metric foo"."""
    try:
        return metrics_mod.resolve(metric, output_shape, loss_name, keras)
    except ValueError as err:
        if isinstance(metric, str) and str(err).startswith("Unknown metric"):
            raise ValueError(f"Unknown metric {metric} in compile(): {err}") from None
        raise


def _split_options(value: Any) -> tuple[Mapping[str, Any] | None, Any]:
    """(TF.js's options dict, None) when the third positional is that dict, else (None, it)."""
    return (value, None) if _options.is_options(value) else (None, value)


def _is_optimizer_config(value: Mapping[str, Any]) -> bool:
    """A serialized optimizer (`{"class_name": "Adam", "config": {...}}`), not compile's dict."""
    return "class_name" in value or "className" in value


# TF.js's helpers of engine/training.ts and engine/training_tensors.ts, under their names
isDataTensor = data_mod.is_data_tensor  # noqa: N816
isDataArray = data_mod.is_data_array  # noqa: N816
isDataDict = data_mod.is_data_dict  # noqa: N816
standardizeInputData = data_mod.standardize_input_data  # noqa: N816
checkArrayLengths = data_mod.check_array_lengths  # noqa: N816
collectMetrics = data_mod.collect_metrics  # noqa: N816
sliceArraysByIndices = data_mod.slice_arrays_by_indices  # noqa: N816
makeBatches = data_mod.make_batches  # noqa: N816
standardizeWeights = training_utils.standardize_weights  # noqa: N816
standardizeClassWeights = training_utils.standardize_class_weights  # noqa: N816
standardizeSampleWeights = training_utils.standardize_sample_weights  # noqa: N816
is_data_tensor = data_mod.is_data_tensor
is_data_array = data_mod.is_data_array
is_data_dict = data_mod.is_data_dict
standardize_input_data = data_mod.standardize_input_data
check_array_lengths = data_mod.check_array_lengths
collect_metrics = data_mod.collect_metrics
slice_arrays_by_indices = data_mod.slice_arrays_by_indices
make_batches = data_mod.make_batches
