#!/usr/bin/env python3
"""Fine-tune the ported CNTK ResNet-18 into a multi-label classifier and export the bundle: the 10-label MultiFashion
model by default, or any label set with --labels auto (labels = sorted union of the train CSV's labels).

    python3 train_multilabel.py --train DIR --val DIR --test DIR [--ood DIR] --init ported.pt --out OUT \
        [--head csra --csra-lambda 0.2 --size 224 --epochs 10 --batch 128 --lr 1e-3 --seed 0 --device auto
         --workers 16 --loss asl]

Writes OUT/model.onnx (input "image" [N,3,size,size], output "logits" [N,L] (L labels); with --head csra also
"class_maps" [N,L,size/32,size/32]), OUT/manifest.json (edge-model-bundle/1), OUT/training-log.json and
OUT/metrics.json (everything, incl. details the manifest omits) and OUT/README.md (model card). --ood DIR: an out-of-distribution slice evaluated
like the test split (provenance.metrics_ood, provenance.metrics.ood_gap_mAP).

Preprocessing = the C# runtime contract: RGB PNG -> stretch-resize to size x size (bilinear; no-op at that size)
-> BGR -> float32 0..255 -> minus per-channel mean_bgr (from --init) -> NCHW. No std division.
Runs on torch 1.13 (CPU) and torch 2.x (CUDA: bf16 autocast, channels_last). No torchvision needed.
"""
from __future__ import annotations

import argparse
import copy
import csv
import inspect
import json
import math
import multiprocessing as mp
import os
import platform
import random
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_cntk import HEADS, LABELS, MultiLabelNet, WithMaps, load_ported, sha256_file  # noqa: E402

THRESHOLD_GRID = np.round(np.arange(0.05, 0.95 + 1e-9, 0.01), 2)
OFF_DELTA, OFF_MIN = 0.15, 0.02


# ----------------------------------------------------------------------------------------------------------- data
def labels_csv_path(location):
    """A split is a folder holding labels.csv or the CSV file itself."""
    return location if os.path.isfile(location) else os.path.join(location, "labels.csv")


def read_rows(location, limit=None):
    """labels.csv (header 'image,labels', labels ';'-separated) -> (csv path, image paths, per-row label-name lists).
    Image paths may be absolute (as `edge dataset convert` writes them) or relative to the CSV's folder."""
    path = labels_csv_path(location)
    if not os.path.isfile(path):
        raise SystemExit(f"{path}: not found (expected a folder with labels.csv, or the CSV itself)")
    base = os.path.dirname(os.path.abspath(path))
    paths, names = [], []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["image", "labels"]:
            raise SystemExit(f"{path}: expected header 'image,labels', got {header}")
        for line_no, row in enumerate(reader, start=2):
            if not row or not row[0].strip():
                continue
            row_names = []
            for name in (row[1] if len(row) > 1 else "").split(";"):
                name = name.strip()
                if name and name not in row_names:
                    row_names.append(name)
            paths.append(os.path.join(base, row[0].strip()))  # join keeps an absolute path as it is
            names.append((line_no, row_names))
            if limit and len(paths) >= limit:
                break
    if not paths:
        raise SystemExit(f"{path}: no rows")
    return path, paths, names


def ordinal_sorted(names):
    """Sorted like C#'s StringComparer.Ordinal (UTF-16 code units), so Python and the runtime agree on the order."""
    return sorted(set(names), key=lambda n: n.encode("utf-16-be"))


def to_targets(csv_path, rows, labels, split):
    index = {n: i for i, n in enumerate(labels)}
    y = np.zeros((len(rows), len(labels)), np.float32)
    for r, (line_no, row_names) in enumerate(rows):
        for name in row_names:
            if name not in index:
                hint = ("labels come from the train split (--labels auto); this label has no train example"
                        if split != "train" else f"not one of the {len(labels)} labels {labels}")
                raise SystemExit(f"{csv_path}:{line_no}: unknown label '{name}' in the {split} split: {hint}")
            y[r, index[name]] = 1.0
    return y


