"""format_tensor against TF.js 4.22 tensor.print() output.

The fixture cases were printed by real TF.js; the hand-written cases below were derived
by following tfjs-core/src/tensor_format.ts by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstmkit._format import format_tensor
from tfjs_fixtures import FIXTURES

FIXTURE = FIXTURES / "print.json"
CASES = json.loads(FIXTURE.read_text())
NP_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture(name: str) -> None:
    case = CASES[name]
    data = np.array(case["values"], dtype=NP_DTYPES[case["dtype"]]).reshape(case["shape"])
    assert format_tensor(data, case["dtype"]) == case["printed"]
    assert format_tensor(data, case["dtype"], verbose=True) == case["printed_verbose"]


def test_negative_float_vector() -> None:
    # Rank 1 is never column-padded.
    data = np.array([-1.5, 2, -0.25], np.float32)
    assert format_tensor(data, "float32") == "Tensor\n    [-1.5, 2, -0.25]"


def test_to_fixed_ties_round_away_from_zero() -> None:
    # 1/256 = 0.00390625 is an exact tie at 7 places; JS toFixed picks the larger |n|.
    data = np.array([0.00390625, -0.00390625], np.float32)
    assert format_tensor(data, "float32") == "Tensor\n    [0.0039063, -0.0039063]"


def test_exponent_forms_and_tiny_values() -> None:
    # 1e-7 survives toFixed(7) and String() writes it as 1e-7; 2**70 >= 1e21 bypasses
    # toFixed; 4e-8 rounds to 0.
    data = np.array([1e-7, 2.0**70, 4e-8], np.float32)
    assert format_tensor(data, "float32") == "Tensor\n    [1e-7, 1.1805916207174113e+21, 0]"


def test_float_scalar_is_not_rounded() -> None:
    # Rank 0 uses vals[0].toString() directly, exposing the float32 value; float64 input
    # is cast to float32 first.
    expected = "Tensor\n    0.10000000149011612"
    assert format_tensor(np.array(0.1, np.float32), "float32") == expected
    assert format_tensor(np.array(0.1), "float32") == expected


def test_bool_matrix_padding() -> None:
    data = np.array([[True, False], [False, False]])
    expected = "Tensor\n    [[true , false],\n     [false, false]]"
    assert format_tensor(data, "bool") == expected


def test_rank3_int_elides_long_middle_axis() -> None:
    data = np.arange(44, dtype=np.int32).reshape(1, 22, 2)
    body = (
        "    [[[0 , 1 ],\n"
        "      [2 , 3 ],\n"
        "      [4 , 5 ],\n"
        "      ...,\n"
        "      [38, 39],\n"
        "      [40, 41],\n"
        "      [42, 43]]]"
    )
    assert format_tensor(data, "int32") == "Tensor\n" + body
    header = "Tensor\n  dtype: int32\n  rank: 3\n  shape: [1,22,2]\n  values:\n"
    assert format_tensor(data, "int32", verbose=True) == header + body


def test_rank3_int_elides_long_outer_axis() -> None:
    data = np.arange(22, dtype=np.int32).reshape(22, 1, 1)
    expected = (
        "Tensor\n"
        "    [ [[0 ],],\n\n"
        "      [[1 ],],\n\n"
        "      [[2 ],],\n\n"
        "     ...\n"
        "      [[19],],\n\n"
        "      [[20],],\n\n"
        "      [[21],]]"
    )
    assert format_tensor(data, "int32") == expected


def test_empty_vector() -> None:
    assert format_tensor(np.zeros(0, np.float32), "float32") == "Tensor\n    []"
