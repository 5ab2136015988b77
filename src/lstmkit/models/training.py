"""compile, fit, evaluate and predict: TF.js's training loop (`training.ts`) in NumPy.

One training step runs the model forward while the tape records, sums the per-output losses
(each the batch mean of per-sample losses, times sample weights) and the weight regularizers,
backpropagates once, and lets the optimizer update the trainable weights; constraints are then
applied. Reported numbers follow TF.js: batch loss and metrics are computed before the update,
an epoch's value is the batch-size-weighted mean of its batches, validation runs after the last
batch of the epoch.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .. import _random
from .. import callbacks as callbacks_mod
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from ..engine import ops, tape
from ..tensor import Tensor
from . import data as data_mod
from . import tape_free
from .step_result import StepResult


class TrainingMixin:
    """The training API of LayersModel."""

    def __init__(self) -> None:
        self.optimizer = None
        self.loss = None
        self._loss_fns: list[Callable] = []
        self._loss_names: list[str] = []
        self._metric_fns: list[list[tuple[str, Callable]]] = []
        self.metrics_names: list[str] = []
        self.stop_training = False
        self._is_training = False

    # -- compile ----------------------------------------------------------------------------
    def compile(
        self, optimizer: Any = None, loss: Any = None, metrics: Any = None, **kwargs: Any
    ) -> None:
        """Choose the optimizer, loss(es) and metrics (TF.js's ModelCompileArgs)."""
        if isinstance(optimizer, dict) and loss is None:
            kwargs = {**optimizer, **kwargs}
            optimizer = kwargs.pop("optimizer", None)
            loss = kwargs.pop("loss", None)
            metrics = kwargs.pop("metrics", None)
        if kwargs:
            raise ValueError(
                f"compile(): unknown options {sorted(kwargs)}; use optimizer, loss, metrics."
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
                    f"compile(): loss given for unknown outputs {sorted(unknown)}; "
                    f"outputs are {names}."
                )
            per_output = [loss.get(n) for n in names]
        elif isinstance(loss, (list, tuple)):
            if len(loss) != len(names):
                raise ValueError(
                    f"compile(): {len(loss)} losses given for {len(names)} outputs ({names})."
                )
            per_output = list(loss)
        else:
            per_output = [loss] * len(names)
        self.loss = loss
        resolved = [losses_mod.get(lo) for lo in per_output]
        self._loss_names = [r[0] for r in resolved]
        self._loss_fns = [r[1] for r in resolved]
        self._metric_fns = []
        metric_list = metrics or []
        if isinstance(metric_list, (str, Callable)) and not isinstance(
            metric_list, (list, tuple, dict)
        ):
            metric_list = [metric_list]
        for i, out in enumerate(self.outputs):
            ms = metric_list.get(names[i], []) if isinstance(metric_list, dict) else metric_list
            ms = [ms] if isinstance(ms, str) or callable(ms) else ms
            self._metric_fns.append(
                [metrics_mod.resolve(m, out.shape, self._loss_names[i]) for m in ms]
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
        if variables:
            self.optimizer._apply_pairs(list(zip(variables, grads)))
            for v in variables:
                if v.constraint is not None:
                    v.assign(v.constraint(v._data))
        return StepResult(values)

    # -- fit --------------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 1,
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        batches_per_epoch: int | None = None,
        **kwargs: Any,
    ) -> callbacks_mod.History:
        """Train the model (TF.js's `model.fit`); a generator of (x, y) batches works too."""
        if (
            isinstance(y, dict)
            and x is not None
            and not isinstance(x, dict)
            and _looks_like_args(y)
        ):
            kwargs = {**y, **kwargs}  # fit(dataset, {epochs: ...}), TF.js's fitDataset form
            y = None
        if isinstance(batch_size, dict):  # fit(x, y, {batchSize: ..., epochs: ...}), TF.js's form
            kwargs = {**batch_size, **kwargs}
            batch_size = 32
        opts = _fit_options(kwargs)
        batch_size = opts.get("batch_size", batch_size)
        epochs = opts.get("epochs", epochs)
        verbose = opts.get("verbose", verbose)
        callbacks = opts.get("callbacks", callbacks)
        validation_split = opts.get("validation_split", validation_split)
        validation_data = opts.get("validation_data", validation_data)
        shuffle = opts.get("shuffle", shuffle)
        class_weight = opts.get("class_weight", class_weight)
        sample_weight = opts.get("sample_weight", sample_weight)
        initial_epoch = opts.get("initial_epoch", initial_epoch)
        batches_per_epoch = opts.get("batches_per_epoch", batches_per_epoch)
        self._check_compiled("training it")
        if self._is_training:
            raise ValueError("Cannot start training because another fit() call is ongoing.")
        if y is None and _is_batch_source(x):
            return self._fit_iterable(
                x,
                epochs,
                batches_per_epoch,
                verbose,
                callbacks,
                validation_data,
                initial_epoch,
                class_weight,
            )
        if y is None:
            raise ValueError(
                "fit(): give targets y beside x (or an iterable of (x, y) batches as x)."
            )
        batch_size = data_mod.check_batch_size(batch_size)
        xs = self._inputs_arrays(x)
        ys = self._target_arrays(y)
        for a, n in zip(xs, self.input_names):
            data_mod.check_finite(a, f"fit(): input {n}")
        for a, n in zip(ys, self.output_names):
            data_mod.check_finite(a, f"fit(): target {n}")
        n_x = data_mod.sample_count(xs, "fit(): inputs")
        n_y = data_mod.sample_count(ys, "fit(): targets")
        if n_x != n_y:
            raise ValueError(
                f"fit(): input arrays have {n_x} samples but target arrays have {n_y}; "
                "x and y need the same number of samples."
            )
        sws = self._sample_weights(ys, sample_weight, class_weight, n_x)
        val = None
        if validation_data is not None:
            val = self._validation_arrays(validation_data)
        elif validation_split and 0 < validation_split < 1:
            split = int(np.floor(n_x * (1 - validation_split)))
            if split == 0 or split == n_x:
                raise ValueError(
                    f"fit(): validation_split={validation_split} leaves "
                    f"{'no training' if split == 0 else 'no validation'} samples out of {n_x}."
                )
            val = ([a[split:] for a in xs], [a[split:] for a in ys])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
            sws = [w[:split] if w is not None else None for w in sws]
            n_x = split

        def epoch_batches(epoch: int) -> Iterable[tuple[list, list, list]]:
            if shuffle is True:
                order = _random.generator().permutation(n_x)
            else:
                order = None
            for start, end in data_mod.batches(n_x, batch_size):
                if order is None:
                    sl = slice(start, end)
                    yield (
                        [a[sl] for a in xs],
                        [a[sl] for a in ys],
                        [w[sl] if w is not None else None for w in sws],
                    )
                else:
                    idx = order[start:end]
                    yield (
                        [a[idx] for a in xs],
                        [a[idx] for a in ys],
                        [w[idx] if w is not None else None for w in sws],
                    )

        return self._fit_loop(
            epoch_batches,
            epochs,
            initial_epoch,
            verbose,
            callbacks,
            val,
            val_batch_size=batch_size,
            samples=n_x,
            steps=None,
            batch_size=batch_size,
        )

    def _fit_loop(
        self,
        epoch_batches,
        epochs,
        initial_epoch,
        verbose,
        callbacks,
        val,
        *,
        val_batch_size,
        samples,
        steps,
        batch_size,
    ) -> callbacks_mod.History:
        """The epoch/batch loop shared by array and iterable data; `params` as TF.js's."""
        names = self.metrics_names + ([f"val_{m}" for m in self.metrics_names] if val else [])
        params = {
            "epochs": epochs,
            "initialEpoch": initial_epoch,
            "samples": samples,
            "steps": steps,
            "batchSize": batch_size,
            "verbose": verbose,
            "doValidation": val is not None,
            "metrics": names,
        }
        history = callbacks_mod.History()
        cbs = callbacks_mod.CallbackList.configure(callbacks, verbose, self, params, history)
        self._tape_free_step = tape_free.TapeFreeStep.build(self)  # None: the general step
        self._is_training = True
        self.stop_training = False
        try:
            cbs.on_train_begin({})
            for epoch in range(initial_epoch, epochs):
                cbs.on_epoch_begin(epoch, {})
                sums: dict[str, float] = {}
                seen = 0
                started = time.perf_counter()
                for b, (xb, yb, wb) in enumerate(epoch_batches(epoch)):
                    size = int(xb[0].shape[0])
                    cbs.on_batch_begin(b, {"batch": b, "size": size})
                    result = self._train_step(xb, yb, wb)
                    values, failed = result.values, not result.finite
                    logs = {"batch": b, "size": size}
                    logs.update(zip(self.metrics_names, values))
                    for k, v in zip(self.metrics_names, values):
                        sums[k] = sums.get(k, 0.0) + v * size
                    seen += size
                    if failed:
                        cbs.on_batch_end(b, logs)
                        self._on_nonfinite_loss(epoch, b, logs["loss"], cbs)
                        break
                    cbs.on_batch_end(b, logs)
                    if self.stop_training:
                        break
                epoch_logs = {k: v / max(seen, 1) for k, v in sums.items()}
                if val is not None and not self.stop_training:
                    val_values = self._evaluate_arrays(val[0], val[1], val_batch_size)
                    for k, v in zip(self.metrics_names, val_values):
                        epoch_logs[f"val_{k}"] = v
                epoch_logs["_seconds"] = time.perf_counter() - started
                epoch_logs["_samples"] = seen
                cbs.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
            cbs.on_train_end({})
        finally:
            self._is_training = False
            self._tape_free_step = None
        return history

    def _on_nonfinite_loss(self, epoch: int, batch: int, loss: float, cbs: Any) -> None:
        """Keep the last finite weights; stop and say where the loss broke down."""
        self.stop_training = True
        message = (
            f"Training stopped: the loss became {loss} at epoch {epoch + 1}, batch {batch + 1}. "
            "The weights were left at their last finite values. Lower the learning rate, scale "
            "the data, or clip gradients."
        )
        self.nan_message = message
        if cbs.has_terminate_on_nan():
            print(message)
        else:
            warnings.warn(message, RuntimeWarning, stacklevel=3)

    def _fit_iterable(
        self,
        dataset,
        epochs,
        batches_per_epoch,
        verbose,
        callbacks,
        validation_data,
        initial_epoch,
        class_weight,
    ) -> callbacks_mod.History:
        """fit on an iterable or generator of (x, y) batches (TF.js's fitDataset)."""
        val = self._validation_arrays(validation_data) if validation_data is not None else None
        source = iter(dataset) if batches_per_epoch is not None else None

        def epoch_batches(epoch: int):
            nonlocal source
            it = source if source is not None else iter(dataset)
            count = 0
            while batches_per_epoch is None or count < batches_per_epoch:
                try:
                    item = next(it)
                except StopIteration:
                    if batches_per_epoch is not None:  # as TF.js: warn and stop training
                        warnings.warn(
                            f"fit(): the data ran out after {count} batch(es) of epoch "
                            f"{epoch + 1}, though batches_per_epoch={batches_per_epoch}; "
                            "training stops here. Give at least batches_per_epoch * epochs "
                            "batches.",
                            RuntimeWarning,
                            stacklevel=4,
                        )
                        self.stop_training = True
                    return
                if isinstance(item, dict):
                    bx, by = item.get("xs"), item.get("ys")
                else:
                    bx, by = item
                xs = self._inputs_arrays(bx)
                ys = self._target_arrays(by)
                n = data_mod.sample_count(xs, "fit(): batch inputs")
                ws = self._sample_weights(ys, None, class_weight, n)
                count += 1
                yield xs, ys, ws

        return self._fit_loop(
            epoch_batches,
            epochs,
            initial_epoch,
            verbose,
            callbacks,
            val,
            val_batch_size=32,
            samples=None,
            steps=batches_per_epoch,
            batch_size=None,
        )

    def _validation_arrays(self, validation_data: Any) -> tuple[list, list]:
        if isinstance(validation_data, (list, tuple)) and len(validation_data) == 2:
            vx, vy = validation_data
        elif isinstance(validation_data, (list, tuple)) and len(validation_data) == 3:
            raise ValueError("validation_data with sample weights is not supported (as in TF.js).")
        else:
            raise ValueError("validation_data must be [x_val, y_val].")
        return self._inputs_arrays(vx), self._target_arrays(vy)

    def _sample_weights(self, ys, sample_weight, class_weight, n) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = []
        for i, y in enumerate(ys):
            w = None
            if sample_weight is not None:
                sw = sample_weight[i] if isinstance(sample_weight, (list, tuple)) else sample_weight
                w = data_mod.to_array(sw, "sample_weight").reshape(-1)
                if w.shape[0] != n:
                    raise ValueError(f"sample_weight has {w.shape[0]} entries for {n} samples.")
            if class_weight is not None:
                cw = class_weight[i] if isinstance(class_weight, (list, tuple)) else class_weight
                if isinstance(cw, dict) and self.output_names[i] in cw:
                    cw = cw[self.output_names[i]]
                if y.ndim >= 2 and y.shape[-1] > 1:
                    cls = np.argmax(y, axis=-1).reshape(-1)
                else:
                    cls = np.round(y.reshape(-1)).astype(int)
                cwv = np.array([float(cw.get(int(c), 1.0)) for c in cls], dtype=y.dtype)
                w = cwv if w is None else w * cwv
            out.append(w)
        return out

    # -- evaluate / predict -----------------------------------------------------------------
    def _evaluate_arrays(self, xs, ys, batch_size) -> list[float]:
        n = data_mod.sample_count(xs, "evaluate(): inputs")
        sums = np.zeros(len(self.metrics_names))
        for start, end in data_mod.batches(n, batch_size):
            outs = self._forward([a[start:end] for a in xs], training=False)
            yb = [a[start:end] for a in ys]
            total, per_output = self._losses_and_metrics(outs, yb, [None] * len(yb))
            values = [float(total._data)]
            if len(self.outputs) > 1:
                values += [float(p._data) for p in per_output]
            values += self._metric_values(outs, yb)
            sums += np.asarray(values) * (end - start)
        return list(sums / max(n, 1))

    def evaluate(
        self,
        x: Any,
        y: Any,
        batch_size: int = 32,
        verbose: int = 0,
        sample_weight: Any = None,
        steps: Any = None,
    ) -> Tensor | list[Tensor]:
        """Loss (and metrics) on the data: a scalar Tensor, or a list when there are metrics."""
        self._check_compiled("evaluating it")
        xs = self._inputs_arrays(x)
        ys = self._target_arrays(y)
        values = self._evaluate_arrays(xs, ys, data_mod.check_batch_size(batch_size))
        scalars = [Tensor._wrap(np.asarray(v, np.float32)) for v in values]
        return scalars[0] if len(scalars) == 1 else scalars

    def predict(self, x: Any, batch_size: int = 32, verbose: bool = False) -> Tensor | list[Tensor]:
        """Outputs for x, computed in batches (TF.js's `model.predict`)."""
        if isinstance(batch_size, dict):
            batch_size = batch_size.get("batchSize", batch_size.get("batch_size", 32))
        xs = self._inputs_arrays(x)
        n = data_mod.sample_count(xs, "predict(): inputs")
        batch_size = data_mod.check_batch_size(batch_size)
        parts: list[list[np.ndarray]] = [[] for _ in self.outputs]
        for start, end in data_mod.batches(n, batch_size):
            outs = self._forward([a[start:end] for a in xs], training=False)
            for i, o in enumerate(outs):
                parts[i].append(o._data)
        results = [Tensor._wrap(np.concatenate(p, axis=0)) for p in parts]
        return results[0] if len(results) == 1 and self._single_output else results

    def predict_on_batch(self, x: Any) -> Tensor | list[Tensor]:
        xs = self._inputs_arrays(x)
        outs = self._forward(xs, training=False)
        return outs[0] if len(outs) == 1 and self._single_output else outs

    def train_on_batch(self, x: Any, y: Any) -> float | list[float]:
        """One update on this batch; the pre-update loss (and metrics)."""
        self._check_compiled("training it")
        xs = self._inputs_arrays(x)
        ys = self._target_arrays(y)
        values = self._train_step(xs, ys, [None] * len(ys)).values
        return values[0] if len(values) == 1 else values

    # -- summary ----------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], Any] = print,
    ) -> None:
        """Print the layer table exactly as TF.js's `model.summary()`."""
        from .summary import print_summary

        print_summary(self, line_length, positions, print_fn)


