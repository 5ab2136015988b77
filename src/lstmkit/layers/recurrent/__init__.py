"""Recurrent layers, one file per idea as Keras 3's `keras/src/layers/rnn/`: `cells` (the
`RNNCell` base, the fused cells' base, `StackedRNNCells`), `loop` (the `RNN` layer: a cell over
time), and one file per cell family with its cell and its layer (`lstm`, `gru`,
`simple_rnn`). As in tfjs-layers' `recurrent.ts`, cells are apart from the loop.
"""

from __future__ import annotations

import importlib
import pkgutil

from .cells import RNNCell, StackedRNNCells, deserialize_cell
from .gru import GRU, GRUCell
from .loop import RNN, rnn
from .lstm import LSTM, LSTMCell
from .simple_rnn import SimpleRNN, SimpleRNNCell

# Every module here runs, so a new cell family's classes register without being listed.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

CELLS = {c.class_name: c for c in (LSTMCell, GRUCell, SimpleRNNCell, StackedRNNCells)}
"""The built-in cells by class name (all registered cells: `layers.registry.CLASSES`)."""

__all__ = [
    "CELLS",
    "GRU",
    "LSTM",
    "RNN",
    "GRUCell",
    "LSTMCell",
    "RNNCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "deserialize_cell",
    "rnn",
]
