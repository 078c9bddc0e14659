"""Writes the tiny ONNX model the runtime's tests use (tests/Edge.Runtime.Tests/Fixtures/tiny-multilabel.onnx).

A seeded conv -> relu -> global average pool -> linear network with the default bundle's signature shape:
input `image` [1, 3, 32, 32] float32 (NCHW), output `logits` [1, 10]. Run with Debian's python3-torch:
    /usr/bin/python3 training/make_test_fixture.py
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


out = pathlib.Path(__file__).resolve().parent.parent / "tests/Edge.Runtime.Tests/Fixtures/tiny-multilabel.onnx"
torch.onnx.export(Tiny().eval(), torch.zeros(1, 3, 32, 32), str(out), input_names=["image"], output_names=["logits"], opset_version=13)
print(out, out.stat().st_size)
