"""`tf.train`: the optimizer factories, with TF.js's names and formulas (see `optimizers`)."""

from .optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    Momentum,
    Optimizer,
    RMSProp,
    adadelta,
    adagrad,
    adam,
    adamax,
    momentum,
    rmsprop,
    sgd,
)

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "momentum",
    "rmsprop",
    "sgd",
]
