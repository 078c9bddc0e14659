"""ResNet-18 variant exported by CNTK (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1), in plain torch.nn.

It is NOT torchvision's resnet18 (deliberately no torchvision import, the GPU machine may lack it):

* BasicBlock stages [2, 2, 2, 3] -- the last stage has THREE blocks (22 convolutions, ~16M parameters);
* every Conv is followed by an (unfolded) BatchNormalization, no conv biases, eps 1e-5;
* stride-2 operators pad asymmetrically (ONNX pads order top, left, bottom, right):
    stem 7x7/2 conv        [3, 3, 2, 2]
    3x3/2 max-pool         [1, 1, 0, 0]
    3x3/2 block convs      [1, 1, 0, 0]
    1x1/2 projections      [0, 0, 0, 0]
  PyTorch's symmetric ``padding=`` cannot express begin > end. Whenever symmetric padding by the *begin* amount
  yields the same output size as the ONNX padding (always the case for even maps, e.g. any size that is a multiple
  of 32), the windows are identical and the layer uses native symmetric padding (exact, fast, and it exports to a
  plain Conv/MaxPool with no Pad node); otherwise (odd maps) it pads explicitly with F.pad, left/top more.
* expected input: BGR, 0..255, minus per-channel mean (about 103.1 / 115.9 / 123.2), no std division.

Works on torch 1.13 (CPU) and torch 2.x (CUDA).
"""
from __future__ import annotations

import hashlib

import torch
import torch.nn as nn
import torch.nn.functional as F

STAGES = (2, 2, 2, 3)
WIDTHS = (64, 128, 256, 512)
BN_EPS = 1e-5

LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat",
          "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def _same_as_symmetric(n: int, k: int, s: int, begin: int, end: int) -> bool:
    """True when padding (begin, begin) gives the same output length as ONNX's (begin, end): then both start their
    windows at -begin and take the same windows, and the extra end padding is never read."""
    return (n + 2 * begin - k) // s == (n + begin + end - k) // s


class ConvBN(nn.Module):
    """Conv2d (no bias) + BatchNorm2d with ONNX-style (top, left, bottom, right) padding."""

    def __init__(self, cin: int, cout: int, k: int, stride: int, pads):
        super().__init__()
        t, l, b, r = pads
        self.pads = (int(t), int(l), int(b), int(r))
        self.symmetric = (t == b and l == r)
        pad_arg = (t, l) if self.symmetric else 0
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=pad_arg, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x):
        if not self.symmetric:
            t, l, b, r = self.pads
            k, s = self.conv.kernel_size, self.conv.stride
            h, w = int(x.shape[-2]), int(x.shape[-1])
            if _same_as_symmetric(h, k[0], s[0], t, b) and _same_as_symmetric(w, k[1], s[1], l, r):
                return self.bn(F.conv2d(x, self.conv.weight, None, s, (t, l)))
            x = F.pad(x, (l, r, t, b))  # F.pad order: (left, right, top, bottom)
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        first_pads = (1, 1, 0, 0) if stride == 2 else (1, 1, 1, 1)
        self.c1 = ConvBN(cin, cout, 3, stride, first_pads)
        self.c2 = ConvBN(cout, cout, 3, 1, (1, 1, 1, 1))
        self.down = ConvBN(cin, cout, 1, stride, (0, 0, 0, 0)) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        y = F.relu(self.c1(x))
        y = self.c2(y)
        return F.relu(y + identity)


