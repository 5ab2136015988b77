"""Reading the golden TF.js fixtures (a small reader for the tests).

The fixtures are a copy, in tests/fixtures/, of ../shared/fixtures: files made by real TF.js 4.22
(tests/fixtures/README.md says how; gen_fixtures.js and gen_print.js are the scripts).

Weights are read by the manifest's order from weights.bin (little-endian, no padding).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tfjs"

_DTYPES = {"float32": "<f4", "int32": "<i4", "bool": "|b1"}


def case_names(prefix: str = "") -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith(prefix))


def load_case(name: str) -> dict:
    """case.json, plus 'model' (model.json) and 'weights' ({name: ndarray} in manifest order)."""
    folder = FIXTURES / name
    case = json.loads((folder / "case.json").read_text())
    model = json.loads((folder / "model.json").read_text())
    raw = (folder / "weights.bin").read_bytes()
    weights: dict[str, np.ndarray] = {}
    offset = 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            dt = np.dtype(_DTYPES[spec["dtype"]])
            n = int(np.prod(spec["shape"], dtype=np.int64))
            weights[spec["name"]] = np.frombuffer(raw, dt, n, offset).reshape(spec["shape"])
            offset += n * dt.itemsize
    assert offset == len(raw), f"{name}: manifest does not cover weights.bin"
    case["model"] = model
    case["weights"] = weights
    return case


def array(entry: dict) -> np.ndarray:
    """A {'values', 'shape', 'dtype'} entry of case.json as an array."""
    dt = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}[entry["dtype"]]
    return np.asarray(entry["values"], dt).reshape(entry["shape"])
