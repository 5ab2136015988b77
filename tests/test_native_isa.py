"""The instruction set of the compiled loops: the switch, its environment variable, its default.

Each level (baseline SSE2, AVX2+FMA, AVX-512) is compiled in and chosen at run time; the numbers
of every level against the NumPy loops are in tests/test_recurrent_kernels.py (parametrized
over the levels the CPU has) and tests/test_native_sanitizers.py (the AVX-512 set's logic runs
there on AVX2 hosts too, compiled for AVX2).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lstmkit.engine import native

EXT = native.fastrnn()
needs_ext = pytest.mark.skipif(EXT is None, reason="the _fastrnn extension is not built")


def _available() -> list[str]:
    info = EXT.options()
    return ["baseline"] + [i for i in ("avx2", "avx512") if info.get(f"{i}_available")]


@needs_ext
def test_set_isa_switches_and_restores_every_available_level():
    start = native.set_isa()
    try:
        for level in _available():
            native.set_isa(level)
            assert native.set_isa() == level
            assert native.extension_info()["isa"] == level
    finally:
        native.set_isa(start)
    assert native.set_isa() == start


@needs_ext
def test_set_isa_refuses_unknown_and_missing_levels():
    with pytest.raises(ValueError, match="expected one of baseline, avx2, avx512"):
        native.set_isa("avx3")
    for level in ("avx2", "avx512"):
        if level not in _available():
            with pytest.raises(ValueError, match="this CPU has no"):
                native.set_isa(level)


def _isa_in_fresh_process(value: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("LSTMKIT_ISA", None)
    if value is not None:
        env["LSTMKIT_ISA"] = value
    code = "from lstmkit.engine import native; print(native.set_isa())"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@needs_ext
def test_the_default_is_avx2_at_most_and_the_variable_caps_it():
    levels = _available()
    default = _isa_in_fresh_process(None)
    assert default.returncode == 0, default.stderr
    # AVX-512 is opt-in until measured on an AVX-512 host
    assert default.stdout.strip() == ("avx2" if "avx2" in levels else "baseline")
    capped = _isa_in_fresh_process("baseline")
    assert capped.stdout.strip() == "baseline", capped.stderr
    wanted = _isa_in_fresh_process("avx512")
    assert wanted.stdout.strip() == levels[-1], wanted.stderr


@needs_ext
def test_a_wrong_variable_is_refused_with_the_known_names():
    done = _isa_in_fresh_process("avx-512")
    assert done.returncode != 0
    assert "LSTMKIT_ISA='avx-512': expected one of baseline, avx2, avx512 or best" in done.stderr
