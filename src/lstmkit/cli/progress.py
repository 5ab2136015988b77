"""Training progress on stderr: a bar redrawn in place on a terminal, else a line now and then.

Progress goes to stderr so `lstmkit forecast > report.txt` keeps the report clean, and a log
file (no terminal) gets plain lines rather than carriage returns.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from ..callbacks import Callback

_BAR_WIDTH = 24


class EpochProgress(Callback):
    """One progress bar over the epochs on stderr (a terminal); else a line every 10 epochs."""

    def __init__(self, stream: Any = None, every: int = 10) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.best = math.inf
        self.best_epoch = 0
        self.epochs_run = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Record the best validation loss so far and show the epoch's line."""
        logs = logs or {}
        total = self.params.get("epochs") or 0
        val = logs.get("val_loss")
        if val is not None and val < self.best:
            self.best, self.best_epoch = float(val), epoch + 1
        self.epochs_run = epoch + 1
        text = f"epoch {epoch + 1:>{len(str(total))}}/{total}  loss {logs.get('loss', 0):.4g}"
        if val is not None:
            text += f"  val_loss {val:.4g}  best {self.best:.4g} (epoch {self.best_epoch})"
        if self.tty:
            self.stream.write(f"\r[{_bar(epoch + 1, total)}] {text}\x1b[K")
        elif (epoch + 1) % self.every == 0 or epoch == 0:
            self.stream.write(text + "\n")
        self.stream.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        """End the bar's line on a terminal."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _bar(done_epochs: int, total: int) -> str:
    """`====>    `: the part of `total` epochs done, `_BAR_WIDTH` characters wide."""
    done = int(_BAR_WIDTH * done_epochs / max(total, 1))
    return "=" * max(done - 1, 0) + (">" if done < _BAR_WIDTH else "=") + " " * (_BAR_WIDTH - done)
