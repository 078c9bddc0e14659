#!/usr/bin/env python3
"""Fine-tune the ported CNTK ResNet-18 into a multi-label classifier and export the bundle: the 10-label MultiFashion
model by default, or any label set with --labels auto (labels = sorted union of the train CSV's labels).

    python3 train_multilabel.py --train DIR --val DIR [--val DIR ...] --test DIR [--test DIR ...] [--ood DIR] \
        (--init ported.pt | --init-bundle BUNDLE) --out OUT \
        [--head csra --csra-lambda 0.2 --size 224 --epochs 10 --batch 128 --lr 1e-3 --seed 0 --device auto
         --workers 16 --loss asl --aug-crop --aug-jitter --mix both --ema 0.999 --max-steps N --eval-every N]

--val / --test may be repeated and may name robustness sets (robustness.json: every family): thresholds are chosen
on the union of the val sets, every val and test set is reported (the first test set gives the headline metrics).
--init-bundle fine-tunes an exported bundle (bundle_init.py); augmentation: augment.py; --ema: ema.py.

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
import augment  # noqa: E402
import bundle_init  # noqa: E402
import valsets  # noqa: E402
from ema import ModelEma  # noqa: E402

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
        original = im.size
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: keep the high byte, like OpenCV
            im = Image.fromarray((np.asarray(im, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8), "L")
        im = im.convert("RGB")
        if im.size != (size, size):
            resample = getattr(Image, "Resampling", Image).BILINEAR
            im = im.resize((size, size), resample)
        return np.ascontiguousarray(np.asarray(im, dtype=np.uint8)[:, :, ::-1]), original


def load_images(paths, size, workers):
    """-> (uint8 [N,size,size,3] BGR, [(width, height) before the resize, ...])."""
    out = np.empty((len(paths), size, size, 3), np.uint8)
    sizes = [None] * len(paths)
    jobs = [(p, size) for p in paths]
    if workers > 1 and len(paths) > 64:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        with ctx.Pool(workers) as pool:
            for i, (a, wh) in enumerate(pool.imap(_decode, jobs, chunksize=64)):
                out[i], sizes[i] = a, wh
    else:
        for i, j in enumerate(jobs):
            out[i], sizes[i] = _decode(j)
    return out, sizes


# ---------------------------------------------------------------------------------------------------------- losses
class AsymmetricLoss(nn.Module):
    """ASL (Ridnik et al., ICCV 2021): focusing gamma_neg on negatives, gamma_pos on positives, probability
    shifting `clip` on negatives. Sum over labels, mean over the batch. Expects float32 logits.

    Written as y * positive_term + (1 - y) * negative_term, so soft targets (mixup, cutmix) weight the two terms
    linearly. (Mixing y into the focusing exponent and p_t instead, as a binary-only formulation may, gives a soft
    target a loss that is neither term's weighted mix; for y in {0, 1} both forms are identical.)"""

    def __init__(self, gamma_neg=4.0, gamma_pos=0.0, clip=0.05, eps=1e-8):
        super().__init__()
        self.gamma_neg, self.gamma_pos, self.clip, self.eps = gamma_neg, gamma_pos, clip, eps

    def terms(self, logits):
        """(positive term, negative term) per element: log(p) (1 - p)^gamma_pos and log(1 - p_m) p_m^gamma_neg with
        p_m = max(p - clip, 0), both <= 0."""
        p = torch.sigmoid(logits)
        p_neg = 1.0 - p
        if self.clip > 0:
            p_neg = (p_neg + self.clip).clamp(max=1.0)
        pos = F.logsigmoid(logits)
        neg = torch.log(p_neg.clamp(min=self.eps))
        if self.gamma_pos > 0:
            pos = pos * torch.pow(1.0 - p, self.gamma_pos)
        if self.gamma_neg > 0:
            neg = neg * torch.pow(1.0 - p_neg, self.gamma_neg)
        return pos, neg

    def forward(self, logits, y):
        pos, neg = self.terms(logits)
        return -(y * pos + (1.0 - y) * neg).sum() / logits.shape[0]


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


SET_METRIC_KEYS = ("images", "mAP", "OF1", "OP", "OR", "CF1", "labels_without_positives")


def thresholds_on_union(logits, targets, sets, row_ranges, labels):
    """Thresholds chosen on the union of the validation sets (choose_thresholds on all rows), then every set measured
    on its own at those thresholds. Returns (thresholds as choose_thresholds gives them, [per-set metrics], union
    metrics); sets are valsets.expand entries, row_ranges their (start, stop) rows in logits/targets."""
    thr = choose_thresholds(logits, targets)
    thresholds = [t["threshold"] for t in thr]
    per_set = []
    for spec, (a, b) in zip(sets, row_ranges):
        m = full_metrics(logits[a:b], targets[a:b], thresholds, labels)
        per_set.append({"name": spec["name"], "kind": spec["kind"], "path": os.path.abspath(spec["location"]),
                        **{k: m[k] for k in SET_METRIC_KEYS}})
    union = full_metrics(logits, targets, thresholds, labels)
    return thr, per_set, {k: union[k] for k in SET_METRIC_KEYS}


def print_set_table(title, per_set):
    """Console table of per-set metrics (val or test families), with the mAP gap to the first set."""
    print(f"{title}:")
    first = per_set[0]["mAP"]
    for s in per_set:
        print(f"  {s['name']:<16} {s['kind']:<10} {s['images']:6d} images  mAP {s['mAP']:6.2f} ({s['mAP'] - first:+6.2f})"
              f"  OF1 {s['OF1']:6.2f}  OP {s['OP']:6.2f}  OR {s['OR']:6.2f}")


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
        return self.nchw(u8.to(self.device, non_blocking=True).permute(0, 3, 1, 2).float())

    def nchw(self, x):
        """float [B,3,H,W] BGR 0..255 (already on the device, e.g. augmented) -> minus mean."""
        fmt = torch.channels_last if self.channels_last else torch.contiguous_format
        return (x - self.mean).contiguous(memory_format=fmt)


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


def set_table_md(per_set):
    """Markdown table of per-set metrics (percent) with the mAP gap to the first set."""
    first = per_set[0]["mAP"]
    md = ["| set | kind | images | mAP | gap to first | OF1 | OP | OR |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for s in per_set:
        md.append(f"| `{s['name']}` | {s['kind']} | {s['images']} | {_fmt(s['mAP'])} | {s['mAP'] - first:+.2f} | "
                  f"{_fmt(s['OF1'])} | {_fmt(s['OP'])} | {_fmt(s['OR'])} |")
    return md


def write_model_card(path, *, manifest, labels, thr, positives, counts, csv_paths, test_metrics, val_map, ood_metrics,
                     onnx_check, command_line, device_name, train_seconds, args, val_sets=(), test_sets=(),
                     ablation=None, init_description=None, augmentation="horizontal flips", total_steps=None,
                     ema_updates=0, log=()):
    """OUT/README.md: what the bundle is, what it was trained and tested on, how well it did, and its limits."""
    splits = list(counts)
    init_bundle = getattr(args, "init_bundle", None)
    if init_bundle:
        base_text = (f"{manifest['provenance']['base_model']}; fine-tuned further from the bundle "
                     f"`{os.path.abspath(init_bundle)}` ({init_description}): its folded Conv weights and biases were "
                     "loaded, every BatchNorm an identity plus the folded bias, frozen (eval mode) while training.")
    else:
        base_text = (f"{manifest['provenance']['base_model']}; CNTK ResNet-18 ported to PyTorch by "
                     f"`training/port_resnet18.py` (init file `{os.path.abspath(args.init)}`), fine-tuned end to end.")
    ema_decay = getattr(args, "ema", None)
    last = log[-1] if log else {}
    md = [f"# {manifest['name']} (version {manifest['version']})", "",
          manifest["description"], "",
          "Bundle format `edge-model-bundle/1`: `model.onnx` (input `image` "
          f"[N,3,{args.size},{args.size}] BGR 0..255 minus per-channel mean {manifest['input']['mean']}, stretch "
          f"resize; output `logits` [N,{len(labels)}], one sigmoid per label"
          + (f"; also `class_maps` [N,{len(labels)},{args.size // 32},{args.size // 32}]" if args.head == "csra" else "")
          + f") + `manifest.json`. ONNX sha256 `{manifest['sha256']}`.", "",
          "## Base model", "",
          base_text, "",
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
           + f", input {args.size}x{args.size}, {args.epochs} epochs"
           + (f" capped at {total_steps} optimizer steps" if getattr(args, "max_steps", None) else "")
           + f", batch {args.batch}, AdamW peak lr {args.lr:g} "
           f"(one-cycle over the run, warm-up {args.warmup:g}), weight decay {args.wd:g}, loss `{args.loss}`, "
           f"seed {args.seed}",
           f"* augmentation: {augmentation}"
           + ("; BatchNorm frozen (eval mode)" if getattr(args, "freeze_bn", False) else ""),
           (f"* weights: exponential moving average (decay {ema_decay:g}, warm-up min(decay, (1+n)/(10+n)), "
            f"{ema_updates} updates) -- evaluated, thresholded and exported; last logged val mAP raw "
            f"{_fmt(last.get('val_mAP'))}, EMA {_fmt(last.get('val_mAP_ema'))}") if ema_decay else
           "* weights: the final optimizer weights (no EMA)",
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
    if len(test_sets) > 1:
        md += ["", "## Robustness (test families)", "",
               "Every test set, at the thresholds above (the first is the headline test split), in percent:", ""]
        md += set_table_md(test_sets)
    if len(val_sets) > 1:
        md += ["", "## Robustness (validation families)", "",
               f"The thresholds were chosen on the union of these {len(val_sets)} validation sets; each on its own, "
               "at those thresholds, in percent:", ""]
        md += set_table_md(val_sets)
    if ablation:
        import ablation as ablation_report
        md += ["", "## Ablations", ""] + ablation_report.summary_md(ablation)
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
           "sigmoid probability that maximises that label's F1 on the **val** split"
           + (f" (the union of the {len(val_sets)} validation sets)" if len(val_sets) > 1 else "")
           + " (ties: the median of the "
           f"maximisers), shrunk toward the global OF1-optimal threshold with {PRIOR_STRENGTH} pseudo-positives "
           "(labels with few val positives get a threshold close to the global one); "
           f"`off_threshold = max({OFF_MIN}, threshold - {OFF_DELTA})`. The test split was not used for "
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
    ap.add_argument("--val", required=True, action="append",
                    help="validation split folder / labels.csv, or a robustness set folder (robustness.json: every "
                         "family); repeat to mix several; thresholds are chosen on the union, each set is reported")
    ap.add_argument("--test", required=True, action="append",
                    help="test split folder / labels.csv, or a robustness set folder; repeat for several; the first "
                         "set gives the headline test metrics, every set is reported")
    ap.add_argument("--ood", default=None, help="optional out-of-distribution split (labels.csv + PNGs), evaluated "
                                                "like test -> provenance.metrics_ood")
    init = ap.add_mutually_exclusive_group(required=True)
    init.add_argument("--init", help="ported.pt from port_resnet18.py (fp32 or --half)")
    init.add_argument("--init-bundle", metavar="DIR",
                      help="start from this bundle's model.onnx (our own export: BatchNorm folded, head kept; labels, "
                           "head and mean come from it); implies --freeze-bn")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="keep every BatchNorm in eval mode while training (statistics frozen, affine still trained)")
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
    aug = ap.add_argument_group("augmentation (each on its own, for ablations)")
    aug.add_argument("--aug-crop", action="store_true",
                     help="label-safe random resized crops (needs the train split's items.csv)")
    aug.add_argument("--crop-scale", type=float, default=0.35, help="smallest crop area share (with --aug-crop)")
    aug.add_argument("--aug-flip", action=argparse.BooleanOptionalAction, default=True,
                     help="random horizontal flips (default on)")
    aug.add_argument("--aug-jitter", action="store_true",
                     help="brightness / contrast / saturation / colour-cast jitter")
    aug.add_argument("--jitter-strength", type=float, default=0.4, help="jitter factor range 1 +- this")
    aug.add_argument("--mix", choices=["none", "mixup", "cutmix", "both"], default="none",
                     help="mixup (lambda-weighted soft labels) and/or cutmix (box-aware soft labels, needs items.csv)")
    aug.add_argument("--mix-prob", type=float, default=0.5, help="share of batches mixed")
    aug.add_argument("--mixup-alpha", type=float, default=0.4, help="mixup lambda ~ Beta(alpha, alpha)")
    aug.add_argument("--cutmix-alpha", type=float, default=1.0, help="cutmix area share ~ Beta(alpha, alpha)")
    ap.add_argument("--ema", type=float, default=None, metavar="DECAY",
                    help="evaluate, threshold and export an exponential moving average of the weights (e.g. 0.999; "
                         "warm-up decay min(DECAY, (1+n)/(10+n)))")
    ap.add_argument("--max-steps", type=int, default=None,
                    help="cap the optimizer steps (the one-cycle schedule spans the capped run)")
    ap.add_argument("--train-images", type=int, default=None, help="use only the first N train scenes")
    ap.add_argument("--eval-every", type=int, default=None, metavar="STEPS",
                    help="evaluate on val every STEPS steps and at the end (0: only at the end); default: each epoch")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch CPU threads")
    ap.add_argument("--ablation", default=None, metavar="FILE",
                    help="ablation.json (training/ablation.py) to summarise in the model card")
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
    ablation = None
    if args.ablation:
        try:
            with open(args.ablation, encoding="utf-8") as f:
                ablation = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit(f"--ablation {args.ablation}: not readable JSON ({e})")
        if not isinstance(ablation, dict) or not isinstance(ablation.get("arms"), list):
            raise SystemExit(f"--ablation {args.ablation}: expected training/ablation.py's ablation.json "
                             "(an object with 'arms')")
    for flag in ("max_steps", "train_images", "threads"):
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            raise SystemExit(f"--{flag.replace('_', '-')} must be at least 1, got {getattr(args, flag)}")
    if args.eval_every is not None and args.eval_every < 0:
        raise SystemExit(f"--eval-every must be 0 (only at the end) or a number of steps, got {args.eval_every}")
    if args.ema is not None and not 0.0 < args.ema < 1.0:
        raise SystemExit(f"--ema must be a decay between 0 and 1 (e.g. 0.999), got {args.ema}")
    if not 0.0 <= args.mix_prob <= 1.0:
        raise SystemExit(f"--mix-prob must be within 0..1, got {args.mix_prob}")
    if not 0.0 < args.crop_scale <= 1.0:
        raise SystemExit(f"--crop-scale must be an area share in (0, 1], got {args.crop_scale}")
    if not 0.0 <= args.jitter_strength < 1.0:
        raise SystemExit(f"--jitter-strength must be within [0, 1), got {args.jitter_strength}")
    for name, alpha in (("--mixup-alpha", args.mixup_alpha), ("--cutmix-alpha", args.cutmix_alpha)):
        if not alpha > 0:
            raise SystemExit(f"{name} must be positive (a Beta distribution parameter), got {alpha}")
    bundle = None
    if args.init_bundle:
        try:
            bundle = bundle_init.describe_bundle(args.init_bundle)
        except bundle_init.BundleInitError as e:
            raise SystemExit(str(e))
        args.freeze_bn = True
        args.head, args.csra_lambda = bundle["head"], bundle["csra_lambda"] or args.csra_lambda
    try:
        val_sets = valsets.expand(args.val, "--val")
        test_sets = valsets.expand(args.test, "--test")
    except valsets.SetsError as e:
        raise SystemExit(str(e))
    if args.aug_crop or args.mix in ("cutmix", "both"):  # fail before decoding anything
        try:
            augment.items_csv_path(args.train)
        except augment.ItemsError as e:
            raise SystemExit(str(e))
    split_names = ("train", "val", "test") + (("ood",) if args.ood else ())
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()

    # ---- data (decoded before CUDA is touched, so forked workers are safe)
    # Every val and test set is read and decoded on its own; "val" is their union (thresholds), "test" the first test
    # set (headline metrics).
    set_rows = {("val", s["name"]): read_rows(s["location"], args.limit) for s in val_sets}
    set_rows.update({("test", s["name"]): read_rows(s["location"], args.limit) for s in test_sets})
    rows = {"train": read_rows(args.train, args.train_images if args.train_images else args.limit)}
    if args.ood:
        rows["ood"] = read_rows(args.ood, args.limit)
    if bundle is not None:  # the head's outputs are the bundle's labels
        labels = list(bundle["labels"])
    elif args.labels == "auto":  # vocabulary = ordinal-sorted union of the train labels
        labels = ordinal_sorted(n for _, names in rows["train"][2] for n in names)
        if not labels:
            raise SystemExit(f"{rows['train'][0]}: no labels at all in the train split")
    else:
        labels = list(LABELS)
    targets = {split: to_targets(rows[split][0], rows[split][2], labels, split) for split in rows}
    set_targets = {key: to_targets(r[0], r[2], labels, key[0]) for key, r in set_rows.items()}
    print(f"labels ({len(labels)}, {'bundle' if bundle else args.labels}): {', '.join(labels)}", flush=True)
    splits, image_sizes, set_images = {}, {}, {}
    for key in list(rows) + list(set_rows):
        t0 = time.time()
        r = rows[key] if key in rows else set_rows[key]
        y = targets[key] if key in rows else set_targets[key]
        imgs, image_sizes[key] = load_images(r[1], args.size, args.workers)
        if key in rows:
            splits[key] = (imgs, y)
        else:
            set_images[key] = imgs
        name = key if isinstance(key, str) else f"{key[0]} set '{key[1]}'"
        print(f"{name}: {len(y)} images, {int(y.sum())} labels, mean {y.sum(1).mean():.2f}/image, "
              f"loaded in {time.time() - t0:.1f}s", flush=True)
    val_keys = [("val", s["name"]) for s in val_sets]
    test_keys = [("test", s["name"]) for s in test_sets]
    val_ranges = valsets.ranges([len(set_targets[k]) for k in val_keys])
    splits["val"] = (np.concatenate([set_images.pop(k) for k in val_keys]) if len(val_keys) > 1
                     else set_images.pop(val_keys[0]), np.concatenate([set_targets[k] for k in val_keys]))
    splits["test"] = (set_images[test_keys[0]], set_targets[test_keys[0]])
    rows["test"] = set_rows[test_keys[0]]
    csv_paths = {key: os.path.abspath(r[0]) for key, r in rows.items()}
    csv_paths["val"] = ", ".join(os.path.abspath(set_rows[k][0]) for k in val_keys)
    items = None
    if args.aug_crop or args.mix in ("cutmix", "both"):
        try:
            items = augment.read_items(args.train, rows["train"][1], splits["train"][1], labels, args.size,
                                       image_sizes["train"])
        except augment.ItemsError as e:
            raise SystemExit(str(e))
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
    if not cuda:
        torch.set_num_threads(args.threads)
    device_name = f"cuda: {torch.cuda.get_device_name(device)}" if cuda else f"cpu: {torch.get_num_threads()} threads"
    amp_dtype = torch.bfloat16 if cuda else None
    if cuda:
        torch.backends.cudnn.benchmark = not args.deterministic
        torch.backends.cudnn.deterministic = args.deterministic
        set_tf32(True)
    print(f"device {device_name}, torch {torch.__version__}, python {platform.python_version()}, "
          f"amp {'bf16' if amp_dtype else 'off'}, channels_last {cuda}", flush=True)

    # ---- model
    model = MultiLabelNet(len(labels), head=args.head, csra_lambda=args.csra_lambda)
    if bundle is not None:
        mean_bgr = list(bundle["mean_bgr"])
        try:
            bundle_init.load_bundle_weights(model, bundle, args.size)
        except bundle_init.BundleInitError as e:
            raise SystemExit(str(e))
        rel, evaluator = bundle_init.verify_load(model, bundle, seed=args.seed)
        bundle["verification"] = {"max_rel_err": rel, "evaluator": evaluator, "tolerance": bundle_init.TOLERANCE}
        if not rel <= bundle_init.TOLERANCE:
            raise SystemExit(f"--init-bundle {args.init_bundle}: loaded model disagrees with its model.onnx on two "
                             f"seeded images (max rel. error {rel:.2e} > {bundle_init.TOLERANCE:g}, {evaluator})")
        print(f"init: bundle {args.init_bundle} ({bundle['manifest'].get('name')} "
              f"{bundle['manifest'].get('version')}, head {args.head}); logits vs its ONNX: max rel err {rel:.2e} "
              f"({evaluator}); BatchNorm frozen", flush=True)
    else:
        sd, meta = load_ported(args.init)
        mean_bgr = [float(np.float32(v)) for v in meta["mean_bgr"]]
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
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    epochs_run = math.ceil(total_steps / steps_per_epoch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, one_cycle(total_steps, args.warmup))
    criterion = AsymmetricLoss(4.0, 0.0, 0.05) if args.loss == "asl" else BCELoss()
    gen_cpu = torch.Generator().manual_seed(args.seed)
    try:
        augmenter = augment.Augmenter(args.size, len(labels), args.seed + 1,
                                      crop_min_scale=args.crop_scale if args.aug_crop else None, flip=args.aug_flip,
                                      jitter=args.jitter_strength if args.aug_jitter else None, mix=args.mix,
                                      mix_prob=args.mix_prob, mixup_alpha=args.mixup_alpha,
                                      cutmix_alpha=args.cutmix_alpha, items=items)
    except augment.ItemsError as e:
        raise SystemExit(str(e))
    ema = ModelEma(model, args.ema) if args.ema else None

    def train_mode():
        model.train()
        if args.freeze_bn:
            bundle_init.freeze_batchnorm(model)

    print(f"training: {n_train} scenes, {total_steps} steps ({epochs_run} epoch(s) of up to {steps_per_epoch}), "
          f"batch {args.batch}, AdamW lr {args.lr:g} (one-cycle), wd {args.wd:g}, loss {args.loss}, head {args.head}"
          + (f" (lambda {args.csra_lambda:g})" if args.head == "csra" else "")
          + f"; augmentation: {augmenter.describe()}" + (f"; EMA {args.ema:g}" if ema else "")
          + ("; BatchNorm frozen" if args.freeze_bn else ""), flush=True)
    log = []
    last_eval = {}  # val logits of the final weights when the last log entry evaluated them (reused below on CPU)

    def evaluate(epoch, step, loss_sum, loss_steps, images, seconds):
        val_logits = predict(model, val_u8, prep, args.eval_batch, amp_dtype)
        entry = {"epoch": epoch, "step": step, "train_loss": round(loss_sum / max(1, loss_steps), 5),
                 "val_mAP": round(mean_ap(val_logits, val_y)[0], 3), "lr_end": sched.get_last_lr()[0],
                 "train_seconds": round(seconds, 2), "images_per_second": round(images / max(seconds, 1e-9), 1)}
        final_logits = val_logits
        if ema is not None:
            final_logits = predict(ema.module, val_u8, prep, args.eval_batch, amp_dtype)
            entry["val_mAP_ema"] = round(mean_ap(final_logits, val_y)[0], 3)
        if step == total_steps:
            last_eval["val_logits"] = final_logits
        log.append(entry)
        print(f"epoch {epoch:3d}/{epochs_run} step {step:6d}/{total_steps}  loss {entry['train_loss']:.4f}  "
              f"val mAP {entry['val_mAP']:6.2f}" + (f" (EMA {entry['val_mAP_ema']:6.2f})" if ema else "")
              + f"  {entry['images_per_second']:.1f} img/s  {seconds:.1f}s", flush=True)
        train_mode()

    t_train = time.time()
    step = 0
    loss_sum, loss_steps, images_seen, busy = torch.zeros((), device=device), 0, 0, 0.0
    for epoch in range(1, epochs_run + 1):
        train_mode()
        perm = torch.randperm(n_train, generator=gen_cpu)
        for s in range(steps_per_epoch):
            if step >= total_steps:
                break
            t0 = time.time()
            idx = perm[s * args.batch:(s + 1) * args.batch]
            u8 = train_u8[idx.to(store)]  # [B,H,W,3]
            y = train_y[idx.to(device)]
            x, y = augmenter(u8.to(device, non_blocking=True), y, idx)
            x = prep.nchw(x)
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
            if ema is not None:
                ema.update(model)
            loss_sum += loss.detach()
            loss_steps += 1
            step += 1
            images_seen += len(idx)
            if cuda:
                torch.cuda.synchronize()
            busy += time.time() - t0
            if args.eval_every is None:  # default: at the end of every epoch
                due = s == steps_per_epoch - 1 or step == total_steps
            else:  # every N steps (0: never) and at the end
                due = step == total_steps or (args.eval_every > 0 and step % args.eval_every == 0)
            if due:
                evaluate(epoch, step, float(loss_sum), loss_steps, images_seen, busy)
                loss_sum, loss_steps, images_seen, busy = torch.zeros((), device=device), 0, 0, 0.0
    train_seconds = time.time() - t_train
    if augmenter.stats["crops"] or augmenter.stats["uncropped"]:
        st = augmenter.stats
        print(f"label-safe crops: {st['crops']} cropped, {st['uncropped']} left whole (no valid crop in "
              f"{augment.CROP_TRIES} tries), {st['labels_dropped']} labels dropped", flush=True)
    if ema is not None:
        print(f"evaluating, thresholding and exporting the EMA weights (decay {args.ema:g}, {ema.updates} updates)")
    final_model = ema.module if ema is not None else model

    # ---- final fp32 evaluation (no autocast, no TF32: what the fp32 ONNX computes)
    set_tf32(False)
    val_logits = last_eval["val_logits"] if (not cuda and "val_logits" in last_eval) else \
        predict(final_model, val_u8, prep, args.eval_batch)
    test_logits = predict(final_model, test_u8, prep, args.eval_batch)
    val_map = mean_ap(val_logits, val_y)[0]
    thr, val_set_metrics, val_union = thresholds_on_union(val_logits, val_y, val_sets, val_ranges, labels)
    thresholds = [t["threshold"] for t in thr]
    test_metrics = full_metrics(test_logits, test_y, thresholds, labels)
    val_clean_map, val_shifted_map = valsets.shifted_summary(val_set_metrics)
    test_set_metrics = []
    for spec, key in zip(test_sets, test_keys):
        if key == test_keys[0]:
            m = test_metrics
        else:
            m = full_metrics(predict(final_model, torch.from_numpy(set_images[key]).to(store), prep, args.eval_batch),
                             set_targets[key], thresholds, labels)
        test_set_metrics.append({"name": spec["name"], "kind": spec["kind"], "path": os.path.abspath(spec["location"]),
                                 **{k: m[k] for k in SET_METRIC_KEYS}, "per_label": m["per_label"]})
    print(f"val mAP {val_map:.2f}; thresholds {thresholds}")
    if len(val_sets) > 1:
        print_set_table("validation sets (thresholds chosen on their union)", val_set_metrics)
    print(f"TEST ({test_metrics['images']} scenes): mAP {test_metrics['mAP']:.2f}  CF1 {test_metrics['CF1']:.2f}  "
          f"OF1 {test_metrics['OF1']:.2f}  CP {test_metrics['CP']:.2f}  CR {test_metrics['CR']:.2f}  "
          f"OP {test_metrics['OP']:.2f}  OR {test_metrics['OR']:.2f}  example-F1 {test_metrics['example_f1']:.2f}  "
          f"subset-acc {test_metrics['subset_accuracy']:.2f}")
    for pl in test_metrics["per_label"]:
        print(f"  {pl['label']:<11} AP {pl['ap'] if pl['ap'] is not None else float('nan'):7.2f}  "
              f"P {pl['precision']:6.2f}  R {pl['recall']:6.2f}  F1 {pl['f1']:6.2f}  support {pl['support']}")
    if test_metrics["labels_without_positives"]:
        print(f"  ({test_metrics['labels_without_positives']} labels without positives skipped in mAP)")
    if len(test_sets) > 1:
        print_set_table("test sets (the first gives the headline metrics)", test_set_metrics)
    ood_metrics = ood_logits = None
    if args.ood:
        ood_logits = predict(final_model, ood_u8, prep, args.eval_batch)
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
    cpu_model = copy.deepcopy(final_model).float().cpu().to(memory_format=torch.contiguous_format).eval()
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
    if bundle is not None:
        base_model = bundle["manifest"].get("provenance", {}).get("base_model", "unknown")
        init_description = (f"bundle {bundle['manifest'].get('name')} {bundle['manifest'].get('version')} "
                            f"(model.onnx sha256 {bundle['sha256']}; loaded with max rel. error "
                            f"{bundle['verification']['max_rel_err']:.1e})")
    else:
        base_model = (f"Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (ImageNet, MIT), sha256 "
                      f"{meta.get('source_sha256', 'unknown')}")
        init_description = "ported ImageNet backbone, new head"
    default_generator = "edge dataset multifashion" if args.labels == "multifashion" else "labels.csv"
    data = {"generator": data_info.get("generator", default_generator)}
    for split in split_names:
        given = dict(data_info.get(split, {}))
        given["count"] = int(len(splits[split][1]))
        if args.labels == "multifashion":
            given.setdefault("seed", None)
        else:
            given.setdefault("path", csv_paths[split])
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
    training.update({"size": args.size, "seed": args.seed, "device": device_name, "seconds": round(train_seconds, 1),
                     "steps": total_steps, "init": init_description, "freeze_bn": bool(args.freeze_bn),
                     "augmentation": augmenter.describe(), "ema": args.ema})
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
        "output": {"name": "logits", "kind": "logits", **({"maps": "class_maps"} if csra else {})},
        "batch": {"dynamic": True, "max": 8},
        "labels": [{"name": n, "threshold": t["threshold"], "off_threshold": t["off_threshold"]}
                   for n, t in zip(labels, thr)],
        "provenance": {
            "base_model": base_model,
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
    if len(val_sets) > 1 or len(test_sets) > 1:
        def compact(per_set):
            return [{k: s_[k] for k in ("name", "kind", "images", "mAP", "OF1", "OP", "OR")} for s_ in per_set]
        manifest["provenance"]["robustness"] = {
            "val": compact(val_set_metrics), "test": compact(test_set_metrics),
            "note": "thresholds chosen on the union of the val sets; the first test set is provenance.metrics"}
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
                         csv_paths={sp: csv_paths[sp] for sp in split_names},
                         test_metrics=test_metrics, val_map=val_map, ood_metrics=ood_metrics, onnx_check=onnx_check,
                         command_line=command_line, device_name=device_name, train_seconds=train_seconds, args=args,
                         val_sets=val_set_metrics, test_sets=test_set_metrics, ablation=ablation,
                         init_description=init_description, augmentation=augmenter.describe(), total_steps=total_steps,
                         ema_updates=ema.updates if ema else 0, log=log)
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump({"args": vars(args), "command_line": command_line, "labels": labels, "device": device_name, "torch": torch.__version__,
                   "python": platform.python_version(), "load_seconds": round(load_seconds, 1),
                   "train_seconds": round(train_seconds, 1), "total_seconds": round(time.time() - t_start, 1),
                   "epochs": log}, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump({"test": test_metrics, "val_mAP": round(val_map, 3),
                   "val_sets": val_set_metrics,
                   "val_union": val_union,
                   "val_clean_mAP": val_clean_map, "val_shifted_mean_mAP": val_shifted_map,
                   "test_sets": test_set_metrics,
                   "weights": "ema" if ema else "raw",
                   **({"ema": {"decay": args.ema, "updates": ema.updates,
                               "val_mAP_raw_last_log": log[-1]["val_mAP"] if log else None,
                               "val_mAP_ema_last_log": log[-1].get("val_mAP_ema") if log else None}} if ema else {}),
                   "init": init_description, "augmentation": augmenter.describe(),
                   "augmentation_counts": augmenter.stats, "steps": total_steps,
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
