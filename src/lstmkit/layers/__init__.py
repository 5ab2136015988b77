"""`tf.layers`: the layer classes, and their factories under TF.js's names (camelCase, and the
same in snake_case: `tf.layers.simpleRNN` is `tf.layers.simple_rnn`).

Each factory takes snake_case options, TF.js's camelCase spellings, or one dict of them:
`tf.layers.lstm(units=16, input_shape=[1, 1])` is
`tf.layers.lstm({"units": 16, "inputShape": [1, 1]})`.

Nothing here lists the layers: every class that sets `class_name` registers itself
(`layers.registry`), and the factories are made below from the classes' `factory_name` and
`factory_aliases`. The imports make the classes' modules run (and give the classes their
public names here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import unavailable
from .advanced_activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .base import Layer, LayerVariable, make_layer
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
from .input_layer import Input, InputLayer, input  # tf.layers.input: TF.js's alias of tf.input
from .merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from .preprocessing_layers import CategoryEncoding, Rescaling
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
from .registry import CLASSES, factory_names, register_class, unregister_class
from .serialization import deserialize, serialize
from .topology import SymbolicTensor
from .wrappers import Bidirectional, TimeDistributed


def _factory(cls: type, name: str) -> Callable[..., Layer]:
    def factory(*args: Any, **kwargs: Any) -> Layer:
        return make_layer(cls, *args, **kwargs)

    factory.__name__ = name
    factory.__qualname__ = name
    factory.__doc__ = (
        f"A new `{cls.__name__}` layer (TF.js's `tf.layers.{cls.factory_name}`).\n\n"
        f"{cls.__doc__ or ''}"
    )
    return factory


for _cls in list(CLASSES.values()):  # a registered class of lstmkit.layers not imported above
    if _cls.__module__.startswith(__name__ + "."):
        globals().setdefault(_cls.__name__, _cls)

_CLASS_NAMES = [  # the classes here (layers, cells, Layer's helpers)
    name
    for name, obj in list(globals().items())
    if isinstance(obj, type) and obj.__module__.startswith(__name__ + ".") and name[0] != "_"
]
FACTORIES: dict[str, Callable[..., Layer]] = {}
"""Every `tf.layers.<name>` factory by name (camelCase and snake_case), made from the registry."""
for _cls in list(CLASSES.values()):
    _names = factory_names(_cls)
    if _names:
        _made = _factory(_cls, _names[0])
        FACTORIES.update(dict.fromkeys(_names, _made))
globals().update(FACTORIES)
del _cls, _names, _made

__all__ = sorted(
    [*_CLASS_NAMES, *FACTORIES, "Input", "input", "deserialize", "serialize", "make_layer"]
    + ["register_class", "unregister_class"]
)

if TYPE_CHECKING:  # the factories are made at import; type checkers see them through this

    def __getattr__(name: str) -> Callable[..., Layer]: ...

else:

    def __getattr__(name: str) -> Any:  # TF.js's layers lstmkit lacks: what to use instead
        unavailable.lookup("tf.layers", unavailable.LAYERS, name, __name__)
