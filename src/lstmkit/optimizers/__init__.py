"""TF.js's optimizers (`tf.train.*`): SGD, Momentum, RMSProp, Adam, Adadelta, Adamax, Adagrad.

Each update follows `tfjs-core/src/optimizers/*_optimizer.ts` operation for operation, in the
variable's float dtype, so training traces match TF.js to float32 rounding; each optimizer's
module names the quirks it keeps on purpose.

Layout: `base` (the Optimizer class, `get`, `deserialize`), `fields` (config fields declared
once per optimizer), `registry` (filled by the classes themselves), one module per optimizer.
Adding an optimizer: one new module (a subclass with `class_name`, `fields`, `slot_kinds`,
`_update`, and `name = registry.factory(Cls)`), plus its import line below. `lstmkit.train`
and `get`/`deserialize` find it through the registry.

The import order below is the registration order, which orders the `compile` names in messages
(TF.js's order: sgd, adam, rmsprop, adagrad, adadelta, adamax). The factories shadow their
modules' names here (`lstmkit.optimizers.adam` is the function); import a module by its full
path (`from lstmkit.optimizers.adam import Adam`) when you need it.
"""

from . import _arrays
from .base import Optimizer, deserialize, get
from .fields import EPSILON, Field
from .registry import CLASSES, factories, unregister

# The registration order (see above), so not sorted:
# isort: off
from .sgd import SGD, sgd
from .momentum import Momentum, momentum
from .adam import Adam, adam
from .rmsprop import RMSProp, RMSprop, rmsprop
from .adagrad import Adagrad, adagrad
from .adadelta import Adadelta, adadelta
from .adamax import Adamax, adamax

# isort: on

_compiled_updates = _arrays.compiled_updates  # the compiled updates, None when not built

__all__ = [
    "CLASSES",
    "EPSILON",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Field",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "RMSprop",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "deserialize",
    "factories",
    "get",
    "momentum",
    "rmsprop",
    "sgd",
    "unregister",
]
