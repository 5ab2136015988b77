"""The sgemm rate NumPy reaches for W5's matrix products (``python -m bench.roofline '{}'``).

Every product W5 does in one batch (forward and backward) is timed with float32 NumPy matmul;
the rate of the whole mix (its FLOPs over its summed time) is the peak a NumPy LSTM can reach.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np

from bench import workloads


def shapes(w: workloads.Workload) -> list[tuple[str, int, int, int, int]]:
    """(name, m, k, n, count per batch) of the GEMMs of one W5-style training batch."""
    b, t, d, h = w.batch, w.t, w.d, w.h
    g = 4 * h
    return [
        ("forward input projection [BT,D]@[D,4H]", b * t, d, g, 1),
        ("forward recurrent [B,H]@[H,4H] per step", b, h, g, t),
        ("backward dh [B,4H]@[4H,H] per step", b, g, h, t),
        ("backward dU [H,BT]@[BT,4H]", h, b * t, g, 1),
        ("backward dW [D,BT]@[BT,4H]", d, b * t, g, 1),
        ("backward dx [BT,4H]@[4H,D]", b * t, g, d, 1),
    ]


def time_gemm(m: int, k: int, n: int, min_s: float = 0.2, trials: int = 3) -> float:
    """Best seconds of one [m, k] @ [k, n] float32 product (into a preallocated output)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    out = np.empty((m, n), np.float32)
    np.matmul(a, b, out=out)
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=out)
        if time.perf_counter() - t0 >= min_s / 4 or reps > 1 << 20:
            break
        reps *= 2
    best = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=out)
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def measure(tiny: bool = False) -> dict[str, Any]:
    """GFLOP/s of each W5 product and of the whole mix, with the FLOPs W5 needs per sample."""
    w = workloads.get("W5", tiny)
    rows, mix_flops, mix_s = [], 0.0, 0.0
    for name, m, k, n, count in shapes(w):
        sec = time_gemm(m, k, n, min_s=0.02 if tiny else 0.2)
        flops = 2.0 * m * k * n
        rows.append(
            {"gemm": name, "m": m, "k": k, "n": n, "per_batch": count, "gflops": flops / sec / 1e9}
        )
        mix_flops += flops * count
        mix_s += sec * count
    per_sample = workloads.gemm_flops_per_sample(w)
    return {
        "shapes": rows,
        "mix_gflops": mix_flops / mix_s / 1e9,
        "flops_per_sample": per_sample,
        "min_seconds_per_sample": mix_s / w.batch,
        "counting": workloads.gemm_flops_per_sample.__doc__.split("\n\n")[1].strip(),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the JSON of `measure`."""
    spec = json.loads((argv if argv is not None else sys.argv[1:] or ["{}"])[0])
    print(json.dumps(measure(spec.get("tiny", False))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
