"""The engine: a reverse-mode tape, differentiable ops and fused recurrent kernels."""

from .api import (
    ValueAndGrad,
    ValueAndGrads,
    Variable,
    VariableGrads,
    custom_grad,
    grad,
    grads,
    value_and_grad,
    value_and_grads,
    variable,
    variable_grads,
)

__all__ = [
    "ValueAndGrad",
    "ValueAndGrads",
    "Variable",
    "VariableGrads",
    "custom_grad",
    "grad",
    "grads",
    "value_and_grad",
    "value_and_grads",
    "variable",
    "variable_grads",
]