def _value_and_grads(loss_fn: Callable[[], Tensor], variables: list) -> tuple[Tensor, list]:
    """The loss and one gradient per variable; None where the loss does not depend on it (the
    optimizer then leaves that weight alone, as TF.js does)."""
    with tape.recording():
        total = loss_fn()
    if total._data.shape != ():
        total = ops.reshape(total, ())
    return total, tape.backprop(total, None, variables)


_FIT_KEYS = {
    "batchSize": "batch_size",
    "epochs": "epochs",
    "verbose": "verbose",
    "callbacks": "callbacks",
    "validationSplit": "validation_split",
    "validationData": "validation_data",
    "shuffle": "shuffle",
    "classWeight": "class_weight",
    "sampleWeight": "sample_weight",
    "initialEpoch": "initial_epoch",
    "batchesPerEpoch": "batches_per_epoch",
    "yieldEvery": None,
    "stepsPerEpoch": None,
    "validationSteps": None,
    "validationBatchSize": None,
    "validationBatches": None,
}


def _is_batch_source(x: Any) -> bool:
    """An iterable of (x, y) batches (or {"xs", "ys"} dicts), rather than the data itself."""
    if x is None or isinstance(x, (Tensor, np.ndarray, dict, str)):
        return False
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(
            (isinstance(b, (list, tuple)) and len(b) == 2 and not _is_number_row(b))
            or (isinstance(b, dict) and "xs" in b)
            for b in x
        )
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def _is_number_row(b: Any) -> bool:
    return all(isinstance(v, (int, float, np.number)) for v in b)


def _looks_like_args(d: dict) -> bool:
    return all(k in _FIT_KEYS or k in _FIT_KEYS.values() for k in d)


def _fit_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """fit()'s options given in TF.js's camelCase (as keywords or a dict) mapped to snake_case."""
    out = {}
    for k, v in kwargs.items():
        if k in _FIT_KEYS:
            if _FIT_KEYS[k] is not None:
                out[_FIT_KEYS[k]] = v
        elif k in _FIT_KEYS.values():
            out[k] = v
        else:
            import difflib

            close = difflib.get_close_matches(
                k, [*_FIT_KEYS, *filter(None, _FIT_KEYS.values())], n=3
            )
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"fit(): unknown option {k!r}.{hint}")
    return out
