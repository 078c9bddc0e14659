#!/usr/bin/env python3
"""Port the CNTK ResNet-18 ONNX (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) to PyTorch and verify it.

    python3 port_resnet18.py --onnx .../ResNet18Onnx/ResNet18.onnx \
        --preprocess .../ResNetPrepOnnx/ResNetPreprocess.onnx --out ported.pt [--half]

* Maps every Conv (with the BatchNormalization that follows it) to the [2,2,2,3] network of resnet_cntk.py by
  FOLLOWING THE GRAPH: each residual Add identifies one block; of its two inputs, the BN of a 1x1 conv is the
  projection ("down"), the other BN is the block's 2nd conv, whose ReLU input leads to the block's 1st conv.
  Kernel/stride/pads of each conv are checked against the PyTorch module.
* Extracts the per-channel (B, G, R) means of the MeanImage in ResNetPreprocess.onnx.
* Verifies: a seeded random input goes through PyTorch and through the ONNX graph (onnxruntime, else
  onnx.reference.ReferenceEvaluator, else the bundled float64 NumPy interpreter) up to the last ReLU (1x512x7x7)
  and the pooled output (1x512x1x1); exits 1 if max relative error (max|diff| / max|ref|) > 1e-4.
* Saves {"state_dict", "mean_bgr", "source_sha256", ...}; --half stores the weights as float16 (BN running
  statistics stay float32: the stem running_var exceeds the float16 range).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_cntk import ResNetCNTK, BN_EPS, sha256_file  # noqa: E402

TOL = 1e-4
LAST_RELU = "ReLU393_Output_0"
POOLED = "Pooling395_Output_0"


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def map_graph(model):
    """Returns (stem_pair, [block dicts]) where pairs are (conv_node, bn_node), blocks in topological order."""
    g = model.graph
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    inits = {i.name for i in g.initializer}
    graph_input = [i.name for i in g.input if i.name not in inits][0]

    bn_of = {}
    for n in g.node:
        if n.op_type == "Conv":
            cons = consumers.get(n.output[0], [])
            if len(cons) != 1 or cons[0].op_type != "BatchNormalization":
                raise SystemExit(f"Conv {n.output[0]} is not followed by exactly one BatchNormalization")
            bn_of[n.output[0]] = cons[0]
    convs = [n for n in g.node if n.op_type == "Conv"]

    def conv_of_bn_output(name):
        bn = producer[name]
        if bn.op_type != "BatchNormalization":
            return None
        conv = producer[bn.input[0]]
        assert conv.op_type == "Conv"
        return conv

    def ksize(conv):
        return tuple(attrs(conv)["kernel_shape"])

    stem = convs[0]
    if stem.input[0] != graph_input:
        raise SystemExit("first Conv does not read the graph input")

    blocks = []
    used = {stem.output[0]}
    for add in [n for n in g.node if n.op_type == "Add"]:
        c2 = down = None
        identity = None
        for inp in add.input:
            conv = conv_of_bn_output(inp)
            if conv is None:
                identity = inp
            elif ksize(conv) == (1, 1):
                down = conv
            else:
                c2 = conv
        if c2 is None or (down is None) == (identity is None):
            raise SystemExit(f"cannot identify the residual block of {add.output[0]}")
        relu = producer[c2.input[0]]
        assert relu.op_type == "Relu", relu.op_type
        c1 = conv_of_bn_output(relu.input[0])
        block_in = c1.input[0]
        if down is not None and down.input[0] != block_in:
            raise SystemExit(f"projection of {add.output[0]} reads {down.input[0]}, block input is {block_in}")
        if identity is not None and identity != block_in:
            raise SystemExit(f"identity of {add.output[0]} is {identity}, block input is {block_in}")
        blk = {"c1": c1, "c2": c2, "down": down, "add": add}
        for c in (c1, c2, down):
            if c is not None:
                if c.output[0] in used:
                    raise SystemExit(f"conv {c.output[0]} mapped twice")
                used.add(c.output[0])
        blocks.append(blk)
    if len(used) != len(convs):
        raise SystemExit(f"mapped {len(used)} of {len(convs)} convolutions")
    pair = lambda c: None if c is None else (c, bn_of[c.output[0]])  # noqa: E731
    return pair(stem), [{k: (pair(v) if k != "add" else v) for k, v in b.items()} for b in blocks]


def copy_pair(mod, pair, inits, role, log):
    conv, bn = pair
    a = attrs(conv)
    w = inits[conv.input[1]]
    if len(conv.input) > 2 and conv.input[2]:
        raise SystemExit(f"{role}: conv has a bias, not supported")
    if tuple(w.shape) != tuple(mod.conv.weight.shape):
        raise SystemExit(f"{role}: weight {w.shape} vs module {tuple(mod.conv.weight.shape)}")
    if tuple(a.get("strides", [1, 1])) != tuple(mod.conv.stride):
        raise SystemExit(f"{role}: strides {a.get('strides')} vs {mod.conv.stride}")
    if tuple(a.get("pads", [0, 0, 0, 0])) != tuple(mod.pads):
        raise SystemExit(f"{role}: pads {a.get('pads')} vs module {mod.pads}")
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise SystemExit(f"{role}: group/dilation not supported")
    ba = attrs(bn)
    if abs(ba.get("epsilon", 1e-5) - BN_EPS) > 1e-9 or ba.get("spatial", 1) != 1:
        raise SystemExit(f"{role}: unexpected BN attributes {ba}")
    scale, bias, mean, var = (inits[i] for i in bn.input[1:5])
    with torch.no_grad():
        mod.conv.weight.copy_(torch.from_numpy(w.astype(np.float32)))
        mod.bn.weight.copy_(torch.from_numpy(scale.astype(np.float32)))
        mod.bn.bias.copy_(torch.from_numpy(bias.astype(np.float32)))
        mod.bn.running_mean.copy_(torch.from_numpy(mean.astype(np.float32)))
        mod.bn.running_var.copy_(torch.from_numpy(var.astype(np.float32)))
    log.append(f"  {role:<12} <- {conv.output[0]:<26} {str(tuple(w.shape)):<18} "
               f"stride {a.get('strides')} pads {a.get('pads')} + {bn.output[0]}")


def extract_mean_bgr(path):
    m = onnx.load(path)
    g = m.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    subs = [n for n in g.node if n.op_type == "Sub" and n.input[1] in inits]
    if len(subs) != 1:
        raise SystemExit("ResNetPreprocess.onnx: expected exactly one Sub with a constant mean image")
    mean_img = inits[subs[0].input[1]].astype(np.float64)
    # check channel order: Split(RGB input) -> Concat(B, G, R) -> Sub(mean image)
    split = [n for n in g.node if n.op_type == "Split"]
    concat = [n for n in g.node if n.op_type == "Concat"]
    order = None
    if split and concat:
        order = [list(split[0].output).index(i) for i in concat[0].input]
        if concat[0].output[0] != subs[0].input[0]:
            raise SystemExit("ResNetPreprocess.onnx: Sub does not consume the Concat output")
        if order != [2, 1, 0]:
            raise SystemExit(f"ResNetPreprocess.onnx: unexpected channel permutation {order}")
    means = mean_img.reshape(mean_img.shape[-3], -1).mean(axis=1) if mean_img.ndim >= 3 else mean_img
    return [float(np.float32(v)) for v in means], order, mean_img.shape


def reference_outputs(model, x, evaluator):
    """Run the ONNX graph on x; returns ({LAST_RELU: arr, POOLED: arr}, evaluator name)."""
    outs = [LAST_RELU, POOLED]
    inp = [i.name for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}][0]
    m2 = onnx.ModelProto()
    m2.CopyFrom(model)
    if LAST_RELU not in [o.name for o in m2.graph.output]:
        m2.graph.output.append(onnx.helper.make_tensor_value_info(LAST_RELU, onnx.TensorProto.FLOAT, None))
    errors = []
    if evaluator in ("auto", "ort"):
        try:
            import onnxruntime as ort
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            sess = ort.InferenceSession(m2.SerializeToString(), so, providers=["CPUExecutionProvider"])
            r = sess.run(outs, {inp: x.astype(np.float32)})
            return dict(zip(outs, r)), f"onnxruntime {ort.__version__}"
        except Exception as e:  # noqa: BLE001
            errors.append(f"onnxruntime: {e!r}"[:300])
            if evaluator == "ort":
                raise
    if evaluator in ("auto", "reference"):
        try:
            from onnx.reference import ReferenceEvaluator
            r = ReferenceEvaluator(m2).run(outs, {inp: x.astype(np.float32)})
            return dict(zip(outs, r)), f"onnx.reference.ReferenceEvaluator (onnx {onnx.__version__})"
        except Exception as e:  # noqa: BLE001
            errors.append(f"onnx.reference: {e!r}"[:300])
            if evaluator == "reference":
                raise
    for e in errors:
        print(f"  (evaluator unavailable: {e})")
    import onnx_numpy_eval
    r = onnx_numpy_eval.run(m2, {inp: x}, outs)
    return dict(zip(outs, r)), "onnx_numpy_eval (bundled float64 NumPy interpreter)"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", required=True, help="ResNet18.onnx from the NuGet package")
    ap.add_argument("--preprocess", required=True, help="ResNetPreprocess.onnx (mean image)")
    ap.add_argument("--out", required=True, help="output .pt")
    ap.add_argument("--half", action="store_true", help="store weights as float16 (BN running stats stay float32)")
    ap.add_argument("--evaluator", default="auto", choices=["auto", "ort", "reference", "numpy"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.time()
    src_sha = sha256_file(args.onnx)
    model = onnx.load(args.onnx)
    g = model.graph
    print(f"source: {args.onnx}\n  sha256 {src_sha}, IR {model.ir_version}, opset "
          f"{[o.version for o in model.opset_import]}, producer {model.producer_name}, "
          f"{sum(n.op_type == 'Conv' for n in g.node)} Conv / {sum(n.op_type == 'BatchNormalization' for n in g.node)} BN")
    out_names = [o.name for o in g.output]
    if POOLED not in out_names:
        raise SystemExit(f"expected graph output {POOLED}, got {out_names}")
    tail = [n for n in g.node if n.output[0] == POOLED][0]
    if tail.op_type != "AveragePool" or tail.input[0] != LAST_RELU:
        raise SystemExit(f"unexpected graph tail: {tail.op_type}({list(tail.input)})")

    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    stem, blocks = map_graph(model)
    net = ResNetCNTK().eval()
    torch_blocks = [blk for stage in net.stages for blk in stage]
    if len(blocks) != len(torch_blocks):
        raise SystemExit(f"graph has {len(blocks)} residual blocks, model has {len(torch_blocks)}")
    log = []
    copy_pair(net.stem, stem, inits, "stem", log)
    names = [f"s{i}b{j}" for i, stage in enumerate(net.stages) for j in range(len(stage))]
    for name, gb, tb in zip(names, blocks, torch_blocks):
        if (gb["down"] is None) != (tb.down is None):
            raise SystemExit(f"{name}: projection presence differs between graph and model")
        if gb["down"] is not None:
            copy_pair(tb.down, gb["down"], inits, f"{name}.down", log)
        copy_pair(tb.c1, gb["c1"], inits, f"{name}.c1", log)
        copy_pair(tb.c2, gb["c2"], inits, f"{name}.c2", log)
    print("weight mapping (graph order):")
    print("\n".join(log))
    nparams = sum(p.numel() for p in net.parameters())
    print(f"  {len(log)} conv+bn pairs, {nparams:,} parameters")

    mean_bgr, order, mshape = extract_mean_bgr(args.preprocess)
    print(f"mean image {tuple(mshape)}, channel permutation RGB->{order} (BGR); per-channel mean B,G,R = "
          f"{[round(v, 4) for v in mean_bgr]}")

    # ---- verification ----
    rng = np.random.default_rng(args.seed)
    x = rng.uniform(0.0, 255.0, size=(1, 3, 224, 224))
    x = (x - np.array(mean_bgr).reshape(1, 3, 1, 1)).astype(np.float32)
    with torch.no_grad():
        fmap = net(torch.from_numpy(x)).double().numpy()
    pooled = fmap.mean(axis=(2, 3), keepdims=True)
    t1 = time.time()
    ref, used = reference_outputs(model, x.astype(np.float64) if args.evaluator == "numpy" else x, args.evaluator)
    print(f"reference: {used} ({time.time() - t1:.1f}s)")
    worst = 0.0
    for name, mine in ((LAST_RELU, fmap), (POOLED, pooled)):
        r = np.asarray(ref[name], dtype=np.float64)
        if r.shape != mine.shape:
            raise SystemExit(f"{name}: shape {r.shape} vs PyTorch {mine.shape}")
        diff = float(np.abs(r - mine).max())
        rel = diff / max(float(np.abs(r).max()), 1e-12)
        worst = max(worst, rel)
        print(f"  {name:<22} {str(r.shape):<18} max|ref| {np.abs(r).max():9.4f}  max|diff| {diff:.3e}  "
              f"max rel err {rel:.3e}")
    # The graph's input is fixed at 224x224, where (all sizes even) the asymmetric pads give the same result as
    # symmetric ones. Also check a 227x227 input (odd stem input and odd 113x113 max-pool input) with the
    # size-agnostic NumPy interpreter, so a symmetric-vs-asymmetric pad mistake cannot hide. (Odd maps at the
    # stride-2 stage transitions are invalid for this architecture itself: the 3x3/2 [1,1,0,0] conv and the 1x1/2
    # projection then disagree in size, in ONNX too; use sizes that are multiples of 32.)
    import onnx_numpy_eval
    xo = rng.uniform(0.0, 255.0, size=(1, 3, 227, 227)) - np.array(mean_bgr).reshape(1, 3, 1, 1)
    with torch.no_grad():
        fo = net(torch.from_numpy(xo.astype(np.float32))).double().numpy()
    ro = onnx_numpy_eval.run(model, {[i.name for i in g.input if i.name not in inits][0]: xo.astype(np.float32)},
                             [LAST_RELU])[0]
    if ro.shape != fo.shape:
        print(f"odd-size check: shape {ro.shape} vs PyTorch {fo.shape} -> FAIL")
        sys.exit(1)
    rel = float(np.abs(ro - fo).max() / np.abs(ro).max())
    worst = max(worst, rel)
    print(f"  {LAST_RELU:<22} {str(ro.shape):<18} (227x227 input, NumPy interpreter)  max rel err {rel:.3e}")
    ok = worst <= TOL
    print(f"port verification: max relative error {worst:.3e} (tolerance {TOL:g}) -> {'OK' if ok else 'FAIL'}")
    if not ok:
        sys.exit(1)

    sd = net.state_dict()
    if args.half:
        # BN running statistics stay float32: with 0..255 inputs the stem's running_var exceeds the float16 range
        # (max 65504 -> inf). They are tiny; the conv weights (the bulk) go to float16.
        def to_half(k, v):
            if not v.is_floating_point() or k.endswith(("running_mean", "running_var")):
                return v
            h = v.half()
            return h if torch.isfinite(h).all() else v
        sd = {k: to_half(k, v) for k, v in sd.items()}
        # informational: effect of fp16 storage on the features
        net16 = ResNetCNTK().eval()
        net16.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()})
        with torch.no_grad():
            f16 = net16(torch.from_numpy(x)).double().numpy().mean(axis=(2, 3), keepdims=True)
        r = np.asarray(ref[POOLED], dtype=np.float64)
        print(f"  (fp16-stored weights: pooled max rel err {np.abs(f16 - r).max() / np.abs(r).max():.3e}, "
              f"informational; fine-tuning starts from these)")
    blob = {
        "state_dict": sd,
        "mean_bgr": mean_bgr,
        "source_sha256": src_sha,
        "preprocess_sha256": sha256_file(args.preprocess),
        "source": "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 ResNet18.onnx (CNTK export, ImageNet, MIT)",
        "arch": "resnet_cntk BasicBlock [2,2,2,3], asymmetric stride-2 pads",
        "dtype": "float16 (BN running stats float32)" if args.half else "float32",
        "verification": {"evaluator": used, "max_rel_err": worst, "tolerance": TOL, "seed": args.seed},
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(blob, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 2**20:.1f} MiB, {blob['dtype']}) in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
