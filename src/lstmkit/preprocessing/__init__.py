"""`tf.preprocessing`: Keras's data preprocessing names that lstmkit has, where keras-io
programs reach them: `keras.preprocessing.sequence.pad_sequences`,
`keras.preprocessing.timeseries_dataset_from_array` (and the same functions in `tf.utils`).

- `sequence.pad_sequences`: sequences padded or cut to one length, as a NumPy array.
- `timeseries_dataset_from_array`: sliding windows over an array as a `tf.data` Dataset of
  `(x, y)` batches, which `model.fit` and `model.fitDataset` take.
"""

from __future__ import annotations

from . import sequence, timeseries
from .sequence import pad_sequences
from .timeseries import timeseries_dataset_from_array

__all__ = ["pad_sequences", "sequence", "timeseries", "timeseries_dataset_from_array"]
