"""Start a MultiLabelNet from an existing model bundle (`--init-bundle DIR`) instead of the ported ImageNet backbone.

Our own exports fold every BatchNorm into its Conv (weight + bias), so the bundle's model.onnx holds one Conv per
PyTorch ConvBN (plus the head's Conv for CSRA, or a Gemm for the linear head). The Conv nodes appear in the graph in
the order the PyTorch forward pass runs them (a block's projection before its first 3x3 conv), which this module
records with forward pre-hooks and pairs one to one, checking shape, stride and leading pads of every pair.

Each BatchNorm becomes an exact per-channel scale plus the folded bias: weight = the channel's scale s (see below),
bias = folded conv bias, running_mean 0, running_var = 1 - eps, so (x - 0) / sqrt(1 - eps + eps) * s + b = s x + b, and the
conv holds the folded weight divided by s. s is the channel's RMS weight over the Kaiming scale sqrt(2 / fan_in): folding
gave every channel its own scale, and Adam's steps ignore scale, so with weight 1 a fine-tune at lr 2e-4 dropped val
mAP from 97.6 to 89.8 in 6 steps (small channels moved far); with the scale restored it stayed at 97.6. Those statistics mean nothing for a fresh
batch, so the trainer keeps every BatchNorm in eval mode (frozen statistics; its affine parameters still train).
Exporting again folds the same BatchNorms back into the Conv weights and biases.

The load is verified: two seeded images through PyTorch and through the ONNX graph (onnxruntime, else
onnx.reference, else onnx_numpy_eval.py) must agree to max relative error (max|diff| / max|ref|) <= 1e-4 on logits.
"""
from __future__ import annotations

import json
import os

import numpy as np
import torch
import torch.nn as nn

from resnet_cntk import ConvBN, MultiLabelNet, sha256_file

TOLERANCE = 1e-4


class BundleInitError(Exception):
    """A bundle that cannot seed a MultiLabelNet; the message is one line naming what was wrong."""


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def read_bundle(directory):
    """(manifest dict, onnx ModelProto, model path) of a bundle folder; BundleInitError on anything missing."""
    import onnx
    manifest_path = os.path.join(directory, "manifest.json")
    if not os.path.isfile(manifest_path):
        raise BundleInitError(f"--init-bundle {directory}: no manifest.json (expected a model bundle folder)")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    model_path = os.path.join(directory, manifest.get("model_file", "model.onnx"))
    if not os.path.isfile(model_path):
        raise BundleInitError(f"--init-bundle {directory}: {os.path.basename(model_path)} not found")
    inp = manifest.get("input", {})
    if (inp.get("layout") != "nchw" or inp.get("color_order") != "bgr" or float(inp.get("scale", 0)) != 1.0
            or any(float(s) != 1.0 for s in inp.get("std", [0]))):
        raise BundleInitError(f"--init-bundle {directory}: input contract {inp} is not this trainer's (nchw, bgr, "
                              "scale 1, std 1, mean subtracted)")
    return manifest, onnx.load(model_path), model_path


def _initializers(graph):
    from onnx import numpy_helper
    return {i.name: numpy_helper.to_array(i) for i in graph.initializer}


def _csra_lambda(graph, inits):
    """The constant the head multiplies the spatial max with (Mul(ReduceMax(maps), lambda)), or None."""
    from onnx import numpy_helper
    constants = dict(inits)
    for n in graph.node:
        if n.op_type == "Constant":
            constants[n.output[0]] = numpy_helper.to_array(_attrs(n)["value"])
    max_outputs = {n.output[0] for n in graph.node if n.op_type == "ReduceMax"}
    for n in graph.node:
        if n.op_type == "Mul" and len(n.input) == 2 and any(i in max_outputs for i in n.input):
            other = n.input[1] if n.input[0] in max_outputs else n.input[0]
            if other in constants and np.size(constants[other]) == 1:
                # float32 in the graph; rounded so 0.2 stays 0.2 in the model card and the next export
                return round(float(np.asarray(constants[other]).ravel()[0]), 6)
    return None


