"""`tf.layers`: layer factories with TF.js's names in snake_case, and the layer classes.

Each factory takes snake_case options, TF.js's camelCase spellings, or one dict of them:
`tf.layers.lstm(units=16, input_shape=[1, 1])` is
`tf.layers.lstm({"units": 16, "inputShape": [1, 1]})`.
"""

from __future__ import annotations

from typing import Any

from .base import Layer, LayerVariable, SymbolicTensor, make_layer
from .convolutional import Conv1D
from .core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Masking,
    Permute,
    RepeatVector,
    Reshape,
    SpatialDropout1D,
)
from .embeddings import Embedding
from .input_layer import InputLayer
from .merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from .recurrent import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    RNNCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from .serialization import deserialize, serialize
from .wrappers import Bidirectional, TimeDistributed


def _factory(cls: type, name: str):
    def factory(*args: Any, **kwargs: Any) -> Layer:
        return make_layer(cls, *args, **kwargs)

    factory.__name__ = name
    factory.__doc__ = (
        f"A new `{cls.__name__}` layer (TF.js's `tf.layers.{name}`).\n\n{cls.__doc__ or ''}"
    )
    return factory


input_layer = _factory(InputLayer, "input_layer")
lstm = _factory(LSTM, "lstm")
gru = _factory(GRU, "gru")
simple_rnn = _factory(SimpleRNN, "simple_rnn")
rnn = _factory(RNN, "rnn")
lstm_cell = _factory(LSTMCell, "lstm_cell")
gru_cell = _factory(GRUCell, "gru_cell")
simple_rnn_cell = _factory(SimpleRNNCell, "simple_rnn_cell")
stacked_rnn_cells = _factory(StackedRNNCells, "stacked_rnn_cells")
dense = _factory(Dense, "dense")
activation = _factory(Activation, "activation")
dropout = _factory(Dropout, "dropout")
spatial_dropout1d = _factory(SpatialDropout1D, "spatial_dropout1d")
flatten = _factory(Flatten, "flatten")
reshape = _factory(Reshape, "reshape")
permute = _factory(Permute, "permute")
repeat_vector = _factory(RepeatVector, "repeat_vector")
masking = _factory(Masking, "masking")
embedding = _factory(Embedding, "embedding")
conv1d = _factory(Conv1D, "conv1d")
max_pooling1d = max_pool1d = _factory(MaxPooling1D, "max_pooling1d")
average_pooling1d = avg_pool1d = avg_pooling1d = _factory(AveragePooling1D, "average_pooling1d")
global_max_pooling1d = global_max_pool1d = _factory(GlobalMaxPooling1D, "global_max_pooling1d")
global_average_pooling1d = _factory(GlobalAveragePooling1D, "global_average_pooling1d")
batch_normalization = _factory(BatchNormalization, "batch_normalization")
layer_normalization = _factory(LayerNormalization, "layer_normalization")
gaussian_noise = _factory(GaussianNoise, "gaussian_noise")
gaussian_dropout = _factory(GaussianDropout, "gaussian_dropout")
alpha_dropout = _factory(AlphaDropout, "alpha_dropout")
add = _factory(Add, "add")
multiply = _factory(Multiply, "multiply")
average = _factory(Average, "average")
maximum = _factory(Maximum, "maximum")
minimum = _factory(Minimum, "minimum")
concatenate = _factory(Concatenate, "concatenate")
dot = _factory(Dot, "dot")
bidirectional = _factory(Bidirectional, "bidirectional")
time_distributed = _factory(TimeDistributed, "time_distributed")

# TF.js's camelCase factory names, for ported code
simpleRNN = simple_rnn  # noqa: N816
lstmCell = lstm_cell  # noqa: N816
gruCell = gru_cell  # noqa: N816
simpleRNNCell = simple_rnn_cell  # noqa: N816
stackedRNNCells = stacked_rnn_cells  # noqa: N816
inputLayer = input_layer  # noqa: N816
repeatVector = repeat_vector  # noqa: N816
spatialDropout1d = spatial_dropout1d  # noqa: N816
maxPooling1d = max_pooling1d  # noqa: N816
averagePooling1d = average_pooling1d  # noqa: N816
globalMaxPooling1d = global_max_pooling1d  # noqa: N816
globalAveragePooling1d = global_average_pooling1d  # noqa: N816
batchNormalization = batch_normalization  # noqa: N816
layerNormalization = layer_normalization  # noqa: N816
gaussianNoise = gaussian_noise  # noqa: N816
timeDistributed = time_distributed  # noqa: N816

__all__ = [
    "Activation",
    "Add",
    "AlphaDropout",
    "Average",
    "AveragePooling1D",
    "BatchNormalization",
    "Bidirectional",
    "Concatenate",
    "Conv1D",
    "Dense",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRU",
    "GRUCell",
    "GaussianDropout",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "InputLayer",
    "LSTM",
    "LSTMCell",
    "Layer",
    "LayerNormalization",
    "LayerVariable",
    "Masking",
    "MaxPooling1D",
    "Maximum",
    "Minimum",
    "Multiply",
    "Permute",
    "RNN",
    "RNNCell",
    "RepeatVector",
    "Reshape",
    "SimpleRNN",
    "SimpleRNNCell",
    "SpatialDropout1D",
    "StackedRNNCells",
    "SymbolicTensor",
    "TimeDistributed",
    "activation",
    "add",
    "alpha_dropout",
    "average",
    "averagePooling1d",
    "average_pooling1d",
    "avg_pool1d",
    "avg_pooling1d",
    "batchNormalization",
    "batch_normalization",
    "bidirectional",
    "concatenate",
    "conv1d",
    "dense",
    "deserialize",
    "dot",
    "dropout",
    "embedding",
    "flatten",
    "gaussianNoise",
    "gaussian_dropout",
    "gaussian_noise",
    "globalAveragePooling1d",
    "globalMaxPooling1d",
    "global_average_pooling1d",
    "global_max_pool1d",
    "global_max_pooling1d",
    "gru",
    "gruCell",
    "gru_cell",
    "inputLayer",
    "input_layer",
    "layerNormalization",
    "layer_normalization",
    "lstm",
    "lstmCell",
    "lstm_cell",
    "make_layer",
    "masking",
    "maxPooling1d",
    "max_pool1d",
    "max_pooling1d",
    "maximum",
    "minimum",
    "multiply",
    "permute",
    "repeatVector",
    "repeat_vector",
    "reshape",
    "rnn",
    "serialize",
    "simpleRNN",
    "simpleRNNCell",
    "simple_rnn",
    "simple_rnn_cell",
    "spatialDropout1d",
    "spatial_dropout1d",
    "stackedRNNCells",
    "stacked_rnn_cells",
    "timeDistributed",
    "time_distributed",
]
