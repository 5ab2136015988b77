"""TF.js 4.22 in Node.js (`@tensorflow/tfjs` CPU or `@tensorflow/tfjs-backend-wasm`).

The packages live in bench/.node/ (git-ignored); `python -m bench --install-tfjs` puts them there.
Python writes the data as raw float32 files and runs tfjs_worker.js, which prints JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.workloads import Workload

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE.parent / ".node"
PACKAGES = ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"]


def node_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that lets node find the packages in bench/.node/."""
    env = dict(os.environ if base is None else base)
    env["NODE_PATH"] = str(NODE_DIR / "node_modules")
    return env


def available() -> tuple[bool, str]:
    """Whether node and the npm packages are there."""
    if shutil.which("node") is None:
        return False, "node is not installed"
    for pkg in ("tfjs", "tfjs-backend-wasm"):
        if not (NODE_DIR / "node_modules" / "@tensorflow" / pkg).is_dir():
            return False, "npm packages missing (python -m bench --install-tfjs)"
    return True, "tfjs"


def install() -> int:
    """npm install the TF.js packages into bench/.node/."""
    NODE_DIR.mkdir(exist_ok=True)
    cmd = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), *PACKAGES]
    print(" ".join(cmd))
    return subprocess.call(cmd)


def version() -> str:
    """The versions measured."""
    pkg = NODE_DIR / "node_modules" / "@tensorflow" / "tfjs" / "package.json"
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return f"tfjs {json.loads(pkg.read_text())['version']}, node {node}"


def run(w: Workload, x: np.ndarray, y: np.ndarray, backend: str) -> dict[str, Any]:
    """The timing protocol in node, on TF.js's `backend` ("cpu" or "wasm")."""
    with tempfile.TemporaryDirectory(prefix="bench-tfjs-") as tmp:
        xf, yf = Path(tmp, "x.f32"), Path(tmp, "y.f32")
        x.astype("<f4").tofile(xf)
        y.astype("<f4").tofile(yf)
        spec = {**w.to_dict(), "n": len(x), "backend": backend, "x": str(xf), "y": str(yf)}
        proc = subprocess.run(
            ["node", str(HERE / "tfjs_worker.js"), json.dumps(spec)],
            capture_output=True,
            text=True,
            env=node_env(),
        )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"node failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(lines[-1])
