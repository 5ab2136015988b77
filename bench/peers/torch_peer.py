"""PyTorch: nn.LSTM + nn.Linear + torch.optim.Adam in an idiomatic training loop."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np

from bench.peers.common import model_init, protocol
from bench.threads import pinned
from bench.workloads import Workload


def available() -> tuple[bool, str]:
    """Whether torch is installed (`pip install torch==2.13.0`)."""
    ok = importlib.util.find_spec("torch") is not None
    return ok, "torch" if ok else "torch is not installed (pip install torch==2.13.0)"


def version() -> str:
    """The version measured."""
    import torch

    return torch.__version__


def build(w: Workload) -> Any:
    """The model with Keras's default initial weights, plus its Adam optimizer."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstms = nn.ModuleList(
                nn.LSTM(w.d if i == 0 else w.h, w.h, batch_first=True) for i in range(w.layers)
            )
            self.fc = nn.Linear(w.h, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            for lstm in self.lstms:
                x, _ = lstm(x)
            return self.fc(x[:, -1])

    net = Net()
    init = model_init(w)
    with torch.no_grad():
        for lstm, p in zip(net.lstms, init["lstms"]):
            lstm.weight_ih_l0.copy_(torch.from_numpy(p["kernel"].T.copy()))
            lstm.weight_hh_l0.copy_(torch.from_numpy(p["recurrent"].T.copy()))
            lstm.bias_ih_l0.copy_(torch.from_numpy(p["bias"]))
            lstm.bias_hh_l0.zero_()
        net.fc.weight.copy_(torch.from_numpy(init["dense_kernel"].T.copy()))
        net.fc.bias.zero_()
    return net, torch.optim.Adam(net.parameters(), lr=0.001)


def run(w: Workload, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The timing protocol on PyTorch."""
    import torch

    if pinned():
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.MSELoss()

    def fit(model: Any, epochs: int) -> float:
        net, opt = model
        net.train()
        total, steps = torch.zeros(()), 0
        for _ in range(epochs):
            total, steps = torch.zeros(()), 0  # the last epoch's mean loss, as Keras reports
            for i in range(0, len(xt), w.batch):
                opt.zero_grad()
                loss = loss_fn(net(xt[i : i + w.batch]), yt[i : i + w.batch])
                loss.backward()
                opt.step()
                total += loss.detach()
                steps += 1
        return total.item() / max(steps, 1)

    def predict(model: Any) -> Any:
        net, _ = model
        net.eval()
        with torch.inference_mode():
            return torch.cat([net(xt[i : i + w.batch]) for i in range(0, len(xt), w.batch)])

    return protocol(w, x, y, lambda: build(w), fit, predict)
