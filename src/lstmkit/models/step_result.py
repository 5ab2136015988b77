"""What one training step returns: the pre-update loss and metrics, and whether it was finite."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StepResult:
    """The loss (then per-output losses and metrics, in `metrics_names` order) before the
    update, and `finite`: False when no update was made, because the loss was NaN or infinite
    or because the update would have made weights or optimizer slots NaN or infinite; then
    `refused` names those (`'<weight>'`, `'<weight>/<slot>'`; empty when the loss was the
    cause) and the weights, the slots and the iteration count kept their values."""

    values: list[float]
    finite: bool = True
    refused: list[str] = field(default_factory=list)
