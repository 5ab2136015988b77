"""The optional compiled parts are skipped in tests when absent; CI requires them built.

CI sets LSTMKIT_REQUIRE_EXTENSION=1 so that the compiled-path tests (bit-identity with the
NumPy code) can never be skipped there unnoticed.
"""

from __future__ import annotations

import os

import pytest

from lstmkit import optimizers
from lstmkit.autograd import recurrent

REQUIRED = os.environ.get("LSTMKIT_REQUIRE_EXTENSION", "") not in ("", "0")


@pytest.mark.skipif(not REQUIRED, reason="set LSTMKIT_REQUIRE_EXTENSION=1 to require them")
def test_compiled_parts_are_built():
    assert recurrent._load_extension() is not None, "lstmkit.engine._fastrnn is not built"
    assert optimizers._compiled_updates() is not None, "lstmkit._fastopt is not built"