def _decode(job):
    """Image file -> uint8 HxWx3 in BGR order, stretched to size x size with bilinear filtering if needed.
    Any mode becomes RGB as the runtime's OpenCV imread(IMREAD_COLOR) does: grey replicated, alpha dropped (not
    composited), palette expanded, 16-bit scaled to 8-bit, JPEG EXIF orientation applied."""
    from PIL import Image, ImageOps
    path, size = job
    try:
        im = Image.open(path)
    except (OSError, ValueError) as e:
        raise SystemExit(f"cannot read image {path}: {e}")
    with im:
        im = ImageOps.exif_transpose(im)
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: keep the high byte, like OpenCV
            im = Image.fromarray((np.asarray(im, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8), "L")
        im = im.convert("RGB")
        if im.size != (size, size):
            resample = getattr(Image, "Resampling", Image).BILINEAR
            im = im.resize((size, size), resample)
        return np.ascontiguousarray(np.asarray(im, dtype=np.uint8)[:, :, ::-1])


def load_images(paths, size, workers):
    out = np.empty((len(paths), size, size, 3), np.uint8)
    jobs = [(p, size) for p in paths]
    if workers > 1 and len(paths) > 64:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        with ctx.Pool(workers) as pool:
            for i, a in enumerate(pool.imap(_decode, jobs, chunksize=64)):
                out[i] = a
    else:
        for i, j in enumerate(jobs):
            out[i] = _decode(j)
    return out


# ---------------------------------------------------------------------------------------------------------- losses
class AsymmetricLoss(nn.Module):
    """ASL (Ridnik et al., ICCV 2021): focusing gamma_neg on negatives, gamma_pos on positives, probability
    shifting `clip` on negatives. Sum over labels, mean over the batch. Expects float32 logits."""

    def __init__(self, gamma_neg=4.0, gamma_pos=0.0, clip=0.05, eps=1e-8):
        super().__init__()
        self.gamma_neg, self.gamma_pos, self.clip, self.eps = gamma_neg, gamma_pos, clip, eps

    def forward(self, logits, y):
        p = torch.sigmoid(logits)
        p_neg = 1.0 - p
        if self.clip > 0:
            p_neg = (p_neg + self.clip).clamp(max=1.0)
        loss = y * F.logsigmoid(logits) + (1.0 - y) * torch.log(p_neg.clamp(min=self.eps))
        if self.gamma_neg > 0 or self.gamma_pos > 0:
            pt = p * y + p_neg * (1.0 - y)
            gamma = self.gamma_pos * y + self.gamma_neg * (1.0 - y)
            loss = loss * torch.pow(1.0 - pt, gamma)
        return -loss.sum() / logits.shape[0]


class BCELoss(nn.Module):
    def forward(self, logits, y):
        return F.binary_cross_entropy_with_logits(logits, y, reduction="sum") / logits.shape[0]


# --------------------------------------------------------------------------------------------------------- metrics
def average_precision(scores, target):
    """Rank AP: sort scores descending (stable: ties keep dataset order), mean precision at each positive.
    Returns None when the label has no positives."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    t = np.asarray(target)[order] > 0.5
    npos = int(t.sum())
    if npos == 0:
        return None
    precision_at = np.cumsum(t) / np.arange(1, len(t) + 1)
    return float(precision_at[t].mean())


def mean_ap(scores, targets):
    aps = [average_precision(scores[:, c], targets[:, c]) for c in range(targets.shape[1])]
    valid = [a for a in aps if a is not None]
    m = 100.0 * float(np.mean(valid)) if valid else float("nan")
    return m, aps, len(aps) - len(valid)


def _safe_div(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)


def _f1(p, r):
    return float(2 * p * r / (p + r)) if (p + r) > 0 else 0.0


def full_metrics(logits, targets, thresholds, labels):
    """All metrics in percent. Scores for AP = logits (monotone in the sigmoid probability, no saturation ties)."""
    probs = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    y = targets > 0.5
    pred = probs >= np.asarray(thresholds)[None, :]
    tp = (pred & y).sum(0)
    fp = (pred & ~y).sum(0)
    fn = (~pred & y).sum(0)
    prec_c = _safe_div(tp, tp + fp)
    rec_c = _safe_div(tp, tp + fn)
    cp, cr = 100 * prec_c.mean(), 100 * rec_c.mean()
    op = 100 * _safe_div(tp.sum(), tp.sum() + fp.sum())
    orr = 100 * _safe_div(tp.sum(), tp.sum() + fn.sum())
    inter = (pred & y).sum(1)
    denom = pred.sum(1) + y.sum(1)
    ex_f1 = np.where(denom > 0, 2 * inter / np.maximum(denom, 1), 1.0)  # empty truth & empty prediction -> 1
    m, aps, skipped = mean_ap(logits, targets)
    per_label = []
    for c, name in enumerate(labels):
        per_label.append({
            "label": name,
            "ap": None if aps[c] is None else round(100 * aps[c], 3),
            "precision": round(100 * float(prec_c[c]), 3),
            "recall": round(100 * float(rec_c[c]), 3),
            "f1": round(100 * _f1(prec_c[c], rec_c[c]), 3),
            "support": int(y[:, c].sum()),
        })
    return {
        "images": int(len(targets)),
        "mAP": round(m, 3),
        "CF1": round(_f1(cp, cr), 3), "OF1": round(_f1(float(op), float(orr)), 3),
        "CP": round(float(cp), 3), "CR": round(float(cr), 3), "OP": round(float(op), 3), "OR": round(float(orr), 3),
        "example_f1": round(100 * float(ex_f1.mean()), 3),
        "subset_accuracy": round(100 * float((pred == y).all(1).mean()), 3),
        "per_label": per_label,
        "labels_without_positives": skipped,
    }


PRIOR_STRENGTH = 20  # pseudo-positives pulling a label's threshold toward the global one (as `edge eval --tune-thresholds`)


def choose_thresholds(logits, targets):
    """Per label: threshold in [0.05, 0.95] step 0.01 maximising that label's F1 on these (val) scores (ties: the
    median of the maximisers), shrunk toward the global threshold maximising pooled OF1 in proportion to how few
    positives the label has: t = (n * t_label + k * t_global) / (n + k), k = PRIOR_STRENGTH, rounded to 0.01.
    The same rule as the runtime's `edge eval --tune-thresholds`."""
    probs = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    y = targets > 0.5
    pooled_tp = np.zeros(len(THRESHOLD_GRID))
    pooled_pred = np.zeros(len(THRESHOLD_GRID))
    per_label = []
    for c in range(targets.shape[1]):
        pred = probs[:, c][None, :] >= THRESHOLD_GRID[:, None]  # T x N
        tp = (pred & y[None, :, c]).sum(1)
        fp = (pred & ~y[None, :, c]).sum(1)
        fn = (~pred & y[None, :, c]).sum(1)
        pooled_tp += tp
        pooled_pred += tp + fp
        per_label.append((_safe_div(2 * tp, 2 * tp + fp + fn), int(y[:, c].sum())))
    pooled_f1 = _safe_div(2 * pooled_tp, pooled_pred + y.sum())
    global_t = float(THRESHOLD_GRID[int(np.argmax(pooled_f1))])
    out = []
    for f1, positives in per_label:
        best = np.flatnonzero(f1 >= f1.max() - 1e-12)
        own = float(THRESHOLD_GRID[best[len(best) // 2]]) if positives > 0 else global_t
        t = round((positives * own + PRIOR_STRENGTH * global_t) / (positives + PRIOR_STRENGTH), 2)
        chosen = int(np.argmin(np.abs(THRESHOLD_GRID - t)))
        out.append({"threshold": t, "off_threshold": round(max(OFF_MIN, t - OFF_DELTA), 2),
                    "val_f1": round(100 * float(f1[chosen]), 3), "label_optimum": own, "global": global_t})
    return out


# ------------------------------------------------------------------------------------------------------- utilities
def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def set_tf32(enabled):
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = enabled
        torch.backends.cudnn.allow_tf32 = enabled


def one_cycle(total_steps, pct_start, div=25.0, final_div=1e3):
    """One-cycle LR factor (as torch's OneCycleLR, 'cos' anneal, without momentum cycling; works for tiny
    step counts): lr/div -> lr over pct_start of the steps, then cosine down to lr/(div*final_div)."""
    warm = max(1, int(round(pct_start * total_steps)))
    start, end = 1.0 / div, 1.0 / (div * final_div)

    def factor(step):
        if step < warm:
            return start + (1.0 - start) * (1.0 - math.cos(math.pi * step / warm)) / 2.0
        f = min(1.0, (step - warm) / max(1, total_steps - warm))
        return end + (1.0 - end) * (1.0 + math.cos(math.pi * f)) / 2.0
    return factor


class Preprocessor:
    """uint8 [B,H,W,3] BGR (any device) -> float32 [B,3,H,W] minus mean, on `device`."""

    def __init__(self, mean_bgr, device, channels_last):
        self.mean = torch.tensor(mean_bgr, dtype=torch.float32, device=device).view(1, 3, 1, 1)
        self.device = device
        self.channels_last = channels_last

    def __call__(self, u8):
        x = u8.to(self.device, non_blocking=True).permute(0, 3, 1, 2).float() - self.mean
        fmt = torch.channels_last if self.channels_last else torch.contiguous_format
        return x.contiguous(memory_format=fmt)


@torch.no_grad()
def predict(model, images_u8, prep, batch, amp_dtype=None):
    model.eval()
    outs = []
    for i in range(0, len(images_u8), batch):
        x = prep(images_u8[i:i + batch])
        if amp_dtype is not None:
            with torch.autocast(device_type="cuda", dtype=amp_dtype):
                logits = model(x)
        else:
            logits = model(x)
        outs.append(logits.float().cpu())
    return torch.cat(outs).numpy()


def output_names(head):
    return ["logits", "class_maps"] if head == "csra" else ["logits"]


def export_onnx(model, size, path):
    """Legacy (TorchScript) exporter, opset 13, dynamic batch. torch >= 2.9 defaults to the dynamo exporter, so
    dynamo=False is passed where the parameter exists. The csra head also exports its class maps."""
    dummy = torch.zeros(1, 3, size, size)
    names = output_names(model.head_kind)
    if model.head_kind == "csra":
        model = WithMaps(model).eval()
    kwargs = dict(opset_version=13, input_names=["image"], output_names=names,
                  dynamic_axes={"image": {0: "N"}, **{n: {0: "N"} for n in names}}, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    try:
        with warnings.catch_warnings():
            # resnet_cntk reads H, W as Python ints to pick its padding; constant in the trace, which is intended
            # (H and W are fixed in the exported graph, only the batch axis is dynamic).
            warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
            torch.onnx.export(model, (dummy,), path, **kwargs)
    except Exception as e:  # noqa: BLE001 - last resort for torch versions without the legacy exporter
        if kwargs.get("dynamo") is not False:
            raise
        print(f"  legacy ONNX exporter failed ({e!r:.200}); trying the dynamo exporter")
        kwargs.pop("dynamic_axes")
        kwargs.update(dynamo=True, opset_version=18,
                      dynamic_shapes={"x": {0: torch.export.Dim("N")}}, external_data=False)
        torch.onnx.export(model, (dummy,), path, **kwargs)


def check_onnx_file(path, size, head, num_labels):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    g = onnx.shape_inference.infer_shapes(m).graph  # fills output shapes an exporter may leave out
    inits = {i.name for i in g.initializer}
    ins = [i for i in g.input if i.name not in inits]
    names = output_names(head)
    if [i.name for i in ins] != ["image"] or [o.name for o in g.output] != names:
        raise SystemExit(f"exported ONNX has inputs {[i.name for i in ins]} outputs {[o.name for o in g.output]}, "
                         f"expected ['image'] -> {names}")

    def dims_of(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    dims = dims_of(ins[0])
    odims = {o.name: dims_of(o) for o in g.output}
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"  ONNX ok: image {dims} -> {', '.join(f'{k} {v}' for k, v in odims.items())}, "
          f"opset {[o.version for o in m.opset_import]}, ops {ops}")
    if dims[1:] != [3, size, size] or isinstance(dims[0], int):
        raise SystemExit(f"unexpected exported input shape {dims}")
    expected = {"logits": [num_labels], "class_maps": [num_labels, size // 32, size // 32]}
    for name, d in odims.items():
        if d[1:] != expected[name] or isinstance(d[0], int):
            raise SystemExit(f"unexpected exported output shape {name} {d}, expected [N, {expected[name]}]")
    return m


# ------------------------------------------------------------------------------------------------------ model card
FEW_POSITIVES = 20


def _fmt(v, digits=2):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def write_model_card(path, *, manifest, labels, thr, positives, counts, csv_paths, test_metrics, val_map, ood_metrics,
                     onnx_check, command_line, device_name, train_seconds, args):
    """OUT/README.md: what the bundle is, what it was trained and tested on, how well it did, and its limits."""
    tr = manifest["provenance"]["training"]
    splits = list(counts)
    md = [f"# {manifest['name']} (version {manifest['version']})", "",
          manifest["description"], "",
          "Bundle format `edge-model-bundle/1`: `model.onnx` (input `image` "
          f"[N,3,{args.size},{args.size}] BGR 0..255 minus per-channel mean {manifest['input']['mean']}, stretch "
          f"resize; output `logits` [N,{len(labels)}], one sigmoid per label"
          + (f"; also `class_maps` [N,{len(labels)},{args.size // 32},{args.size // 32}]" if args.head == "csra" else "")
          + f") + `manifest.json`. ONNX sha256 `{manifest['sha256']}`.", "",
          "## Base model", "",
          f"{manifest['provenance']['base_model']}; CNTK ResNet-18 ported to PyTorch by `training/port_resnet18.py` "
          f"(init file `{os.path.abspath(args.init)}`), fine-tuned end to end.", "",
          "## Labels and thresholds", "",
          "| # | label | threshold | off_threshold | val F1 at threshold (%) |", "|---:|---|---:|---:|---:|"]
    for i, (n, t) in enumerate(zip(labels, thr)):
        md.append(f"| {i} | `{n}` | {t['threshold']:.2f} | {t['off_threshold']:.2f} | {_fmt(t['val_f1'])} |")
    md += ["", "A label is on when `sigmoid(logit) >= threshold` and, for hysteresis over a stream, turns off again "
           "below `off_threshold`.", "",
           "## Data", "",
           "| split | labels.csv | images | label instances |", "|---|---|---:|---:|"]
    for sp in splits:
        md.append(f"| {sp} | `{csv_paths[sp]}` | {counts[sp]} | {int(sum(positives[sp]))} |")
    md += ["", "Positives per label:", "", "| label | " + " | ".join(splits) + " |",
           "|---|" + "---:|" * len(splits)]
    for c, n in enumerate(labels):
        md.append(f"| `{n}` | " + " | ".join(str(int(positives[sp][c])) for sp in splits) + " |")
    md += ["", "## Training", "",
           f"* head `{args.head}`" + (f" (CSRA, lambda {args.csra_lambda:g})" if args.head == "csra" else "")
           + f", input {args.size}x{args.size}, {args.epochs} epochs, batch {args.batch}, AdamW peak lr {args.lr:g} "
           f"(one-cycle, warm-up {args.warmup:g}), weight decay {args.wd:g}, loss `{args.loss}`, seed {args.seed}, "
           "random horizontal flips",
           f"* device {device_name}, torch {torch.__version__}; training took {train_seconds:.0f} s",
           f"* labels: `--labels {args.labels}`" + (" (ordinal-sorted union of the train labels)"
                                                     if args.labels == "auto" else " (the fixed 10 names)"),
           "", "## Test metrics", "",
           f"On the held-out **test** split ({test_metrics['images']} images), at the thresholds above, in percent "
           f"(val mAP {_fmt(val_map)}):", "",
           "| mAP | CF1 | OF1 | CP | CR | OP | OR | example F1 | subset accuracy |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
           "| " + " | ".join(_fmt(test_metrics[k]) for k in ("mAP", "CF1", "OF1", "CP", "CR", "OP", "OR", "example_f1",
                                                            "subset_accuracy")) + " |",
           "", "Per label (test):", "",
           "| label | AP | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|---:|"]
    for pl in test_metrics["per_label"]:
        md.append(f"| `{pl['label']}` | {_fmt(pl['ap'])} | {_fmt(pl['precision'])} | {_fmt(pl['recall'])} | "
                  f"{_fmt(pl['f1'])} | {pl['support']} |")
    if ood_metrics is not None:
        md += ["", f"Out-of-distribution split ({ood_metrics['images']} images): mAP {_fmt(ood_metrics['mAP'])}, "
               f"CF1 {_fmt(ood_metrics['CF1'])}, OF1 {_fmt(ood_metrics['OF1'])}."]
    md += ["", "mAP = mean over labels of rank AP (labels without test positives are skipped); CP/CR/CF1 = per-label "
           "precision/recall averaged over labels and their harmonic mean; OP/OR/OF1 = the same pooled over all "
           "image-label pairs; example F1 = mean per-image F1; subset accuracy = share of images whose whole label "
           "set is exactly right.", "",
           f"Exported-graph check: {onnx_check.get('runtime')}"
           + (f", test mAP through ONNX {_fmt(onnx_check['test_mAP'])}" if "test_mAP" in onnx_check else "")
           + (f", max logit difference vs PyTorch {onnx_check['max_abs_diff_vs_torch_cpu']:.1e}"
              if "max_abs_diff_vs_torch_cpu" in onnx_check else "") + ".", "",
           "## How the thresholds were chosen", "",
           f"Per label, the threshold in {THRESHOLD_GRID[0]:.2f}..{THRESHOLD_GRID[-1]:.2f} (step 0.01) on the "
           "sigmoid probability that maximises that label's F1 on the **val** split (ties: the median of the "
           f"maximisers), shrunk toward the global OF1-optimal threshold with {PRIOR_STRENGTH} pseudo-positives "
           "(labels with few val positives get a threshold close to the global one); `off_threshold = max({OFF_MIN}, threshold - {OFF_DELTA})`. The test split was not used for "
           "any choice, so the test metrics above are an unbiased estimate for data like the test split.", "",
           "## Reproduce", "", "Exact command line of this training run:", "", "```",
           " ".join(_shell_quote(a) for a in command_line), "```", "",
           "## Limitations", ""]
    lim = []
    for c, n in enumerate(labels):
        few = [f"{sp} {int(positives[sp][c])}" for sp in ("val", "test") if positives[sp][c] < FEW_POSITIVES]
        if few:
            lim.append(f"* **`{n}` has fewer than {FEW_POSITIVES} positives** ({', '.join(few)}): its "
                       + ("threshold is poorly determined" if positives["val"][c] < FEW_POSITIVES else "")
                       + (" and " if positives["val"][c] < FEW_POSITIVES and positives["test"][c] < FEW_POSITIVES
                          else "")
                       + ("its test metrics are noisy" if positives["test"][c] < FEW_POSITIVES else "")
                       + ". Label more images of it.")
    if test_metrics.get("labels_without_positives"):
        lim.append(f"* {test_metrics['labels_without_positives']} label(s) have no test positives and are left out "
                   "of the mAP.")
    lim += ["* The metrics hold for images like the test split. Other cameras, lighting, viewpoints or object sizes "
            "can do markedly worse: evaluate on footage from the deployment site before relying on it.",
            f"* Images are stretched to {args.size}x{args.size} without keeping the aspect ratio, as the runtime "
            "does; small objects may become too small to recognise.",
            "* Labels are independent sigmoids: the model can report none, one or several labels per image, and knows "
            "nothing outside its label list (anything else is at best 'none of the labels')."]
    md += lim + [""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(md))


def _shell_quote(a):
    import shlex
    return shlex.quote(a)


# ------------------------------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--ood", default=None, help="optional out-of-distribution split (labels.csv + PNGs), evaluated "
                                                "like test -> provenance.metrics_ood")
    ap.add_argument("--init", required=True, help="ported.pt from port_resnet18.py (fp32 or --half)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3, help="peak (one-cycle) AdamW learning rate")
    ap.add_argument("--wd", type=float, default=1e-2, help="AdamW weight decay (conv/linear weights only)")
    ap.add_argument("--warmup", type=float, default=0.2, help="one-cycle pct_start")
    ap.add_argument("--loss", choices=["asl", "bce"], default="asl")
    ap.add_argument("--head", choices=list(HEADS), default="csra",
                    help="csra: class-specific residual attention (per-label 1x1 conv maps, mean + lambda * max, "
                         "exports class_maps too); linear: global average pool + Linear")
    ap.add_argument("--csra-lambda", type=float, default=0.2, help="CSRA weight of the spatial max")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    ap.add_argument("--workers", type=int, default=min(16, os.cpu_count() or 1), help="PNG decoding processes")
    ap.add_argument("--limit", type=int, default=None, help="cap scenes per split (smoke tests)")
    ap.add_argument("--eval-batch", type=int, default=256)
    ap.add_argument("--data-info", default=None, help="JSON for provenance.data (counts/seeds of the datasets)")
    ap.add_argument("--outfit-share", type=float, default=None,
                    help="the datasets' --outfit-share (recorded as provenance.data.outfit_share only)")
    ap.add_argument("--labels", default="multifashion", choices=["multifashion", "auto"],
                    help="multifashion: the fixed 10 Fashion-MNIST names (default); auto: the ordinal-sorted union "
                         "of the labels in the train CSV (val/test labels outside it are an error)")
    ap.add_argument("--name", default=None,
                    help="bundle name (default multifashion-resnet18, or custom-resnet18 with --labels auto)")
    ap.add_argument("--recipe", default=None, help="recorded as provenance.recipe (default: the script that usually "
                                                   "runs this trainer)")
    ap.add_argument("--no-card", action="store_true", help="do not write OUT/README.md (the model card)")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--deterministic", action="store_true", help="cudnn deterministic (slower)")
    args = ap.parse_args()
    command_line = [sys.executable] + sys.argv
    if args.name is None:
        args.name = "multifashion-resnet18" if args.labels == "multifashion" else "custom-resnet18"
    if args.recipe is None:
        args.recipe = ("training/build_default_model.sh" if args.labels == "multifashion"
                       else "training/train_own_labels.sh")

    if args.size % 32 != 0:
        raise SystemExit("--size must be a multiple of 32 (the CNTK stride-2 pads need even feature maps)")
    if args.outfit_share is not None and not 0.0 <= args.outfit_share <= 1.0:
        raise SystemExit("--outfit-share must be within 0..1")
    data_info = json.loads(args.data_info) if args.data_info else {}  # fail early on bad JSON
    split_names = ("train", "val", "test") + (("ood",) if args.ood else ())
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()

    # ---- data (decoded before CUDA is touched, so forked workers are safe)
    rows = {split: read_rows(getattr(args, split), args.limit) for split in split_names}
    if args.labels == "auto":  # vocabulary = ordinal-sorted union of the train labels
        labels = ordinal_sorted(n for _, names in rows["train"][2] for n in names)
        if not labels:
            raise SystemExit(f"{rows['train'][0]}: no labels at all in the train split")
    else:
        labels = list(LABELS)
    targets = {split: to_targets(rows[split][0], rows[split][2], labels, split) for split in split_names}
    print(f"labels ({len(labels)}, {args.labels}): {', '.join(labels)}", flush=True)
    splits = {}
    for split in split_names:
        t0 = time.time()
        y = targets[split]
        imgs = load_images(rows[split][1], args.size, args.workers)
        splits[split] = (imgs, y)
        print(f"{split}: {len(y)} images, {int(y.sum())} labels, mean {y.sum(1).mean():.2f}/image, "
              f"loaded in {time.time() - t0:.1f}s", flush=True)
    load_seconds = time.time() - t_start
    seed_everything(args.seed)  # after the forked decoders: nothing touches CUDA before them

    # ---- device
    if args.device == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(args.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise SystemExit("--device cuda but CUDA is not available")
    cuda = device.type == "cuda"
    device_name = f"cuda: {torch.cuda.get_device_name(device)}" if cuda else f"cpu: {torch.get_num_threads()} threads"
    amp_dtype = torch.bfloat16 if cuda else None
    if cuda:
        torch.backends.cudnn.benchmark = not args.deterministic
        torch.backends.cudnn.deterministic = args.deterministic
        set_tf32(True)
    print(f"device {device_name}, torch {torch.__version__}, python {platform.python_version()}, "
          f"amp {'bf16' if amp_dtype else 'off'}, channels_last {cuda}", flush=True)

    # ---- model
    sd, meta = load_ported(args.init)
    mean_bgr = [float(np.float32(v)) for v in meta["mean_bgr"]]
    model = MultiLabelNet(len(labels), head=args.head, csra_lambda=args.csra_lambda)
    model.backbone.load_state_dict(sd, strict=True)
    prior = np.clip(splits["train"][1].mean(0), 1e-3, 1 - 1e-3)
    prior_logit = np.log(prior / (1 - prior))
    # csra: the bias is in every class-map cell, so it reaches the logits (1 + lambda) times
    bias_scale = 1.0 + args.csra_lambda if args.head == "csra" else 1.0
    head_w, head_b = model.head_weight_bias()
    with torch.no_grad():
        nn.init.normal_(head_w, std=0.01)
        head_b.copy_(torch.from_numpy((prior_logit / bias_scale).astype(np.float32)))
    model = model.to(device)
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    prep = Preprocessor(mean_bgr, device, channels_last=cuda)

    store = "cuda" if cuda else "cpu"
    train_u8 = torch.from_numpy(splits["train"][0]).to(store)
    train_y = torch.from_numpy(splits["train"][1]).to(device)
    val_u8 = torch.from_numpy(splits["val"][0]).to(store)
    test_u8 = torch.from_numpy(splits["test"][0]).to(store)
    val_y, test_y = splits["val"][1], splits["test"][1]
    ood_u8 = torch.from_numpy(splits["ood"][0]).to(store) if args.ood else None
    ood_y = splits["ood"][1] if args.ood else None

    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (decay if p.ndim > 1 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.999))
    n_train = len(train_u8)
    steps_per_epoch = max(1, n_train // args.batch)  # drop the ragged last batch (BN statistics)
    total_steps = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, one_cycle(total_steps, args.warmup))
    criterion = AsymmetricLoss(4.0, 0.0, 0.05) if args.loss == "asl" else BCELoss()
    gen_cpu = torch.Generator().manual_seed(args.seed)
    gen_dev = torch.Generator(device=store).manual_seed(args.seed + 1)

    print(f"training: {n_train} scenes, {args.epochs} epochs x {steps_per_epoch} steps, batch {args.batch}, "
          f"AdamW lr {args.lr:g} (one-cycle), wd {args.wd:g}, loss {args.loss}, head {args.head}"
          + (f" (lambda {args.csra_lambda:g})" if args.head == "csra" else ""), flush=True)
    log = []
    t_train = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.time()
        perm = torch.randperm(n_train, generator=gen_cpu).to(store)
        loss_sum = torch.zeros((), device=device)
        for step in range(steps_per_epoch):
            idx = perm[step * args.batch:(step + 1) * args.batch]
            u8 = train_u8[idx]  # [B,H,W,3]
            flip = torch.rand(u8.shape[0], device=u8.device, generator=gen_dev) < 0.5  # horizontal flip
            x = prep(torch.where(flip[:, None, None, None], u8.flip(2), u8))
            y = train_y[idx.to(device)]
            if amp_dtype is not None:
                with torch.autocast(device_type="cuda", dtype=amp_dtype):
                    logits = model(x)
            else:
                logits = model(x)
            loss = criterion(logits.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.detach()
        train_loss = float(loss_sum) / steps_per_epoch
        if cuda:
            torch.cuda.synchronize()
        t_ep = time.time() - t0
        val_logits = predict(model, val_u8, prep, args.eval_batch, amp_dtype)
        val_map = mean_ap(val_logits, val_y)[0]
        entry = {"epoch": epoch, "train_loss": round(train_loss, 5), "val_mAP": round(val_map, 3),
                 "lr_end": sched.get_last_lr()[0], "train_seconds": round(t_ep, 2),
                 "images_per_second": round(steps_per_epoch * args.batch / t_ep, 1),
                 "epoch_seconds": round(time.time() - t0, 2)}
        log.append(entry)
        print(f"epoch {epoch:3d}/{args.epochs}  loss {train_loss:.4f}  val mAP {val_map:6.2f}  "
              f"{entry['images_per_second']:.0f} img/s  {entry['epoch_seconds']:.1f}s", flush=True)
    train_seconds = time.time() - t_train

    # ---- final fp32 evaluation (no autocast, no TF32: what the fp32 ONNX computes)
    set_tf32(False)
    val_logits = predict(model, val_u8, prep, args.eval_batch)
    test_logits = predict(model, test_u8, prep, args.eval_batch)
    val_map = mean_ap(val_logits, val_y)[0]
    thr = choose_thresholds(val_logits, val_y)
    thresholds = [t["threshold"] for t in thr]
    test_metrics = full_metrics(test_logits, test_y, thresholds, labels)
    print(f"val mAP {val_map:.2f}; thresholds {thresholds}")
    print(f"TEST ({test_metrics['images']} scenes): mAP {test_metrics['mAP']:.2f}  CF1 {test_metrics['CF1']:.2f}  "
          f"OF1 {test_metrics['OF1']:.2f}  CP {test_metrics['CP']:.2f}  CR {test_metrics['CR']:.2f}  "
          f"OP {test_metrics['OP']:.2f}  OR {test_metrics['OR']:.2f}  example-F1 {test_metrics['example_f1']:.2f}  "
          f"subset-acc {test_metrics['subset_accuracy']:.2f}")
    for pl in test_metrics["per_label"]:
        print(f"  {pl['label']:<11} AP {pl['ap'] if pl['ap'] is not None else float('nan'):7.2f}  "
              f"P {pl['precision']:6.2f}  R {pl['recall']:6.2f}  F1 {pl['f1']:6.2f}  support {pl['support']}")
    if test_metrics["labels_without_positives"]:
        print(f"  ({test_metrics['labels_without_positives']} labels without positives skipped in mAP)")
    ood_metrics = ood_logits = None
    if args.ood:
        ood_logits = predict(model, ood_u8, prep, args.eval_batch)
        ood_metrics = full_metrics(ood_logits, ood_y, thresholds, labels)
        print(f"OOD ({ood_metrics['images']} scenes): mAP {ood_metrics['mAP']:.2f}  CF1 {ood_metrics['CF1']:.2f}  "
              f"OF1 {ood_metrics['OF1']:.2f}  CP {ood_metrics['CP']:.2f}  CR {ood_metrics['CR']:.2f}  "
              f"OP {ood_metrics['OP']:.2f}  OR {ood_metrics['OR']:.2f}  example-F1 {ood_metrics['example_f1']:.2f}  "
              f"subset-acc {ood_metrics['subset_accuracy']:.2f}  (gap: test - ood mAP "
              f"{test_metrics['mAP'] - ood_metrics['mAP']:+.2f})")
        for pl in ood_metrics["per_label"]:
            print(f"  {pl['label']:<11} AP {pl['ap'] if pl['ap'] is not None else float('nan'):7.2f}  "
                  f"P {pl['precision']:6.2f}  R {pl['recall']:6.2f}  F1 {pl['f1']:6.2f}  support {pl['support']}")

    # ---- export
    onnx_path = os.path.join(args.out, "model.onnx")
    cpu_model = copy.deepcopy(model).float().cpu().to(memory_format=torch.contiguous_format).eval()
    export_onnx(cpu_model, args.size, onnx_path)
    check_onnx_file(onnx_path, args.size, args.head, len(labels))
    sha = sha256_file(onnx_path)
    print(f"exported {onnx_path} ({os.path.getsize(onnx_path) / 2**20:.1f} MiB, sha256 {sha})")
    csra = args.head == "csra"
    names = output_names(args.head)

    def maps_identity_diff(lg, mp):
        """max |logits - (mean_hw(maps) + lambda * max_hw(maps))| of the exported outputs."""
        lg, mp = np.asarray(lg, np.float64), np.asarray(mp, np.float64)
        return float(np.abs(lg - (mp.mean(axis=(2, 3)) + args.csra_lambda * mp.max(axis=(2, 3)))).max())

    # ---- check the exported graph: onnxruntime on the whole test (and ood) split, else a few images with a
    # reference interpreter. With the csra head the class maps of the first images are compared too.
    cpu_prep = Preprocessor(mean_bgr, torch.device("cpu"), channels_last=False)
    onnx_check = {"runtime": None, "outputs": names}
    ort_map = ort_ood_map = None
    k = 8
    with torch.no_grad():
        few_x = cpu_prep(test_u8[:k].cpu())
        if csra:
            few_torch, few_maps = (t.numpy() for t in cpu_model(few_x, return_maps=True))
        else:
            few_torch, few_maps = cpu_model(few_x).numpy(), None
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])

        def ort_logits(u8):
            return np.concatenate([sess.run(["logits"], {"image": cpu_prep(u8[i:i + 64].cpu()).numpy()})[0]
                                   for i in range(0, len(u8), 64)])
        t0 = time.time()
        ort_test = ort_logits(test_u8)
        ort_metrics = full_metrics(ort_test, test_y, thresholds, labels)
        ort_map = ort_metrics["mAP"]
        onnx_check.update({
            "runtime": f"onnxruntime {ort.__version__} CPUExecutionProvider",
            "test_mAP": ort_map, "test_CF1": ort_metrics["CF1"], "test_OF1": ort_metrics["OF1"],
            "max_abs_diff_vs_torch_cpu_first8": float(np.abs(ort_test[:k] - few_torch).max()),
            "max_abs_diff_vs_torch_eval_all": float(np.abs(ort_test - test_logits).max()),
            "prediction_disagreements": int(((1 / (1 + np.exp(-ort_test)) >= thresholds) !=
                                             (1 / (1 + np.exp(-test_logits)) >= thresholds)).sum()),
        })
        print(f"onnxruntime TEST mAP {ort_map:.2f} (CF1 {ort_metrics['CF1']:.2f}, OF1 {ort_metrics['OF1']:.2f}); "
              f"max|logit diff| vs PyTorch: {onnx_check['max_abs_diff_vs_torch_cpu_first8']:.2e} (CPU, {k} images), "
              f"{onnx_check['max_abs_diff_vs_torch_eval_all']:.2e} (all, {device.type} fp32); "
              f"{onnx_check['prediction_disagreements']} thresholded disagreements")
        if csra:
            lg, mp = sess.run(names, {"image": few_x.numpy()})
            onnx_check.update({
                "class_maps_shape_first8": list(mp.shape),
                "class_maps_max_abs_diff_vs_torch_cpu_first8": float(np.abs(mp - few_maps).max()),
                "logits_minus_mean_plus_lambda_max_of_maps": maps_identity_diff(lg, mp),
            })
            print(f"onnxruntime class_maps {list(mp.shape)}: max|diff| vs PyTorch "
                  f"{onnx_check['class_maps_max_abs_diff_vs_torch_cpu_first8']:.2e}; max|logits - (mean + "
                  f"{args.csra_lambda:g} * max of maps)| {onnx_check['logits_minus_mean_plus_lambda_max_of_maps']:.2e}")
        if args.ood:
            ort_ood = ort_logits(ood_u8)
            ort_ood_metrics = full_metrics(ort_ood, ood_y, thresholds, labels)
            ort_ood_map = ort_ood_metrics["mAP"]
            onnx_check.update({
                "ood_mAP": ort_ood_map, "ood_CF1": ort_ood_metrics["CF1"], "ood_OF1": ort_ood_metrics["OF1"],
                "ood_max_abs_diff_vs_torch_eval_all": float(np.abs(ort_ood - ood_logits).max()),
            })
            print(f"onnxruntime OOD mAP {ort_ood_map:.2f} (CF1 {ort_ood_metrics['CF1']:.2f}, "
                  f"OF1 {ort_ood_metrics['OF1']:.2f}); max|logit diff| vs PyTorch "
                  f"{onnx_check['ood_max_abs_diff_vs_torch_eval_all']:.2e}")
        onnx_check["seconds"] = round(time.time() - t0, 1)
    except ImportError:
        k = 2
        x = few_x[:k].numpy()
        import onnx
        m = onnx.load(onnx_path)
        try:
            from onnx.reference import ReferenceEvaluator
            ref = ReferenceEvaluator(m).run(names, {"image": x})
            name = f"onnx.reference (onnx {onnx.__version__})"
        except ImportError:
            import onnx_numpy_eval
            ref = onnx_numpy_eval.run(m, {"image": x}, names)
            name = "onnx_numpy_eval (float64)"
        diff = float(np.abs(ref[0] - few_torch[:k]).max())
        onnx_check.update({"runtime": f"onnxruntime not installed; {name} on {k} test images",
                           "max_abs_diff_vs_torch_cpu": diff})
        print(f"onnxruntime not installed: checked the ONNX on {k} test images with {name}: "
              f"max|logit diff| vs PyTorch {diff:.2e}")
        bad = diff > 1e-3 * max(1.0, float(np.abs(ref[0]).max()))
        if csra:
            mdiff = float(np.abs(ref[1] - few_maps[:k]).max())
            ident = maps_identity_diff(ref[0], ref[1])
            onnx_check.update({"class_maps_shape": list(np.shape(ref[1])),
                               "class_maps_max_abs_diff_vs_torch_cpu": mdiff,
                               "logits_minus_mean_plus_lambda_max_of_maps": ident})
            print(f"  class_maps {list(np.shape(ref[1]))}: max|diff| vs PyTorch {mdiff:.2e}; max|logits - (mean + "
                  f"{args.csra_lambda:g} * max of maps)| {ident:.2e}")
            bad = bad or mdiff > 1e-3 * max(1.0, float(np.abs(ref[1]).max())) or ident > 1e-4 * max(
                1.0, float(np.abs(ref[0]).max()))
        if bad:
            raise SystemExit("exported ONNX disagrees with PyTorch")

    # ---- manifest
    default_generator = "edge dataset multifashion" if args.labels == "multifashion" else "labels.csv"
    data = {"generator": data_info.get("generator", default_generator)}
    for split in split_names:
        given = dict(data_info.get(split, {}))
        given["count"] = int(len(splits[split][1]))
        if args.labels == "multifashion":
            given.setdefault("seed", None)
        else:
            given.setdefault("path", os.path.abspath(rows[split][0]))
        data[split] = given
    if args.outfit_share is not None:
        data["outfit_share"] = args.outfit_share
    for k_, v in data_info.items():
        data.setdefault(k_, v)
    metric_keys = ("images", "mAP", "CF1", "OF1", "CP", "CR", "OP", "OR", "example_f1", "subset_accuracy",
                   "per_label")
    metrics = {"split": "test", **{key: test_metrics[key] for key in metric_keys}, "val_mAP": round(val_map, 3),
               "onnxruntime_test_mAP": ort_map}
    metrics_ood = None
    if args.ood:
        metrics["ood_gap_mAP"] = round(test_metrics["mAP"] - ood_metrics["mAP"], 3)
        metrics_ood = {"split": "ood", **{key: ood_metrics[key] for key in metric_keys}, "val_mAP": round(val_map, 3),
                       "onnxruntime_ood_mAP": ort_ood_map}
    training = {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "loss": args.loss, "head": args.head}
    if csra:
        training["csra_lambda"] = args.csra_lambda
    training.update({"size": args.size, "seed": args.seed, "device": device_name, "seconds": round(train_seconds, 1)})
    head_text = (f" with a CSRA head (class-specific residual attention: per-label 1x1 conv class maps, mean + "
                 f"{args.csra_lambda:g} x max over space)," if csra else "")
    manifest = {
        "format": "edge-model-bundle/1",
        "name": args.name,
        "version": args.version,
        "description": "ResNet-18 (ImageNet-pretrained, CNTK export)" + head_text + (
            " fine-tuned to tag which of the 10 Fashion-MNIST classes appear in a MultiFashion scene (multi-label, "
            "sigmoid per label)." if args.labels == "multifashion" else
            f" fine-tuned on user-labelled images to tag {len(labels)} labels (multi-label, sigmoid per label)."),
        "model_file": "model.onnx",
        "sha256": sha,
        "precision": "fp32",
        "input": {"name": "image", "layout": "nchw", "width": args.size, "height": args.size, "color_order": "bgr",
                  "scale": 1.0, "mean": mean_bgr, "std": [1.0, 1.0, 1.0], "resize": "stretch"},
        "output": {"name": "logits", "kind": "logits"},
        "labels": [{"name": n, "threshold": t["threshold"], "off_threshold": t["off_threshold"]}
                   for n, t in zip(labels, thr)],
        "provenance": {
            "base_model": f"Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (ImageNet, MIT), sha256 "
                          f"{meta.get('source_sha256', 'unknown')}",
            "recipe": args.recipe,
            "data": data,
            "training": training,
            "thresholds": f"per-label F1-optimal on the val split, shrunk toward the global OF1-optimal threshold "
                          f"with {PRIOR_STRENGTH} pseudo-positives; off_threshold = threshold - {OFF_DELTA} "
                          f"(min {OFF_MIN})",
            "metrics": metrics,
        },
    }
    if metrics_ood is not None:
        manifest["provenance"]["metrics_ood"] = metrics_ood
    if csra:
        # The runtime binds only output.name ("logits"); the manifest schema has no field for extra outputs.
        manifest["provenance"]["outputs"] = {
            "class_maps": f"[N,{len(labels)},h,w] per-label activation maps (CSRA), for localisation; h = w = size/32 "
                          f"({args.size // 32} here); logits = mean_hw + {args.csra_lambda:g} * max_hw of these maps"}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    if not args.no_card:
        write_model_card(os.path.join(args.out, "README.md"), manifest=manifest, labels=labels, thr=thr,
                         positives={sp: splits[sp][1].sum(0) for sp in split_names},
                         counts={sp: int(len(splits[sp][1])) for sp in split_names},
                         csv_paths={sp: os.path.abspath(rows[sp][0]) for sp in split_names},
                         test_metrics=test_metrics, val_map=val_map, ood_metrics=ood_metrics, onnx_check=onnx_check,
                         command_line=command_line, device_name=device_name, train_seconds=train_seconds, args=args)
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump({"args": vars(args), "command_line": command_line, "labels": labels, "device": device_name, "torch": torch.__version__,
                   "python": platform.python_version(), "load_seconds": round(load_seconds, 1),
                   "train_seconds": round(train_seconds, 1), "total_seconds": round(time.time() - t_start, 1),
                   "epochs": log}, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump({"test": test_metrics, "val_mAP": round(val_map, 3),
                   **({"ood": ood_metrics, "ood_gap_mAP": metrics["ood_gap_mAP"]} if args.ood else {}),
                   "head": args.head, **({"csra_lambda": args.csra_lambda} if csra else {}),
                   "thresholds": thr, "onnx_check": onnx_check,
                   "ap_definition": "rank AP per label on logits: stable sort by descending score, ties broken by "
                                    "dataset order; mean precision at each positive; labels without positives are "
                                    "skipped (counted in labels_without_positives); mAP = mean over labels, percent",
                   "threshold_rule": "prediction = sigmoid(logit) >= threshold; per-label threshold maximising val "
                                     "F1 over 0.05..0.95 step 0.01 (ties: median of the maximisers); "
                                     f"off_threshold = max({OFF_MIN}, threshold - {OFF_DELTA})",
                   "zero_division": "precision/recall of a label with no predictions/positives count as 0; "
                                    "example F1 of a scene with no truth and no prediction counts as 1"},
                  f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}/manifest.json, training-log.json, metrics.json"
          + ("" if args.no_card else ", README.md") + " "
          f"(train {train_seconds:.0f}s, total {time.time() - t_start:.0f}s)")


if __name__ == "__main__":
    main()
