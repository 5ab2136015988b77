"""Thread modes: "pinned" (one core, one thread everywhere) and "default" (each system's own)."""

from __future__ import annotations

import os
import shutil

MODES = ("pinned", "default")

# Variables that set thread counts; the pinned mode sets them, the default mode removes them.
_ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


def env_for(mode: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess in `mode`; BENCH_THREADS tells the workers the mode."""
    env = dict(os.environ if base is None else base)
    for key in _ONE_THREAD:
        env.pop(key, None)
    if mode == "pinned":
        env.update(_ONE_THREAD)
        env["BENCH_THREADS"] = "1"
    else:
        env["BENCH_THREADS"] = ""
    return env


def prefix_for(mode: str) -> list[str]:
    """The command prefix of `mode`: ``taskset -c 0`` when pinned (if taskset exists)."""
    if mode == "pinned" and shutil.which("taskset"):
        return ["taskset", "-c", "0"]
    return []


def pinned() -> bool:
    """Inside a worker: True when the runner asked for one thread."""
    return os.environ.get("BENCH_THREADS") == "1"
