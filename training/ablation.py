#!/usr/bin/env python3
"""Ablation of the training recipe: every arm (a set of train_multilabel.py flags) trains from the same init on the
same data for the same number of optimizer steps and is evaluated on the same validation mix.

    python3 training/ablation.py --train D --val D [--val D ...] [--test D] (--init-bundle DIR | --init P.pt) \
        --out OUT --max-steps N [--arm NAME='FLAGS' ...] [-- COMMON TRAINER FLAGS]

Without --arm the default arms run: baseline (flips only), +crop, +jitter, +mixup, +cutmix, +ema and all of them.
Writes OUT/ablation.json and OUT/ablation.md (arm, flags, val mAP on the first validation set ("clean"), mean val
mAP over the other sets ("shifted mean"), val mAP and OF1 on the union, and the differences to the first arm); each
arm's own outputs stay in OUT/arms/NAME/. `train_multilabel.py --ablation OUT/ablation.json` puts the table into the
model card. Exits 1 when an arm failed (its row says so).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

FORMAT = "edge-training-ablation/1"
DEFAULT_ARMS = [
    ("baseline", ""),
    ("crop", "--aug-crop"),
    ("jitter", "--aug-jitter"),
    ("mixup", "--mix mixup"),
    ("cutmix", "--mix cutmix"),
    ("ema", "--ema 0.999"),
    ("all", "--aug-crop --aug-jitter --mix both --ema 0.999"),
]
METRICS = ("val_mAP_clean", "val_mAP_shifted_mean", "val_mAP_mix", "val_OF1")


def _fmt(v, signed=False):
    if v is None:
        return "n/a"
    return f"{v:+.2f}" if signed else f"{v:.2f}"


def summary_md(doc):
    """Markdown lines: the ablation table (for ablation.md and the model card's Ablations section)."""
    md = [f"Each arm trained {doc.get('steps')} optimizer steps from the same init ({doc.get('init')}) on the same "
          f"data and was evaluated on the same validation mix ({doc.get('val_sets_count', '?')} sets; 'clean' = the "
          "first set, 'shifted mean' = the mean mAP of the others, 'mix' = the union the thresholds are chosen on). "
          "Differences are to the first arm. Percent.", "",
          "| arm | flags | val mAP clean | val mAP shifted mean | val mAP mix | val OF1 | Δ clean | Δ shifted | Δ mix |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for arm in doc.get("arms", []):
        flags = " ".join(arm.get("flags", [])) or "(none)"
        if arm.get("status") != "ok":
            error = str(arm.get("error", "?")).replace("|", "/")
            md.append(f"| {arm['name']} | `{flags}` | failed: {error} | | | | | | |")
            continue
        d = arm.get("delta_vs_first", {})
        md.append(f"| {arm['name']} | `{flags}` | {_fmt(arm['val_mAP_clean'])} | {_fmt(arm['val_mAP_shifted_mean'])} "
                  f"| {_fmt(arm['val_mAP_mix'])} | {_fmt(arm['val_OF1'])} | {_fmt(d.get('val_mAP_clean'), True)} | "
                  f"{_fmt(d.get('val_mAP_shifted_mean'), True)} | {_fmt(d.get('val_mAP_mix'), True)} |")
    return md


def arm_result(metrics):
    """The ablation numbers of one arm from its metrics.json."""
    return {"val_mAP_clean": metrics.get("val_clean_mAP"), "val_mAP_shifted_mean": metrics.get("val_shifted_mean_mAP"),
            "val_mAP_mix": metrics.get("val_union", {}).get("mAP"), "val_OF1": metrics.get("val_union", {}).get("OF1"),
            "val_sets": [{k: s[k] for k in ("name", "kind", "images", "mAP", "OF1", "OP", "OR")}
                         for s in metrics.get("val_sets", [])]}


def with_deltas(arms):
    """Adds delta_vs_first (each metric minus the first arm's) to every successful arm; none when the first failed."""
    first = arms[0] if arms and arms[0].get("status") == "ok" else None
    for arm in arms:
        if arm.get("status") == "ok" and first is not None:
            arm["delta_vs_first"] = {k: (round(arm[k] - first[k], 3) if arm.get(k) is not None and
                                         first.get(k) is not None else None) for k in METRICS}
    return arms


def parse_arm(text):
    if "=" not in text:
        raise SystemExit(f"--arm {text!r}: expected NAME='FLAGS' (e.g. crop='--aug-crop')")
    name, flags = text.split("=", 1)
    if not name.strip() or "/" in name:
        raise SystemExit(f"--arm {text!r}: the name must be non-empty and contain no '/'")
    return name.strip(), flags


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    common = []
    if "--" in argv:
        common = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True, action="append")
    ap.add_argument("--test", action="append", help="default: the first --val (arms are compared on val only)")
    init = ap.add_mutually_exclusive_group(required=True)
    init.add_argument("--init")
    init.add_argument("--init-bundle")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-steps", type=int, required=True, help="optimizer steps of every arm")
    ap.add_argument("--arm", action="append", default=[], metavar="NAME='FLAGS'",
                    help="an arm; repeat; the first is the reference for the differences")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args(argv)
    if args.max_steps < 1:
        raise SystemExit(f"--max-steps must be at least 1, got {args.max_steps}")
    arms = [parse_arm(a) for a in args.arm] if args.arm else list(DEFAULT_ARMS)
    names = [n for n, _ in arms]
    if len(set(names)) != len(names):
        raise SystemExit(f"--arm names must be unique, got {names}")
    trainer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_multilabel.py")
    base = ["--train", args.train, "--max-steps", str(args.max_steps), "--no-card"]
    for v in args.val:
        base += ["--val", v]
    for t in (args.test or args.val[:1]):
        base += ["--test", t]
    base += ["--init-bundle", args.init_bundle] if args.init_bundle else ["--init", args.init]
    os.makedirs(args.out, exist_ok=True)
    results = []
    for name, flags in arms:
        out = os.path.join(args.out, "arms", name)
        arm_flags = shlex.split(flags)
        cmd = [args.python, trainer] + base + ["--out", out] + common + arm_flags
        print(f"== arm {name}: {' '.join(shlex.quote(c) for c in arm_flags) or '(no extra flags)'}", flush=True)
        t0 = time.time()
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "train.log"), "w") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        entry = {"name": name, "flags": arm_flags, "out": os.path.abspath(out), "seconds": round(time.time() - t0, 1)}
        metrics_path = os.path.join(out, "metrics.json")
        if rc == 0 and os.path.isfile(metrics_path):
            with open(metrics_path, encoding="utf-8") as f:
                entry.update(status="ok", **arm_result(json.load(f)))
            print(f"   val mAP clean {_fmt(entry['val_mAP_clean'])}, shifted mean "
                  f"{_fmt(entry['val_mAP_shifted_mean'])}, mix {_fmt(entry['val_mAP_mix'])}, OF1 "
                  f"{_fmt(entry['val_OF1'])} ({entry['seconds']:.0f} s)", flush=True)
        else:
            with open(os.path.join(out, "train.log"), encoding="utf-8", errors="replace") as f:
                tail = [line.strip() for line in f if line.strip()][-1:] or ["no output"]
            entry.update(status="failed", error=f"exit {rc}: {tail[0][:200]}")
            print(f"   FAILED ({entry['error']}); log: {out}/train.log", flush=True)
        results.append(entry)
    doc = {"format": FORMAT, "steps": args.max_steps, "train": os.path.abspath(args.train),
           "val": [os.path.abspath(v) for v in args.val], "val_sets_count": max(
               (len(r.get("val_sets", [])) for r in results), default=0),
           "init": f"bundle {os.path.abspath(args.init_bundle)}" if args.init_bundle else os.path.abspath(args.init),
           "common_flags": common, "arms": with_deltas(results)}
    with open(os.path.join(args.out, "ablation.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "ablation.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(["# Training ablation", ""] + summary_md(doc) + [""]))
    print("\n".join(summary_md(doc)[2:]))
    print(f"wrote {args.out}/ablation.json and ablation.md")
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
