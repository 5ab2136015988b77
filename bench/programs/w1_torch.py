"""W1 whole process, PyTorch: the seed program with nn.LSTM + nn.Linear + Adam."""

import torch
from torch import nn

lstm, fc = nn.LSTM(1, 16, batch_first=True), nn.Linear(16, 1)
opt = torch.optim.Adam([*lstm.parameters(), *fc.parameters()], lr=0.001)
xs, ys = torch.tensor([[[1.0]], [[2.0]]]), torch.tensor([[1.0], [2.0]])
for _ in range(10):
    opt.zero_grad()
    loss = nn.functional.mse_loss(fc(lstm(xs)[0][:, -1]), ys)
    loss.backward()
    opt.step()
with torch.inference_mode():
    print(fc(lstm(torch.tensor([[[3.0]]]))[0][:, -1]))
