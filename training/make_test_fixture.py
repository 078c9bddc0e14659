"""Writes the ONNX models the runtime's tests use, in tests/Edge.Testing/Fixtures/.

tiny-multilabel.onnx: a seeded conv -> relu -> global average pool -> linear network with the default bundle's signature shape:
input `image` [1, 3, 32, 32] float32 (NCHW), output `logits` [1, 10]. Run with Debian's python3-torch:
    /usr/bin/python3 training/make_test_fixture.py
slow-multilabel.onnx: the same signature, slow on purpose (budget and cancellation tests).
"""
import pathlib

import torch

torch.manual_seed(7)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.head = torch.nn.Linear(8, 10)

    def forward(self, image):
        x = torch.relu(self.conv(image / 255.0))
        return self.head(x.mean(dim=(2, 3)))


out = pathlib.Path(__file__).resolve().parent.parent / "tests/Edge.Testing/Fixtures/tiny-multilabel.onnx"
torch.onnx.export(Tiny().eval(), torch.zeros(1, 3, 32, 32), str(out), input_names=["image"], output_names=["logits"], opset_version=13)
print(out, out.stat().st_size)


class Slow(torch.nn.Module):
    """Same signature, but about a hundred small convolutions that share one weight: a run lasts long enough for a
    deadline to cancel it between nodes, and the file stays a few kilobytes."""

    def __init__(self, depth=120):
        super().__init__()
        self.depth = depth
        self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.body = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.head = torch.nn.Linear(16, 10)

    def forward(self, image):
        x = torch.nn.functional.interpolate(self.stem(image / 255.0), scale_factor=3.0, mode="nearest")
        for _ in range(self.depth):
            x = torch.sigmoid(self.body(x))
        return self.head(x.mean(dim=(2, 3)))


slow = out.with_name("slow-multilabel.onnx")
torch.onnx.export(Slow().eval(), torch.zeros(1, 3, 32, 32), str(slow), input_names=["image"], output_names=["logits"], opset_version=13)
print(slow, slow.stat().st_size)
