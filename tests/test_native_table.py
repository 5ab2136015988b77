"""The one activation table and the C enum agree: names, codes and values.

`lstmkit.engine.rnn.activations.NATIVE_CODES` maps each activation the compiled loops have
built in to its code; csrc/fastrnn.c has the `act_t` enum of the same codes. The test reads
the enum from the C source (no build needed), and, with the extension built, runs each code
through the loops' own activation (`_fastrnn.activation`) against the registry's NumPy math.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import numpy as np
import pytest

from lstmkit import activations, float64, tensor
from lstmkit.engine import native
from lstmkit.engine.rnn import activations as rnn_activations

CSRC = Path(__file__).resolve().parents[1] / "src" / "lstmkit" / "engine" / "csrc"


def _c_enum() -> dict[str, int]:
    text = (CSRC / "fastrnn.c").read_text(encoding="utf-8")
    body = re.search(r"typedef enum \{([^}]*)\} act_t;", text)
    assert body, "the act_t enum is not in csrc/fastrnn.c any more: update this test"
    return {m[1]: int(m[2]) for m in re.finditer(r"ACT_(\w+)\s*=\s*(\d+)", body[1])}


def _c_name(tfjs_name: str) -> str:
    """hardSigmoid -> HARD_SIGMOID, the C spelling of a TF.js activation name."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", tfjs_name).upper()


def test_the_c_enum_is_the_python_table():
    table = {_c_name(name): code for name, code in rnn_activations.NATIVE_CODES.items()}
    assert table == _c_enum()


def test_each_code_names_a_registered_activation():
    for name, code in rnn_activations.NATIVE_CODES.items():
        act = activations.get(name)
        assert act.native_code == code, name
        assert rnn_activations.native_kernel(name) is not None, name


def test_a_wrong_table_is_caught():
    assert _c_name("hardSigmoid") == "HARD_SIGMOID"
    wrong = dict(rnn_activations.NATIVE_CODES, tanh=2)
    assert {_c_name(n): c for n, c in wrong.items()} != _c_enum()


@pytest.mark.skipif(native.fastrnn() is None, reason="the compiled loops are not built")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_each_code_computes_its_activation(dtype):
    ext = native.fastrnn()
    x = np.linspace(-6.0, 6.0, 97, dtype=dtype)
    for name, code in rnn_activations.NATIVE_CODES.items():
        y = np.empty_like(x)
        ext.activation(dtype == np.float64, code, x, y)
        with float64() if dtype == np.float64 else contextlib.nullcontext():
            expected = activations.get(name)(tensor(x)).numpy()
        assert expected.dtype == dtype
        tol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(y, expected, rtol=tol, atol=tol, err_msg=name)
