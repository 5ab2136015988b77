"""The workloads W1-W5 of bench/WORKLOADS.md, their tiny variants and their data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: model LSTM(H) [-> LSTM(H)] -> Dense(1) on [N, T, D] inputs."""

    id: str
    what: str
    n: int
    t: int
    d: int
    h: int
    layers: int
    batch: int
    epochs: int  # 0 for predict-only workloads

    @property
    def predict_only(self) -> bool:
        """True when the workload times `predict` instead of `fit`."""
        return self.epochs == 0

    def to_dict(self) -> dict:
        """A JSON-ready description."""
        return asdict(self)


WORKLOADS: dict[str, Workload] = {
    w.id: w
    for w in (
        Workload("W1", "the seed's example", 2, 1, 1, 16, 1, 32, 10),
        Workload("W2", "small univariate forecaster", 2048, 30, 1, 32, 1, 32, 2),
        Workload("W3", "medium stacked", 4096, 50, 8, 128, 2, 64, 1),
        Workload("W4", "inference only (predict), model of W3", 10000, 50, 8, 128, 2, 256, 0),
        Workload("W5", "large, GEMM-bound", 1024, 100, 64, 512, 1, 128, 1),
    )
}

_TINY = {
    "W2": dict(n=64, t=5, h=8, epochs=1),
    "W3": dict(n=64, t=5, d=4, h=8, batch=16),
    "W4": dict(n=100, t=5, d=4, h=8, batch=32),
    "W5": dict(n=32, t=5, d=8, h=16, batch=16),
}


def get(wid: str, tiny: bool = False) -> Workload:
    """The workload `wid`, shrunk (N, T, H, epochs) when `tiny`."""
    w = WORKLOADS[wid]
    return replace(w, **_TINY.get(wid, {})) if tiny else w


def make_data(w: Workload, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs [N, T, D] and targets [N, 1], float32: random normal with seed 0 (W1: the seed's)."""
    if w.id == "W1":
        return (
            np.array([[[1.0]], [[2.0]]], dtype=np.float32),
            np.array([[1.0], [2.0]], dtype=np.float32),
        )
    rng = np.random.default_rng(0)
    x = rng.standard_normal((w.n, w.t, w.d), dtype=np.float32)
    y = rng.standard_normal((w.n, 1), dtype=np.float32)
    if n is not None:
        x, y = x[:n], y[:n]
    return np.ascontiguousarray(x), np.ascontiguousarray(y)


def gemm_flops_per_sample(w: Workload) -> dict[str, float]:
    """FLOPs of the matrix products one training sample needs (forward + backward).

    Counted as 2*m*n*k per product. Forward: the input projection x_t @ W ([D, 4H]) and the
    recurrent h_{t-1} @ U ([H, 4H]) for every step and layer, and the dense layer. Backward: each
    product twice more (gradient of its input and of its weight; the gradient of the data input
    is counted too, as a framework that does not skip it computes it). Elementwise gate work,
    the loss and Adam are left out (they are O(H) per step, not O(H^2)).
    """
    g = 4 * w.h
    inp = rec = 0.0
    for layer in range(w.layers):
        d_in = w.d if layer == 0 else w.h
        inp += 2.0 * w.t * d_in * g
        rec += 2.0 * w.t * w.h * g
    dense = 2.0 * w.h
    fwd = inp + rec + dense
    return {
        "input_projection": 3 * inp,
        "recurrent": 3 * rec,
        "dense": 3 * dense,
        "forward": fwd,
        "total": 3 * fwd,
    }


def inference_flops_per_sample(w: Workload) -> dict[str, float]:
    """FLOPs of the matrix products one predicted sample needs (forward only: W4).

    Counted as `gemm_flops_per_sample` counts its forward half: 2*m*n*k per product, the input
    projection x_t @ W ([D, 4H]) and the recurrent h_{t-1} @ U ([H, 4H]) for every step and
    layer, and the dense layer; no backward. Elementwise gate work is left out.
    """
    f = gemm_flops_per_sample(w)
    return {
        "input_projection": f["input_projection"] / 3,
        "recurrent": f["recurrent"] / 3,
        "dense": f["dense"] / 3,
        "total": f["forward"],
    }


def flops_per_sample(w: Workload) -> dict[str, float]:
    """The counted FLOPs per sample of what `w` times: predict (forward) or training."""
    return inference_flops_per_sample(w) if w.predict_only else gemm_flops_per_sample(w)
