"""lstmkit: the TensorFlow.js Layers API for recurrent networks, native in Python on NumPy.

import lstmkit as tf
x = tf.tensor2d([[1, 2], [3, 4]])
tf.matmul(x, x).print()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import (
    activations,
    callbacks,
    constraints,
    data,
    initializers,
    io,
    layers,
    losses,
    metrics,
    optimizers,
    preprocessing,
    regularizers,
    serialization,
    train,
    util,
    utils,
)
from . import unavailable as _unavailable
from ._precision import float64
from ._random import set_seed
from .core_losses import Reduction
from .engine import (
    Variable,
    custom_grad,
    grad,
    grads,
    value_and_grad,
    value_and_grads,
    variable,
    variable_grads,
)
from .engine.ops import *  # noqa: F403  (the op functions, TF.js style: tf.matmul, tf.sigmoid)
from .engine.ops import __all__ as _op_names
from .layers.input_layer import Input, input
from .layers.topology import InputSpec, SymbolicTensor
from .models import LayersModel, Model, Sequential, model, sequential
from .models.saving import load_layers_model
from .models.serialization import models_from_json
from .tensor import (
    Tensor,
    dispose,
    eye,
    fill,
    keep,
    linspace,
    memory,
    ones,
    ones_like,
    random_normal,
    random_uniform,
    range,
    scalar,
    tensor,
    tensor1d,
    tensor2d,
    tensor3d,
    tensor4d,
    tensor5d,
    tensor6d,
    tidy,
    truncated_normal,
    zeros,
    zeros_like,
)
from .tensor_buffer import TensorBuffer, buffer

# TF.js's top-level callback names (tf.Callback, tf.CustomCallback, tf.registerCallbackConstructor)
Callback = callbacks.Callback
CallbackList = callbacks.CallbackList
CustomCallback = callbacks.CustomCallback
History = callbacks.History
register_callback_constructor = callbacks.register_callback_constructor
# tfjs-core's optimizer classes: new tf.SGDOptimizer(0.1), new tf.AdamOptimizer(1e-3, 0.9, ...)
Optimizer = optimizers.Optimizer
SGDOptimizer = optimizers.SGD
MomentumOptimizer = optimizers.Momentum
AdagradOptimizer = optimizers.Adagrad
AdadeltaOptimizer = optimizers.Adadelta
AdamOptimizer = optimizers.Adam
AdamaxOptimizer = optimizers.Adamax
RMSPropOptimizer = optimizers.RMSProp

__version__ = "0.1.0"

__all__ = [
    "AdadeltaOptimizer",
    "AdagradOptimizer",
    "AdamOptimizer",
    "AdamaxOptimizer",
    "Callback",
    "CallbackList",
    "CustomCallback",
    "History",
    "MomentumOptimizer",
    "Optimizer",
    "RMSPropOptimizer",
    "SGDOptimizer",
    "register_callback_constructor",
    "Input",
    "InputSpec",
    "SymbolicTensor",
    "LayersModel",
    "Model",
    "Reduction",
    "Sequential",
    "Tensor",
    "TensorBuffer",
    "buffer",
    "keep",
    "memory",
    "tensor5d",
    "tensor6d",
    "util",
    "Variable",
    "activations",
    "callbacks",
    "constraints",
    "data",
    "initializers",
    "input",
    "io",
    "layers",
    "load_layers_model",
    "losses",
    "metrics",
    "model",
    "models_from_json",
    "optimizers",
    "preprocessing",
    "regularizers",
    "utils",
    "sequential",
    "serialization",
    "train",
    "custom_grad",
    "dispose",
    "eye",
    "fill",
    "float64",
    "grad",
    "grads",
    "linspace",
    "ones",
    "ones_like",
    "random_normal",
    "random_uniform",
    "range",
    "scalar",
    "set_seed",
    "tensor",
    "tensor1d",
    "tensor2d",
    "tensor3d",
    "tensor4d",
    "tidy",
    "truncated_normal",
    "value_and_grad",
    "value_and_grads",
    "variable",
    "variable_grads",
    "zeros",
    "zeros_like",
    *_op_names,
]

# TF.js's camelCase spellings of the top-level functions (tf.oneHot, tf.loadLayersModel,
# tf.randomNormal), and the TF.js names that are not a plain case change of lstmkit's.
_TFJS_NAMES = {"isNaN": "is_nan", "argMax": "argmax", "argMin": "argmin", "matMul": "matmul"}


def _add_camel_case_names() -> None:
    from ._names import to_camel_case

    namespace = globals()
    names = {to_camel_case(n): n for n in __all__ if "_" in n and not n.startswith("_")}
    for camel, snake in {**names, **_TFJS_NAMES}.items():
        if camel not in namespace:
            namespace[camel] = namespace[snake]
            __all__.append(camel)


_add_camel_case_names()


# TF.js's namespaces and functions lstmkit does not have (tf.browser, tf.loadGraphModel, ...):
# using one raises NotInLstmkitError with what to use instead (README, "Not in lstmkit").
globals().update(_unavailable.namespaces())

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        _unavailable.lookup("tf", _unavailable.TOP_LEVEL, name, __name__)
