"""Derives tests/Edge.Testing/Fixtures/tiny-multilabel-batch.onnx from tiny-multilabel.onnx (make_test_fixture.py):
the same graph and weights, with the first dimension of input `image` and output `logits` made the symbolic "N",
so tests can run batches through a bundle with `"batch": {"dynamic": true, ...}`; and tiny-multilabel-batch4.onnx,
the same with the first dimension fixed at 4 (which a manifest must refuse: a fixed batch axis is 1). Needs only the onnx package
(Debian's python3-onnx): /usr/bin/python3 training/make_batch_fixture.py
"""
import pathlib

import onnx

fixtures = pathlib.Path(__file__).resolve().parent.parent / "tests/Edge.Testing/Fixtures"


def derive(name, set_first):
    model = onnx.load(str(fixtures / "tiny-multilabel.onnx"))
    for value in list(model.graph.input) + list(model.graph.output):
        first = value.type.tensor_type.shape.dim[0]
        first.Clear()
        set_first(first)

    # Intermediate shapes were inferred for batch 1; drop them so nothing downstream still claims that batch.
    del model.graph.value_info[:]
    onnx.checker.check_model(model, full_check=True)
    out = fixtures / name
    onnx.save(model, str(out))
    print(out, out.stat().st_size)


derive("tiny-multilabel-batch.onnx", lambda dim: setattr(dim, "dim_param", "N"))
derive("tiny-multilabel-batch4.onnx", lambda dim: setattr(dim, "dim_value", 4))
