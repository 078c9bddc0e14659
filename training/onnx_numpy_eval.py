"""Tiny float64 NumPy interpreter for the handful of ONNX operators used by the CNTK ResNet-18 and by the
exported multi-label model (linear head: GlobalAveragePool/Flatten/Gemm; CSRA head: ReduceMean/ReduceMax/Mul/Add).
It is the last-resort reference when neither onnxruntime nor onnx.reference.ReferenceEvaluator (onnx >= 1.13) is
importable (e.g. Debian 12's python3-onnx 1.12).

It follows the ONNX operator specs directly (explicit begin/end pads, MaxPool ignoring pads, AveragePool
count_include_pad) and shares no code with the PyTorch model, so it is an independent check.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper
from numpy.lib.stride_tricks import sliding_window_view


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pad_spatial(x, pads, value):
    """pads in ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end] for the spatial dims of NCHW."""
    k = len(pads) // 2
    width = [(0, 0), (0, 0)] + [(int(pads[i]), int(pads[i + k])) for i in range(k)]
    return np.pad(x, width, mode="constant", constant_values=value)


def _windows(x, kernel, strides):
    w = sliding_window_view(x, tuple(kernel), axis=(2, 3))  # N,C,H',W',kh,kw
    return w[:, :, ::strides[0], ::strides[1]]


def _check_common(a, op):
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError(f"{op}: auto_pad {a['auto_pad']!r}")
    if a.get("ceil_mode", 0):
        raise NotImplementedError(f"{op}: ceil_mode")
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError(f"{op}: dilations")


def run(model: onnx.ModelProto, feeds: dict, outputs=None):
    """Evaluate `model` on `feeds` (name -> ndarray). Returns list of arrays for `outputs` (default graph outputs)."""
    g = model.graph
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) if numpy_helper.to_array(i).dtype.kind == "f"
           else numpy_helper.to_array(i) for i in g.initializer}
    for k, v in feeds.items():
        env[k] = np.asarray(v, dtype=np.float64)
    opset = max([o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] or [1])

    for n in g.node:
        a = _attrs(n)
        ins = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Conv":
            _check_common(a, op)
            if a.get("group", 1) != 1:
                raise NotImplementedError("Conv group != 1")
            x, w = ins[0], ins[1]
            kh, kw = w.shape[2:]
            pads = a.get("pads", [0, 0, 0, 0])
            strides = a.get("strides", [1, 1])
            win = _windows(_pad_spatial(x, pads, 0.0), (kh, kw), strides)  # N,C,Ho,Wo,kh,kw
            y = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # N,Ho,Wo,O
            y = y.transpose(0, 3, 1, 2)
            if len(ins) > 2 and ins[2] is not None:
                y = y + ins[2].reshape(1, -1, 1, 1)
            res = [y]
        elif op == "BatchNormalization":
            x, s, b, m, v = ins[:5]
            eps = a.get("epsilon", 1e-5)
            sh = (1, -1, 1, 1)
            res = [(x - m.reshape(sh)) / np.sqrt(v.reshape(sh) + eps) * s.reshape(sh) + b.reshape(sh)]
        elif op == "Relu":
            res = [np.maximum(ins[0], 0.0)]
        elif op == "Add":
            res = [ins[0] + ins[1]]
        elif op == "Sub":
            res = [ins[0] - ins[1]]
        elif op == "Mul":
            res = [ins[0] * ins[1]]
        elif op == "MaxPool":
            _check_common(a, op)
            if len(n.output) > 1 and n.output[1]:
                raise NotImplementedError("MaxPool indices")
            win = _windows(_pad_spatial(ins[0], a.get("pads", [0, 0, 0, 0]), -np.inf),
                           a["kernel_shape"], a.get("strides", [1, 1]))
            res = [win.max(axis=(4, 5))]
        elif op == "AveragePool":
            _check_common(a, op)
            pads = a.get("pads", [0, 0, 0, 0])
            k, st = a["kernel_shape"], a.get("strides", [1, 1])
            s = _windows(_pad_spatial(ins[0], pads, 0.0), k, st).sum(axis=(4, 5))
            if a.get("count_include_pad", 0):
                cnt = float(k[0] * k[1])
            else:
                ones = np.ones((1, 1) + ins[0].shape[2:])
                cnt = _windows(_pad_spatial(ones, pads, 0.0), k, st).sum(axis=(4, 5))
            res = [s / cnt]
        elif op == "GlobalAveragePool":
            res = [ins[0].mean(axis=(2, 3), keepdims=True)]
        elif op == "GlobalMaxPool":
            res = [ins[0].max(axis=(2, 3), keepdims=True)]
        elif op in ("ReduceMean", "ReduceMax", "ReduceSum"):
            # axes: attribute (ReduceMean/Max opset < 18, ReduceSum < 13) or optional second input (later opsets)
            axes = a.get("axes")
            if axes is None and len(ins) > 1 and ins[1] is not None and np.size(ins[1]):
                axes = [int(v) for v in np.asarray(ins[1]).ravel()]
            keep = bool(a.get("keepdims", 1))
            if not axes and a.get("noop_with_empty_axes", 0):
                res = [ins[0]]
            else:
                axes = tuple(int(v) % ins[0].ndim for v in (axes or range(ins[0].ndim)))
                fn = {"ReduceMean": np.mean, "ReduceMax": np.max, "ReduceSum": np.sum}[op]
                res = [fn(ins[0], axis=axes, keepdims=keep)]
        elif op == "Pad":
            mode = a.get("mode", b"constant")
            if mode not in (b"constant", "constant"):
                raise NotImplementedError(f"Pad mode {mode!r}")
            if opset >= 11:
                pads = [int(p) for p in ins[1]]
                value = float(ins[2]) if len(ins) > 2 and ins[2] is not None and np.size(ins[2]) else 0.0
            else:
                pads, value = a["pads"], a.get("value", 0.0)
            r = ins[0].ndim
            res = [np.pad(ins[0], [(pads[i], pads[i + r]) for i in range(r)], mode="constant",
                          constant_values=value)]
        elif op == "Flatten":
            ax = a.get("axis", 1)
            x = ins[0]
            res = [x.reshape(int(np.prod(x.shape[:ax])), -1)]
        elif op == "Reshape":
            shape = [int(s) for s in ins[1]]
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            res = [ins[0].reshape(shape)]
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
            res = [y]
        elif op == "MatMul":
            res = [ins[0] @ ins[1]]
        elif op == "Identity":
            res = [ins[0]]
        elif op == "Constant":
            t = numpy_helper.to_array(a["value"])
            res = [t.astype(np.float64) if t.dtype.kind == "f" else t]
        elif op == "Split":
            axis = a.get("axis", 0)
            split = a.get("split") or ([int(s) for s in ins[1]] if len(ins) > 1 and ins[1] is not None else None)
            if split is None:
                res = np.split(ins[0], len(n.output), axis=axis)
            else:
                res = np.split(ins[0], np.cumsum(split)[:-1], axis=axis)
        elif op == "Concat":
            res = [np.concatenate(ins, axis=a["axis"])]
        else:
            raise NotImplementedError(f"operator {op} not supported by onnx_numpy_eval")
        for name, val in zip(n.output, res):
            env[name] = val
    outputs = outputs or [o.name for o in g.output]
    return [env[o] for o in outputs]
