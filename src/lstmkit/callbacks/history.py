"""What fit reports: `History` (what fit returns), the progress logger tfjs-node prints
(`ProgbarLogger`), TF.js's `BaseLogger`, and the helpers for Tensors in logs."""

from __future__ import annotations

import math
import shutil
import sys
import time
from typing import Any

import numpy as np

from .. import _async
from ..tensor import Tensor
from .base import DONE, Callback


class History(Callback, _async.Ready):
    """What fit returns: `history` (per-epoch values by key), `epoch` and `params`; awaitable
    (`history = await model.fitDataset(...)`, as TF.js's promise), giving itself."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        # TF.js: a new training starts a new record
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            if not k.startswith("_"):
                self.history.setdefault(k, []).append(float(v))


def succinct_number(x: float) -> str:
    """tfjs-node's getSuccinctNumberDisplay: 0.3785 -> 0.379, 1.5 -> 1.50, 0.00012 -> 1.20e-4."""
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if abs(x) > 1 or x == 0:
        return f"{x:.2f}"
    digits = 2 - math.floor(math.log10(abs(x)))
    if digits > 4:
        mant, exp = f"{x:.2e}".split("e")
        return f"{mant}e{int(exp):+d}".replace("e+", "e+")
    return f"{x:.{digits}f}"


def _metrics_text(logs: dict[str, Any]) -> str:
    keys = sorted(k for k in logs if k not in ("batch", "size") and not k.startswith("_"))
    return " ".join(f"{k}={succinct_number(float(logs[k]))}" for k in keys)


class ProgbarLogger(Callback):
    """verbose=1 output, as tfjs-node's ProgbarLogger."""

    _private_logs = True

    def __init__(self, stream: Any = None, err_stream: Any = None) -> None:
        super().__init__()
        self.stream = stream or sys.stdout
        self.err = err_stream or sys.stderr
        self._tty = bool(getattr(self.err, "isatty", lambda: False)())
        self._last_draw = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1} / {self.params.get('epochs')}", file=self.stream, flush=True)
        self._epoch_start = time.perf_counter()
        self._seen_batches = 0

    def on_batch_end(self, batch, logs=None):
        self._seen_batches = batch + 1
        if not self._tty:
            return
        now = time.perf_counter()
        if now - self._last_draw < 0.05:
            return
        self._last_draw = now
        self._draw(batch + 1, _metrics_text(logs or {}))

    def _draw(self, done: int, text: str, final: bool = False) -> None:
        steps = self.params.get("steps")
        samples = self.params.get("samples")
        bs = self.params.get("batchSize") or 1
        total = (steps if steps else math.ceil((samples or 1) / bs)) + 1
        columns = shutil.get_terminal_size((80, 24)).columns
        width = max(10, columns // 2)
        ratio = 1.0 if final else min(done / total, 1.0)
        elapsed = time.perf_counter() - self._epoch_start
        eta = 0.0 if ratio >= 1 else elapsed * (1 / max(ratio, 1e-9) - 1)
        limit = max(0, columns // 2 - 12)
        if len(text) > limit:
            text = text[:limit] + "..."
        complete = int(round(width * ratio))
        bar = "=" * max(complete - 1, 0) + (
            ">" if 0 < complete < width else ("=" if complete else "")
        )
        bar = bar + "-" * (width - len(bar))
        self.err.write(f"\reta={eta:.1f} {bar} {text}")
        self.err.flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._tty:
            self._draw(0, _metrics_text(logs), final=True)
            self.err.write("\n")
            self.err.flush()
        ms = logs.get("_seconds", time.perf_counter() - self._epoch_start) * 1000
        samples = logs.get("_samples") or self.params.get("samples")
        per = ms / samples * 1e3 if samples else ms / max(self._seen_batches, 1) * 1e3
        print(f"{ms:.0f}ms {per:.0f}us/step - {_metrics_text(logs)}", file=self.stream, flush=True)


class BaseLogger(Callback):
    """TF.js's BaseLogger: averages each numeric batch log over the epoch, weighted by the
    batch's `size`, and writes the averages of `params['metrics']` into the epoch's logs.

    lstmkit's fit computes the same averages itself; this class is for TF.js code that uses
    it directly."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.totals: dict[str, Any] = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        size = logs.get("size")
        batch_size = 0 if size is None else size
        self.seen += batch_size
        for key, value in logs.items():
            if isinstance(value, Tensor):
                value = float(value.numpy())
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                self.totals[key] = self.totals.get(key, 0) + value * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key in self.params.get("metrics", []):
            if self.totals.get(key) is None:
                continue
            logs[key] = self.totals[key] / self.seen


def resolve_scalars_in_logs(logs: dict | None) -> _async.Done:
    """TF.js's `resolveScalarsInLogs`: each scalar Tensor in `logs` replaced, in place, by its
    number (awaitable, as TF.js's)."""
    if logs is not None:
        for key, value in list(logs.items()):
            if isinstance(value, Tensor):
                logs[key] = float(value.numpy())
    return DONE


def dispose_tensors_in_logs(logs: dict | None) -> None:
    """TF.js's `disposeTensorsInLogs`: dispose the Tensors among the values of `logs`."""
    if logs is not None:
        for value in logs.values():
            if isinstance(value, Tensor):
                value.dispose()


resolveScalarsInLogs = resolve_scalars_in_logs  # noqa: N816  (TF.js's names)
disposeTensorsInLogs = dispose_tensors_in_logs  # noqa: N816
