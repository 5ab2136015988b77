"""Issue 14, item 14: a fit with the compiled loops gives the same bits in every fresh process.

A call whose GEMMs went to BLAS used to switch BLAS to one thread when its steps ran slow or
contention had been seen recently; OpenBLAS's sums depend on its thread count, so two fits
with the same seed ended 7.8e-8 apart depending on the machine's load. Each child process
below fits the same seeded model four ways: the built-in GEMM and BLAS's (`gemm='blas'`), each
as usual and as after contention (`assume_contention_us`, the hook that makes the next calls
run as when a core was found busy). Deterministic (the default), all four of one GEMM agree
bit for bit, and a fresh process agrees with this one (whose other tests ran before).
With `set_deterministic(False)` the BLAS fits as after contention differ (checked by hand
when this was written: OpenBLAS on 2 threads), which is what the old code always did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lstmkit.engine import native

SRC = str(Path(__file__).resolve().parent.parent / "src")

CHILD = r"""
import hashlib, json
import numpy as np
import lstmkit as tf
from lstmkit import _random
from lstmkit.engine import native

ext = native._load_extension()
native.set_num_threads(2)
native.set_deterministic(True)
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 10, 4)).astype("float32")
y = rng.normal(size=(64, 1)).astype("float32")
out = {}
for gemm in ("packed", "blas"):
    for contention in (False, True):
        ext.options(gemm=gemm)
        _random.set_seed(0)
        m = tf.sequential()
        m.add(tf.layers.lstm(units=32, input_shape=[10, 4], return_sequences=True))
        m.add(tf.layers.lstm(units=32))
        m.add(tf.layers.dense(units=1))
        m.compile(optimizer="adam", loss="meanSquaredError")
        if contention:
            ext.options(assume_contention_us=60_000_000)
        m.fit(x, y, epochs=2, batch_size=32, verbose=0, shuffle=False)
        ext.options(assume_contention_us=0)
        data = b"".join(np.ascontiguousarray(w._data).tobytes() for w in m.get_weights())
        out[f"{gemm}/{contention}"] = hashlib.sha256(data).hexdigest()
"""


def _here() -> dict[str, str]:
    """The same fits in this process, its settings restored afterwards."""
    info = native.extension_info()
    old_det = native.set_deterministic()
    scope: dict[str, object] = {}
    try:
        exec(CHILD, scope)
    finally:
        ext = native._load_extension()
        ext.options(gemm=info["gemm"], threads=info["threads"], assume_contention_us=0)
        native.set_deterministic(old_det)
    return scope["out"]  # type: ignore[return-value]


def _child() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=SRC)
    env.pop("LSTMKIT_NO_EXTENSION", None)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD + "print(json.dumps(out))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(native.extension_info() is None, reason="the extension is not built")
def test_fits_in_fresh_processes_are_bit_identical_under_contention():
    if not native.extension_info().get("blas"):
        pytest.skip("no BLAS found: the BLAS path cannot run")
    first, second = _child(), _here()
    assert first == second  # a fresh process and this one, the same seed: the same bits
    for gemm in ("packed", "blas"):
        # the load (here: as after contention) changes how the call runs, never its numbers
        assert first[f"{gemm}/False"] == first[f"{gemm}/True"], gemm


@pytest.mark.skipif(native.extension_info() is None, reason="the extension is not built")
def test_deterministic_switch_is_reported_and_restored():
    old = native.set_deterministic(False)
    try:
        assert native.extension_info()["deterministic"] is False
        assert native.set_deterministic(True) is False
        assert native.extension_info()["deterministic"] is True
    finally:
        native.set_deterministic(old)
    assert old is True  # the default
