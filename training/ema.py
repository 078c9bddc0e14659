"""Exponential moving average of a model's weights (`--ema DECAY`).

After every optimizer step: ema = d * ema + (1 - d) * weights, with the usual warm-up d = min(decay, (1 + n) / (10 + n))
(n = updates so far), so the average is not dominated by the initial weights early in a short run. Floating-point
buffers (BatchNorm running statistics) are averaged the same way; integer buffers (num_batches_tracked) are copied.
The averaged copy is what the trainer evaluates, thresholds and exports.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn


class ModelEma:
    def __init__(self, model: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay {decay}, expected 0 < decay < 1")
        self.decay = float(decay)
        self.updates = 0
        self.module = copy.deepcopy(model).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)

    def current_decay(self) -> float:
        """The decay the next update uses."""
        n = self.updates
        return min(self.decay, (1.0 + n) / (10.0 + n))

    @torch.no_grad()
    def update(self, model: nn.Module):
        d = self.current_decay()
        mine = self.module.state_dict()
        for name, value in model.state_dict().items():
            target = mine[name]
            if target.is_floating_point():
                target.mul_(d).add_(value.detach().to(target.dtype), alpha=1.0 - d)
            else:
                target.copy_(value)
        self.updates += 1
