"""Fused recurrent kernels: a whole LSTM / GRU / SimpleRNN sequence as ONE tape op.

`lstm_sequence`, `gru_sequence` and `simple_rnn_sequence` run the TF.js 4.22 cell math (gate
orders, masking, dropout and `goBackwards` as `tfjs-layers/src/layers/recurrent.ts`) over every
time step and record a single tape node whose backward is hand-derived backpropagation through
time. MATH.md, beside this file, has the layouts, the equations and their derivation.

The files, one idea each:

* `ops.py` - the three public ops: check arguments once, pick the loops;
* `args.py` - the argument checks and conversions (`_Args`), with errors naming what came;
* `activations.py` - activations as the kernels use them (folding, derivative from the
  output, the compiled loops' code of each);
* `native_cells.py` - one native-call object per cell: the ONLY caller of the compiled loops
  (`lstmkit.engine._fastrnn`), used by the tape op and by the tape-free training step;
* `compiled.py` - the tape op around a native cell (pooled buffers, recorded backward);
* `numpy_lstm.py`, `numpy_gru.py`, `numpy_simple_rnn.py` - the NumPy loops, the fallback for
  any activation and float dtype (a forward, and a backward over what it saved);
* `common.py` - helpers the loops share (mask blend, layouts, folding, tape glue).

Loading the extension, its threads and its buffer pool are `lstmkit.engine.native`'s; the
switches are re-exported here (`use_extension`, `set_num_threads`, `extension_info`,
`release_buffers`) where they have always been.
"""

from __future__ import annotations

from ..native import POOL as _POOL  # noqa: F401  (the tests read the pool)
from ..native import _load_extension as _load_extension
from ..native import extension_info, release_buffers, set_num_threads, use_extension
from .activations import _resolve_activation as _resolve_activation
from .native_cells import NATIVE_CELLS, NativeCell, NativeGRU, NativeLSTM, NativeSimpleRNN
from .ops import gru_sequence, lstm_sequence, simple_rnn_sequence

__all__ = [
    "NATIVE_CELLS",
    "NativeCell",
    "NativeGRU",
    "NativeLSTM",
    "NativeSimpleRNN",
    "extension_info",
    "gru_sequence",
    "lstm_sequence",
    "release_buffers",
    "set_num_threads",
    "simple_rnn_sequence",
    "use_extension",
]
