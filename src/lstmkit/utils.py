"""`tf.utils`: Keras's `keras.utils` names that lstmkit has (`pad_sequences`,
`timeseries_dataset_from_array`); the same functions as `tf.preprocessing`.

TF.js's own `tf.util` (one word: assert, shuffle, sizeFromShape...) is another module.
"""

from __future__ import annotations

from .preprocessing import pad_sequences, timeseries_dataset_from_array

__all__ = ["pad_sequences", "timeseries_dataset_from_array"]
