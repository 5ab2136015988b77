"""What one training step returns: the pre-update loss and metrics, and whether it was finite."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StepResult:
    """The loss (then per-output losses and metrics, in `metrics_names` order) before the
    update, and `finite`: False when the loss was NaN or infinite and no update was made."""

    values: list[float]
    finite: bool = True
