"""W1 as a whole process (start + import + build + fit + predict + exit) and import times."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.peers import tfjs_peer

PROGRAMS = Path(__file__).resolve().parent / "programs"

# The systems W1 is timed on as a whole process (the comparison); --whole-all adds the
# programs of JAX and Keras (about 5 s each).
WHOLE_PEERS = ("lstmkit", "torch", "tfjs-wasm", "tfjs-cpu")

# Python module each system's import time is measured on.
IMPORTS = {"lstmkit": "lstmkit", "torch": "torch", "jax": "jax", "keras": "keras"}


def command(peer: str) -> list[str] | None:
    """The W1 program of `peer` as a command, or None if it has none."""
    if peer.startswith("tfjs-"):
        return ["node", str(PROGRAMS / "w1_tfjs.js"), peer.split("-", 1)[1]]
    path = PROGRAMS / f"w1_{peer}.py"
    return [sys.executable, str(path)] if path.exists() else None


def _timed(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"status": "error", "error": proc.stderr.strip()[-1000:]}
    return {"status": "ok", "seconds": wall, "stdout": proc.stdout.strip()[-200:]}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r["seconds"] for r in runs if r["status"] == "ok"]
    if not ok:
        return {"status": runs[-1]["status"] if runs else "missing", "runs": runs}
    return {"status": "ok", "median_s": statistics.median(ok), "runs": ok}


def whole_process(
    peers: list[str],
    prefix: list[str],
    env: dict[str, str],
    cwd: Path,
    repeats: int,
    log: Callable[[str], None],
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Median wall time of each peer's W1 program, runs interleaved lstmkit, peer, lstmkit..."""
    env = tfjs_peer.node_env(env)
    cmds = {p: command(p) for p in peers}
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in peers if cmds[p]}
    for r in range(repeats):
        for p in runs:
            res = _timed(prefix + cmds[p], env, cwd, timeout)  # type: ignore[operator]
            runs[p].append(res)
            log(f"  W1 whole process {p} #{r + 1}: {res.get('seconds', res['status'])}")
    return {p: _summary(rs) for p, rs in runs.items()}


def import_times(
    peers: list[str],
    prefix: list[str],
    env: dict[str, str],
    cwd: Path,
    repeats: int,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Median seconds of ``import X`` in a fresh interpreter, and of the interpreter start alone."""
    env = dict(env, KERAS_BACKEND="jax")
    out: dict[str, Any] = {}
    names = ["python"] + [p for p in peers if p in IMPORTS]
    code = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"
    for name in names:
        if name == "python":
            cmd = [sys.executable, "-c", "pass"]
            runs = [_timed(prefix + cmd, env, cwd, timeout) for _ in range(repeats)]
            out["python_startup"] = _summary(runs)
            continue
        secs: list[float] = []
        for _ in range(repeats):
            cmd = [sys.executable, "-c", code.format(m=IMPORTS[name])]
            proc = subprocess.run(prefix + cmd, env=env, cwd=cwd, capture_output=True, text=True)
            if proc.returncode != 0:
                break
            secs.append(float(proc.stdout.strip().splitlines()[-1]))
        if secs:
            out[name] = {"status": "ok", "median_s": statistics.median(secs), "runs": secs}
        else:
            out[name] = {"status": "missing"}
    return out


def python_path(root: Path) -> str:
    """PYTHONPATH for the subprocesses: the repository's src/ first, then the repository."""
    parts = [str(root / "src"), str(root)]
    if os.environ.get("PYTHONPATH"):
        parts.append(os.environ["PYTHONPATH"])
    return os.pathsep.join(parts)