def describe_bundle(directory):
    """What the trainer needs before building the model: labels, head, csra lambda, mean, size, provenance."""
    manifest, model, path = read_bundle(directory)
    g = model.graph
    ops = [n.op_type for n in g.node]
    if "BatchNormalization" in ops:
        raise BundleInitError(f"--init-bundle {directory}: model.onnx has unfolded BatchNormalization nodes "
                              "(expected this trainer's export: BatchNorm folded into Conv weight + bias)")
    labels = [lab["name"] for lab in manifest.get("labels", [])]
    if not labels:
        raise BundleInitError(f"--init-bundle {directory}: manifest.json lists no labels")
    if "Gemm" in ops:
        head, lam = "linear", None
    elif "ReduceMax" in ops:
        head = "csra"
        lam = _csra_lambda(g, _initializers(g))
        if lam is None:
            raise BundleInitError(f"--init-bundle {directory}: CSRA head without a constant Mul(ReduceMax, lambda)")
    else:
        raise BundleInitError(f"--init-bundle {directory}: head not recognised (expected Gemm for linear or "
                              f"ReduceMean/ReduceMax/Mul/Add for csra; ops {sorted(set(ops))})")
    return {"directory": directory, "model": model, "manifest": manifest, "labels": labels, "head": head,
            "csra_lambda": lam,
            "mean_bgr": [float(np.float32(v)) for v in manifest["input"]["mean"]],
            "size": int(manifest["input"].get("width", 224)), "onnx_path": path, "sha256": sha256_file(path)}


def forward_conv_order(model: MultiLabelNet, size: int):
    """The backbone's ConvBN modules in the order a forward pass at size x size runs them (the exported graph's
    Conv order), followed by the CSRA head's conv when there is one."""
    order = []
    hooks = [m.register_forward_pre_hook(lambda mod, _inp: order.append(mod))
             for m in model.backbone.modules() if isinstance(m, ConvBN)]
    try:
        with torch.no_grad():
            was_training = model.training
            model.eval()
            model.backbone(torch.zeros(1, 3, size, size))
            model.train(was_training)
    finally:
        for h in hooks:
            h.remove()
    return order


