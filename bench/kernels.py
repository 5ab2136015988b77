"""Fused LSTM kernel against PyTorch's ``nn.LSTM``: forward + backward, side by side.

``python bench/kernels.py`` (or ``python -m bench.kernels``) times, in one process per thread
mode, lstmkit's ``lstm_sequence`` forward + backward (one tape op, gradients of kernel,
recurrent kernel and bias) against ``torch.nn.LSTM`` forward + backward (``h_T.backward``,
gradients of its weights), on the one-layer shapes of the W2, W3 and W5 workloads of
bench/WORKLOADS.md: batch, time steps, input features and units as there, float32,
tanh / sigmoid as PyTorch, the last output only. Runs are interleaved (lstmkit, torch,
lstmkit, ...) after a warm-up; each side keeps the median of its repeats; the ratio is
torch time / lstmkit time (above 1: lstmkit is faster).

Thread modes, each in its own process (thread settings must precede the imports):
  pinned   ``taskset -c 0`` (when available; ``--cpu N`` picks another core), one BLAS/OpenMP
           thread, torch.set_num_threads(1)
  default  both cores, each library's own threading

Options: ``--workloads W2,W3,W5``, ``--modes pinned,default``, ``--repeats N``, ``--numpy``
(also time lstmkit's NumPy loops, ``LSTMKIT_NO_EXTENSION=1``), ``--json PATH``, ``--tiny`` (a
smoke run on tiny shapes). Without torch the lstmkit timings are still reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# id: (batch, time steps, input features, units), from bench/WORKLOADS.md
SHAPES = {
    "W2": (32, 30, 1, 32),
    "W3": (64, 50, 8, 128),
    "W5": (128, 100, 64, 512),
}
TINY = {"W2": (4, 3, 1, 4), "W3": (4, 3, 2, 8), "W5": (4, 3, 4, 16)}
# calls per timed block, chosen so that a block takes roughly 0.05-1 s here
CALLS = {"W2": 40, "W3": 4, "W5": 1}

_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


# ---------------------------------------------------------------------------------------------
# Worker: one process, one thread mode
# ---------------------------------------------------------------------------------------------
def _lstmkit_runner(B, T, D, H, rng, numpy_path: bool):
    import numpy as np

    from lstmkit.engine import rnn as recurrent
    from lstmkit.engine import tape
    from lstmkit.tensor import Tensor

    recurrent.use_extension(not numpy_path)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    lim = np.sqrt(6.0 / (D + 4 * H))
    params = [
        rng.uniform(-lim, lim, size=(D, 4 * H)).astype(np.float32),
        (rng.normal(size=(H, 4 * H)) / np.sqrt(H)).astype(np.float32),
        np.zeros(4 * H, np.float32),
    ]
    dy = rng.normal(size=(B, H)).astype(np.float32)
    leaves = []
    for p in params:
        t = Tensor._wrap(p)
        t._requires_grad = True
        leaves.append(t)

    def train():
        with tape.recording():
            y, _ = recurrent.lstm_sequence(x, *leaves, recurrent_activation="sigmoid")
        return tape.backprop(y, dy, leaves)

    def infer():
        return recurrent.lstm_sequence(x, *leaves, recurrent_activation="sigmoid")

    return train, infer


def _torch_runner(B, T, D, H, rng):
    import torch

    lstm = torch.nn.LSTM(D, H, batch_first=True)
    x = torch.from_numpy(rng.normal(size=(B, T, D)).astype("float32"))
    dy = torch.from_numpy(rng.normal(size=(B, H)).astype("float32"))

    def train():
        for p in lstm.parameters():
            p.grad = None
        _, (h, _) = lstm(x)
        h[-1].backward(dy)

    def infer():
        with torch.no_grad():
            return lstm(x)

    return train, infer


def _time_block(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def _interleaved(fns: dict, n: int, repeats: int) -> dict[str, float]:
    """Median seconds per call of each function, timed in turns."""
    for fn in fns.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            times[k].append(_time_block(fn, n))
    return {k: statistics.median(v) for k, v in times.items()}


def worker(args: argparse.Namespace) -> dict:
    import numpy as np

    pinned = args.mode == "pinned"
    try:
        import torch

        if pinned:
            torch.set_num_threads(1)
        torch_version = torch.__version__
        torch_threads = torch.get_num_threads()
    except ImportError:
        torch = None
        torch_version, torch_threads = None, None
    from lstmkit.engine import rnn as recurrent

    info = recurrent.extension_info()
    shapes = TINY if args.tiny else SHAPES
    rows = []
    for wid in args.workloads:
        B, T, D, H = shapes[wid]
        rng = np.random.default_rng(0)
        n = 1 if args.tiny else CALLS[wid]
        train, infer = {}, {}
        train["lstmkit"], infer["lstmkit"] = _lstmkit_runner(B, T, D, H, rng, False)
        if args.numpy:
            train["numpy"], infer["numpy"] = _lstmkit_runner(B, T, D, H, rng, True)
        if torch is not None:
            train["torch"], infer["torch"] = _torch_runner(B, T, D, H, rng)

        # the NumPy loops are switched per call: wrap so each runs with its own setting
        def bind(fn, numpy_path):
            def run():
                recurrent.use_extension(not numpy_path)
                return fn()

            return run

        for d in (train, infer):
            for k in list(d):
                if k != "torch":
                    d[k] = bind(d[k], k == "numpy")
        t_train = _interleaved(train, n, args.repeats)
        t_infer = _interleaved(infer, n, args.repeats)
        recurrent.use_extension(True)
        rows.append({"workload": wid, "shape": [B, T, D, H], "train": t_train, "infer": t_infer})
    return {
        "mode": args.mode,
        "lstmkit_extension": info,
        "torch": torch_version,
        "torch_threads": torch_threads,
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------
def _env(mode: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS}
    if mode == "pinned":
        env.update({k: "1" for k in _THREAD_VARS})
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _run_mode(mode: str, args: argparse.Namespace) -> dict:
    cmd = []
    if mode == "pinned" and shutil.which("taskset"):
        cmd += ["taskset", "-c", str(args.cpu)]
    cmd += [sys.executable, str(Path(__file__).resolve()), "--worker", "--modes", mode]
    cmd += ["--workloads", ",".join(args.workloads), "--repeats", str(args.repeats)]
    cmd += ["--numpy"] if args.numpy else []
    cmd += ["--tiny"] if args.tiny else []
    proc = subprocess.run(cmd, env=_env(mode), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker ({mode}) failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt_ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e3:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def table(results: list[dict]) -> str:
    lines = [
        "| mode | workload | B, T, D, H | lstmkit fwd+bwd ms | torch fwd+bwd ms "
        "| **torch / lstmkit (fwd+bwd)** | per step us | torch / lstmkit (fwd) "
        "| lstmkit NumPy loops fwd+bwd ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        for r in res["rows"]:
            tr, inf = r["train"], r["infer"]
            T = r["shape"][1]
            lines.append(
                f"| {res['mode']} | {r['workload']} | {', '.join(map(str, r['shape']))} "
                f"| {_fmt_ms(tr['lstmkit'])} | {_fmt_ms(tr.get('torch'))} "
                f"| **{_ratio(tr.get('torch'), tr['lstmkit'])}** "
                f"| {tr['lstmkit'] / T * 1e6:.1f} "
                f"| {_ratio(inf.get('torch'), inf['lstmkit'])} | {_fmt_ms(tr.get('numpy'))} |"
            )
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/kernels.py", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--workloads", default="W2,W3,W5")
    p.add_argument("--modes", default="pinned,default")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--cpu", type=int, default=0, help="the core of the pinned mode (default 0)")
    p.add_argument("--numpy", action="store_true", help="also time the NumPy loops")
    p.add_argument("--tiny", action="store_true", help="tiny shapes (a smoke run)")
    p.add_argument("--json", default=None, help="also write the results to this file")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for w in args.workloads:
        if w not in SHAPES:
            p.error(f"unknown workload {w!r} (have {', '.join(SHAPES)})")
    for m in args.modes:
        if m not in ("pinned", "default"):
            p.error(f"unknown mode {m!r} (pinned, default)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.worker:
        args.mode = args.modes[0]
        print(json.dumps(worker(args)), flush=True)
        return 0
    results = [_run_mode(m, args) for m in args.modes]
    ext = results[0]["lstmkit_extension"]
    print(
        f"# lstmkit fused LSTM vs torch.nn.LSTM ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})\n"
    )
    print(f"lstmkit compiled loops: {ext if ext else 'not built (NumPy loops)'}")
    print(f"torch: {results[0]['torch'] or 'not installed'}\n")
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
