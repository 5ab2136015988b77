"""fit: TF.js's `model.fit`, `fitDataset` and `evaluateDataset` (training.ts,
training_dataset.ts) over arrays, tf.data Datasets or other sources of batches.

The epoch loop of the training API: arguments in TF.js's forms (keywords, an options dict,
camelCase or snake_case), validation split or data (arrays or a Dataset), shuffling with the
library's seeded generator, class and sample weights, callbacks and History, and a stop at the
first non-finite loss that keeps the last finite weights. Each batch goes through
`TrainingMixin._train_step` (models/training.py), the one step shared with `train_on_batch`,
so fitting a dataset of batches gives the numbers of `train_on_batch` on those batches.

Keras's form works too: `model.fit(train_ds, epochs=10, validation_data=val_ds)` with a
Dataset of (x, y) batches (`steps_per_epoch` and `validation_steps` are Keras's names of
`batchesPerEpoch` and `validationBatches`). `yieldEvery` is accepted and ignored: it says when
TF.js yields to the browser's event loop, which has no counterpart here.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import _random
from .. import callbacks as callbacks_mod
from .._options import merge_options
from ..data import Dataset
from ..tensor import Tensor
from . import data as data_mod
from . import dataset_fit, tape_free, training_utils


class FitMixin:
    """`fit` of LayersModel; the step, data helpers and evaluation come from TrainingMixin."""

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
        validation_batches = opts.get("validation_batches", opts.get("validation_steps"))
        self._check_compiled("training it")
        if self._is_training:
            raise ValueError("Cannot start training because another fit() call is ongoing.")
        if y is None and (isinstance(x, Dataset) or _is_batch_source(x)):
            if batches_per_epoch is None:
                batches_per_epoch = opts.get("steps_per_epoch")
            return self._fit_iterable(
                x,
                epochs,
                batches_per_epoch,
                verbose,
                callbacks,
                validation_data,
                initial_epoch,
                class_weight,
                validation_batches=validation_batches,
                validation_batch_size=opts.get("validation_batch_size") or 32,
            )
        if isinstance(x, Dataset):
            raise ValueError(
                "fit(): x is a tf.data Dataset, whose elements carry the targets; do not pass "
                "y. Give (x, y) or {'xs', 'ys'} batches: model.fit(ds, epochs=10)."
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
        val: Any = None
        if validation_data is not None:
            val = self._validation(validation_data, validation_batches, "fit()")
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
        history.nan_message = None  # why training stopped early on a NaN, if it did
        cbs = callbacks_mod.CallbackList.configure(callbacks, verbose, self, params, history)
        self._tape_free_step = tape_free.TapeFreeStep.build(self)  # None: the general step
        self._is_training = True
        self.stop_training = False
        self._stop_training_set = True  # TF.js: fit sets stopTraining to false
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
                        history.nan_message = self._on_nonfinite_loss(
                            epoch, b, logs["loss"], cbs, result.refused
                        )
                        break
                    cbs.on_batch_end(b, logs)
                    if self.stop_training:
                        break
                epoch_logs = {k: v / max(seen, 1) for k, v in sums.items()}
                if val is not None and not self.stop_training:
                    if callable(val):  # a dataset: TF.js's evaluateDataset
                        val_values = val()
                    else:
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

    def _on_nonfinite_loss(
        self, epoch: int, batch: int, loss: float, cbs: Any, refused: list[str] | None = None
    ) -> str:
        """Stop and say where training broke down: a non-finite loss (no update was made) or
        an update refused because it made weights or slots non-finite (`refused` names them).
        The step kept the last finite weights, optimizer slots and iteration count."""
        self.stop_training = True
        where = f"at epoch {epoch + 1}, batch {batch + 1}"
        if refused:
            shown = ", ".join(repr(n) for n in refused[:4])
            more = f" and {len(refused) - 4} more" if len(refused) > 4 else ""
            cause = (
                f"Training stopped: the update {where} (loss before it: {loss}) would have made "
                f"{shown}{more} NaN or infinite, so it was not applied."
            )
        else:
            cause = f"Training stopped: the loss became {loss} {where}; no update was made."
        message = (
            f"{cause} The weights, the optimizer's state and its iteration count were left at "
            "their last finite values. Lower the learning rate, scale the data, or clip "
            "gradients."
        )
        self.nan_message = message
        if cbs.has_terminate_on_nan():
            print(message)
        else:
            warnings.warn(message, RuntimeWarning, stacklevel=3)
        return message

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
        *,
        validation_batches=None,
        validation_batch_size=32,
        where="fit()",
    ) -> callbacks_mod.History:
        """fit on a Dataset, an iterable or a generator of batches (TF.js's fitDataset): a
        fresh iterator each epoch, or one iterator across epochs with `batches_per_epoch`."""
        val = None
        if validation_data is not None:
            val = self._validation(validation_data, validation_batches, where)
        # TF.js: one iterator for the whole fit with batchesPerEpoch, else a fresh one per epoch
        source = dataset_fit.iterate(dataset, where) if batches_per_epoch is not None else None
        steps = batches_per_epoch
        size = dataset_fit.size_of(dataset)
        if steps is None and size is not None and np.isfinite(size):
            steps = int(size)

        def epoch_batches(epoch: int):
            nonlocal source
            it = source if source is not None else dataset_fit.iterate(dataset, where)
            count = 0
            while batches_per_epoch is None or count < batches_per_epoch:
                try:
                    item = next(it)
                except StopIteration:
                    if batches_per_epoch is not None:  # as TF.js: warn and stop training
                        warnings.warn(
                            f"{where}: the data ran out after {count} batch(es) of epoch "
                            f"{epoch + 1}, though batches_per_epoch={batches_per_epoch}; "
                            "training stops here. Give at least batches_per_epoch * epochs "
                            "batches (ds.repeat() makes a dataset endless).",
                            RuntimeWarning,
                            stacklevel=4,
                        )
                        self.stop_training = True
                    return
                if item is None:  # TF.js skips a null value
                    continue
                xs, ys, sw = dataset_fit.element_arrays(self, item, where)
                n = data_mod.sample_count(xs, f"{where}: batch inputs")
                ws = self._sample_weights(ys, sw, class_weight, n)
                count += 1
                yield xs, ys, ws

        return self._fit_loop(
            epoch_batches,
            epochs,
            initial_epoch,
            verbose,
            callbacks,
            val,
            val_batch_size=validation_batch_size,
            samples=None,
            steps=steps,
            batch_size=None,
        )

    def _validation(self, validation_data: Any, batches: int | None, where: str) -> Any:
        """Arrays for [x_val, y_val]; for a dataset, a function evaluating it (a fresh
        iterator each epoch, at most `batches` batches)."""
        if dataset_fit.is_dataset(validation_data):
            count = dataset_fit.positive_int(batches, where, "validationBatches")
            return lambda: dataset_fit.evaluate_values(
                self, validation_data, count, where, stacklevel=5, what="validation_data"
            )
        return self._validation_arrays(validation_data)

    # -- fitDataset / evaluateDataset -------------------------------------------------------
    def fit_dataset(
        self, dataset: Any, args: dict[str, Any] | None = None, **kwargs: Any
    ) -> callbacks_mod.History:
        """Train on a tf.data Dataset of batches (TF.js's `model.fitDataset(ds, {epochs})`).

        Elements are `{xs, ys}`, `[xs, ys]` or `(x, y[, sample_weight])` batches. Options (a
        dict or keywords, either spelling): epochs (required, as TF.js), batchesPerEpoch
        (one iterator across epochs; without it each epoch reads the dataset afresh),
        validationData (a Dataset or [x, y]), validationBatches, validationBatchSize,
        callbacks, initialEpoch, verbose (default 1), classWeight; yieldEvery is ignored.
        """
        where = "fitDataset()"
        opts = merge_options(where, args, kwargs, _FIT_DATASET_KEYS, ignored=("yield_every",))
        if opts.get("validation_split") is not None:
            raise ValueError(
                f"{where}: validationSplit is not supported by fitDataset(); use "
                "validationData (a Dataset, or [x_val, y_val]) instead."
            )
        self._check_compiled("training it")
        if not dataset_fit.is_dataset(dataset) and not _is_batch_source(dataset):
            raise TypeError(
                f"{where}: expected a tf.data Dataset of batches, got {type(dataset).__name__}. "
                "Build one with tf.data.array(...) / tf.data.generator(...) and .batch(n), or "
                "call fit(x, y) for arrays."
            )
        epochs = dataset_fit.positive_int(opts.get("epochs"), where, "config.epochs")
        if epochs is None:
            raise ValueError(
                f"{where}: config.epochs is required (as in TF.js): "
                "model.fitDataset(ds, {'epochs': 10}) or model.fit_dataset(ds, epochs=10)."
            )
        per_epoch = dataset_fit.positive_int(
            opts.get("batches_per_epoch"), where, "config.batchesPerEpoch"
        )
        if self._is_training:
            raise ValueError("Cannot start training because another fit() call is ongoing.")
        verbose = opts.get("verbose")
        return self._fit_iterable(
            dataset,
            epochs,
            per_epoch,
            1 if verbose is None else verbose,
            opts.get("callbacks"),
            opts.get("validation_data"),
            opts.get("initial_epoch") or 0,
            opts.get("class_weight"),
            validation_batches=opts.get("validation_batches"),
            validation_batch_size=opts.get("validation_batch_size") or 32,
            where=where,
        )

    def evaluate_dataset(
        self, dataset: Any, args: dict[str, Any] | None = None, **kwargs: Any
    ) -> Tensor | list[Tensor]:
        """Loss (and metrics) over a dataset of batches (TF.js's `model.evaluateDataset`):
        each batch's values weighted by its size; at most `batches` batches."""
        where = "evaluateDataset()"
        opts = merge_options(where, args, kwargs, ("batches", "verbose"))
        self._check_compiled("evaluating it")
        if not dataset_fit.is_dataset(dataset) and not _is_batch_source(dataset):
            raise TypeError(
                f"{where}: expected a tf.data Dataset of batches, got {type(dataset).__name__}; "
                "for arrays call evaluate(x, y)."
            )
        batches = dataset_fit.positive_int(opts.get("batches"), where, "batches")
        values = dataset_fit.evaluate_values(self, dataset, batches, where)
        scalars = [Tensor._wrap(np.asarray(v, np.float32)) for v in values]
        return scalars[0] if len(scalars) == 1 else scalars

    fitDataset = fit_dataset  # noqa: N815  (TF.js's name)
    evaluateDataset = evaluate_dataset  # noqa: N815  (TF.js's name)

    def _validation_arrays(self, validation_data: Any) -> tuple[list, list]:
        if isinstance(validation_data, (list, tuple)) and len(validation_data) == 2:
            vx, vy = validation_data
        elif isinstance(validation_data, (list, tuple)) and len(validation_data) == 3:
            raise ValueError("validation_data with sample weights is not supported (as in TF.js).")
        else:
            raise ValueError("validation_data must be [x_val, y_val].")
        return self._inputs_arrays(vx), self._target_arrays(vy)

    def _class_weight_of(self, class_weight: Any, i: int) -> dict | None:
        """Output i's {class: weight} (TF.js's standardizeClassWeights): from a list (one per
        output, None for an unweighted output), a dict by output name (an output not in it
        is unweighted) or, for a one-output model, one dict."""
        return training_utils.standardize_class_weights(class_weight, self.output_names)[i]

    def _sample_weights(self, ys, sample_weight, class_weight, n) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = []
        for i, y in enumerate(ys):
            w = None
            if sample_weight is not None:
                sw = sample_weight[i] if isinstance(sample_weight, (list, tuple)) else sample_weight
                w = data_mod.to_array(sw, "sample_weight").reshape(-1)
                if w.shape[0] != n:
                    raise ValueError(f"sample_weight has {w.shape[0]} entries for {n} samples.")
            cw = self._class_weight_of(class_weight, i)
            if cw is not None:
                dtype = y.dtype if y.dtype.kind == "f" else np.float32
                cwv = training_utils.class_sample_weights(y, cw).astype(dtype)
                w = cwv if w is None else w * cwv
            out.append(w)
        return out


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
    "stepsPerEpoch": "steps_per_epoch",  # Keras's name of batchesPerEpoch (batch sources only)
    "validationSteps": "validation_steps",  # Keras's name of validationBatches
    "validationBatchSize": "validation_batch_size",  # validation on arrays, batch sources only
    "validationBatches": "validation_batches",  # a validation Dataset's batches per epoch
}

_FIT_DATASET_KEYS = (
    "epochs",
    "batches_per_epoch",
    "verbose",
    "callbacks",
    "validation_data",
    "validation_batch_size",
    "validation_batches",
    "initial_epoch",
    "class_weight",
    "validation_split",
)


def _is_batch_source(x: Any) -> bool:
    """An iterable of (x, y) batches (or {"xs", "ys"} dicts), rather than the data itself."""
    if isinstance(x, Dataset):
        return True
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