def load_bundle_weights(model: MultiLabelNet, info, size: int):
    """Copy the folded Conv weights/biases of the bundle `info` (describe_bundle) into `model` (BatchNorms become
    identity + bias); BundleInitError when the graph does not match the model."""
    directory = info["directory"]
    g = info["model"].graph
    inits = _initializers(g)
    convs = [n for n in g.node if n.op_type == "Conv"]
    modules = forward_conv_order(model, size)
    expected = len(modules) + (1 if model.head_kind == "csra" else 0)
    if len(convs) != expected:
        raise BundleInitError(f"--init-bundle {directory}: model.onnx has {len(convs)} Conv nodes, this network has "
                              f"{expected} convolutions")
    with torch.no_grad():
        for k, (node, mod) in enumerate(zip(convs, modules)):
            w = inits.get(node.input[1])
            b = inits.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None
            a = _attrs(node)
            conv = mod.conv
            want = tuple(conv.weight.shape)
            if w is None or tuple(w.shape) != want:
                raise BundleInitError(f"--init-bundle {directory}: Conv #{k} ({node.name}) weight "
                                      f"{None if w is None else list(w.shape)}, expected {list(want)}")
            if list(a.get("strides", [1, 1])) != list(conv.stride) or \
                    list(a.get("pads", [0, 0, 0, 0]))[:2] != list(mod.pads[:2]):
                raise BundleInitError(f"--init-bundle {directory}: Conv #{k} ({node.name}) strides "
                                      f"{a.get('strides')} pads {a.get('pads')}, expected strides "
                                      f"{list(conv.stride)} and leading pads {list(mod.pads[:2])}")
            weight = torch.from_numpy(np.array(w, np.float32))
            # Folding BatchNorm gave every output channel its own scale; Adam's steps ignore scale, so a fine-tune of
            # the folded weights would move small channels far more than large ones. Put the scale back into the
            # BatchNorm weight and give the conv the scale of a Kaiming initialisation, as in the original training.
            fan_in = weight[0].numel()
            rms = weight.flatten(1).pow(2).mean(1).sqrt().clamp_min(1e-12)
            kaiming = (2.0 / fan_in) ** 0.5
            conv.weight.copy_(weight / rms.view(-1, 1, 1, 1) * kaiming)
            bias = np.zeros(want[0], np.float32) if b is None else np.array(b, np.float32)
            mod.bn.weight.copy_(rms / kaiming)
            mod.bn.bias.copy_(torch.from_numpy(bias))
            mod.bn.running_mean.zero_()
            mod.bn.running_var.fill_(1.0 - mod.bn.eps)
            mod.bn.num_batches_tracked.zero_()
        if model.head_kind == "csra":
            node = convs[-1]
            w, b = inits.get(node.input[1]), inits.get(node.input[2]) if len(node.input) > 2 else None
            hw, hb = model.head_weight_bias()
            if w is None or tuple(w.shape) != tuple(hw.shape) or b is None or tuple(b.shape) != tuple(hb.shape):
                raise BundleInitError(f"--init-bundle {directory}: head Conv weight "
                                      f"{None if w is None else list(w.shape)}, expected {list(hw.shape)} with bias")
            hw.copy_(torch.from_numpy(np.array(w, np.float32)))
            hb.copy_(torch.from_numpy(np.array(b, np.float32)))
        else:
            gemm = [n for n in g.node if n.op_type == "Gemm"][0]
            a = _attrs(gemm)
            w, b = inits.get(gemm.input[1]), inits.get(gemm.input[2]) if len(gemm.input) > 2 else None
            if w is not None and not a.get("transB", 0):
                w = np.asarray(w).T
            hw, hb = model.head_weight_bias()
            if w is None or tuple(w.shape) != tuple(hw.shape) or b is None or tuple(b.shape) != tuple(hb.shape) \
                    or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0):
                raise BundleInitError(f"--init-bundle {directory}: head Gemm does not match Linear"
                                      f"({hw.shape[1]}, {hw.shape[0]})")
            hw.copy_(torch.from_numpy(np.array(w, np.float32)))
            hb.copy_(torch.from_numpy(np.array(b, np.float32)))


def freeze_batchnorm(model: nn.Module):
    """Put every BatchNorm in eval mode (running statistics fixed); call after each model.train()."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def reference_logits(onnx_path, x, proto=None):
    """Logits of the ONNX file (already loaded: proto) on x (float32 NCHW): onnxruntime, else onnx.reference, else
    onnx_numpy_eval."""
    import onnx
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        return sess.run(["logits"], {"image": x.astype(np.float32)})[0], f"onnxruntime {ort.__version__}"
    except ImportError:
        pass
    m = proto if proto is not None else onnx.load(onnx_path)
    try:
        from onnx.reference import ReferenceEvaluator
        return ReferenceEvaluator(m).run(["logits"], {"image": x.astype(np.float32)})[0], \
            f"onnx.reference (onnx {onnx.__version__})"
    except ImportError:
        import onnx_numpy_eval
        return onnx_numpy_eval.run(m, {"image": x}, ["logits"])[0], "onnx_numpy_eval (float64)"


def verify_load(model: MultiLabelNet, info, seed=0, images=2):
    """Two seeded uint8 images (preprocessed like the runtime) through PyTorch (eval, fp32, CPU) and through the
    bundle's ONNX. Returns (max relative error, evaluator name); the caller fails above TOLERANCE."""
    size = info["size"]
    rng = np.random.default_rng(seed)
    u8 = rng.integers(0, 256, size=(images, 3, size, size)).astype(np.float32)
    x = u8 - np.asarray(info["mean_bgr"], np.float32).reshape(1, 3, 1, 1)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        mine = model.float().cpu()(torch.from_numpy(x)).numpy()
    model.train(was_training)
    ref, name = reference_logits(info["onnx_path"], x, info.get("model"))
    ref = np.asarray(ref, np.float64)
    rel = float(np.abs(mine - ref).max() / max(float(np.abs(ref).max()), 1e-12))
    return rel, name