class ResNetCNTK(nn.Module):
    """Backbone: input [N,3,H,W] (BGR, mean-subtracted) -> feature map [N,512,H/32,W/32] (after the last ReLU)."""

    def __init__(self):
        super().__init__()
        self.stem = ConvBN(3, 64, 7, 2, (3, 3, 2, 2))
        stages = []
        cin = 64
        for i, (n, w) in enumerate(zip(STAGES, WIDTHS)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock(cin, w, stride))
                cin = w
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        x = F.relu(self.stem(x))
        # MaxPool 3x3/2 with ONNX pads [1,1,0,0].
        h, w = int(x.shape[-2]), int(x.shape[-1])
        if _same_as_symmetric(h, 3, 2, 1, 0) and _same_as_symmetric(w, 3, 2, 1, 0):
            x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        else:
            # ONNX max-pool padding is "ignored"; padding with 0 instead is exact here because the input is
            # post-ReLU (>= 0) and every window holds at least one real value.
            x = F.max_pool2d(F.pad(x, (1, 0, 1, 0)), kernel_size=3, stride=2)
        return self.stages(x)

    def conv_bn_modules(self):
        """ConvBN modules grouped by role, for weight porting: [('stem', m), ('s{i}b{j}.c1', m), ...]."""
        out = [("stem", self.stem)]
        for i, stage in enumerate(self.stages):
            for j, blk in enumerate(stage):
                out.append((f"s{i}b{j}.c1", blk.c1))
                out.append((f"s{i}b{j}.c2", blk.c2))
                if blk.down is not None:
                    out.append((f"s{i}b{j}.down", blk.down))
        return out


HEADS = ("linear", "csra")


class CSRAHead(nn.Module):
    """Class-specific residual attention (Zhu & Wu, ICCV 2021), single head, temperature infinity (= max pooling).

    A per-label 1x1 conv (512 -> num_labels, WITH bias) turns the feature map F [N,512,h,w] into class maps
    M [N,num_labels,h,w]; logits = mean_hw(M) + lam * max_hw(M). The bias is part of M, so it enters the logits
    (1 + lam) times (the trainer initialises it to prior_logit / (1 + lam)). Unlike the reference code the maps are
    not divided by the classifier's weight norm (irrelevant for max pooling's arg-max; keeps logits = the exported
    maps' mean + lam * max exactly). Exports to Conv + ReduceMean + ReduceMax + Mul + Add."""

    def __init__(self, cin: int, num_labels: int, lam: float = 0.2):
        super().__init__()
        self.lam = float(lam)
        self.conv = nn.Conv2d(cin, num_labels, 1, bias=True)

    def forward(self, f):
        m = self.conv(f)
        return torch.mean(m, dim=(2, 3)) + self.lam * torch.amax(m, dim=(2, 3)), m


class MultiLabelNet(nn.Module):
    """Backbone + a head emitting LOGITS [N, num_labels]:
    head="linear": global average pool + Linear(512, num_labels);
    head="csra":   CSRAHead (per-label 1x1 conv class maps, mean + lam * max over space).
    forward(x, return_maps=True) also returns the class maps [N, num_labels, h, w] (csra only)."""

    def __init__(self, num_labels: int = len(LABELS), head: str = "linear", csra_lambda: float = 0.2):
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head '{head}', expected one of {HEADS}")
        self.head_kind = head
        self.backbone = ResNetCNTK()
        if head == "linear":
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Linear(WIDTHS[-1], num_labels)
        else:
            self.head = CSRAHead(WIDTHS[-1], num_labels, csra_lambda)

    def head_weight_bias(self):
        """The head's (weight, bias) parameters, for initialisation."""
        return (self.head.weight, self.head.bias) if self.head_kind == "linear" else \
            (self.head.conv.weight, self.head.conv.bias)

    def forward(self, x, return_maps: bool = False):
        f = self.backbone(x)
        if self.head_kind == "linear":
            if return_maps:
                raise ValueError("class maps need head='csra'")
            return self.head(torch.flatten(self.pool(f), 1))
        logits, maps = self.head(f)
        return (logits, maps) if return_maps else logits


class WithMaps(nn.Module):
    """Export wrapper: image -> (logits, class_maps)."""

    def __init__(self, net: MultiLabelNet):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x, return_maps=True)


def load_ported(path: str):
    """Load a file written by port_resnet18.py; returns (float32 state_dict, meta dict)."""
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - torch 1.13's weights-only unpickler rejects plain floats; our own file
        try:
            blob = torch.load(path, map_location="cpu", weights_only=False)
        except TypeError:  # torch without the weights_only parameter
            blob = torch.load(path, map_location="cpu")
    sd = {k: (v.float() if torch.is_tensor(v) and v.is_floating_point() else v)
          for k, v in blob["state_dict"].items()}
    meta = {k: v for k, v in blob.items() if k != "state_dict"}
    return sd, meta


def sha256_file(path):
    """Hex SHA-256 of a file (what bundle manifests record), read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
