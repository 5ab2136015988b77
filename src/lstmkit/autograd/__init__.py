"""The old name of `lstmkit.engine`, kept so that existing imports keep working.

`lstmkit.autograd.ops`, `.tape`, `.api` and `.recurrent` are the engine's `ops`, `tape`, `api`
and `rnn` modules themselves (the same module objects), so a setting changed through one name
is seen through the other.
"""

import sys

from ..engine import *  # noqa: F403
from ..engine import __all__ as __all__
from ..engine import api, ops, rnn, tape

recurrent = rnn
for _name, _module in (("api", api), ("ops", ops), ("tape", tape), ("recurrent", rnn)):
    sys.modules[f"{__name__}.{_name}"] = _module
del _name, _module
