"""ablation.py's table and deltas, and the model card's Robustness and Ablations sections."""
import argparse
import os
import tempfile
import unittest

import numpy as np

import _paths  # noqa: F401
import ablation
from train_multilabel import choose_thresholds, full_metrics, write_model_card

LABELS = ["a", "b"]


def arm(name, clean, shifted, mix, of1, flags=()):
    return {"name": name, "flags": list(flags), "status": "ok", "val_mAP_clean": clean,
            "val_mAP_shifted_mean": shifted, "val_mAP_mix": mix, "val_OF1": of1}


class AblationTests(unittest.TestCase):
    def test_deltas_are_against_the_first_arm(self):
        arms = ablation.with_deltas([arm("base", 90.0, 70.0, 80.0, 75.0), arm("crop", 91.5, 74.0, 82.0, 76.0,
                                                                              ["--aug-crop"])])
        self.assertEqual(arms[0]["delta_vs_first"], {"val_mAP_clean": 0.0, "val_mAP_shifted_mean": 0.0,
                                                     "val_mAP_mix": 0.0, "val_OF1": 0.0})
        self.assertEqual(arms[1]["delta_vs_first"], {"val_mAP_clean": 1.5, "val_mAP_shifted_mean": 4.0,
                                                     "val_mAP_mix": 2.0, "val_OF1": 1.0})

    def test_table_has_a_row_per_arm_and_a_failed_arm_keeps_the_table_intact(self):
        arms = ablation.with_deltas([arm("base", 90.0, 70.0, 80.0, 75.0),
                                     {"name": "bad", "flags": ["--mix", "x"], "status": "failed",
                                      "error": "exit 2: choose from a | b"}])
        md = ablation.summary_md({"steps": 10, "init": "bundle x", "val_sets_count": 3, "arms": arms})
        rows = [line for line in md if line.startswith("| ") and not line.startswith("| arm")]
        self.assertEqual(len(rows), 2)
        self.assertIn("| base | `(none)` | 90.00 | 70.00 | 80.00 | 75.00 | +0.00 | +0.00 | +0.00 |", rows[0])
        self.assertEqual(rows[1].count("|"), md[2].count("|"))

    def test_arm_needs_a_name_and_flags(self):
        self.assertEqual(ablation.parse_arm("crop=--aug-crop --crop-scale 0.5"), ("crop", "--aug-crop --crop-scale 0.5"))
        with self.assertRaises(SystemExit):
            ablation.parse_arm("--aug-crop")


class ModelCardTests(unittest.TestCase):
    def test_card_has_robustness_and_ablation_sections(self):
        rng = np.random.default_rng(1)
        y = (rng.random((40, 2)) < 0.5).astype(np.float32)
        lg = np.where(y > 0, 1.0, -1.0) + rng.normal(0, 1, y.shape)
        thr = choose_thresholds(lg, y)
        m = full_metrics(lg, y, [t["threshold"] for t in thr], LABELS)
        sets = [{"name": "clean", "kind": "clean", **m}, {"name": "tint", "kind": "appearance", **m, "mAP": m["mAP"] - 5}]
        args = argparse.Namespace(size=64, head="csra", csra_lambda=0.2, epochs=1, batch=8, lr=1e-3, warmup=0.2,
                                  wd=0.01, loss="asl", seed=0, labels="auto", init=None, init_bundle="/b",
                                  max_steps=5, freeze_bn=True, ema=0.999)
        manifest = {"name": "n", "version": "1", "description": "d", "sha256": "s", "input": {"mean": [1, 2, 3]},
                    "provenance": {"base_model": "base"}}
        doc = {"steps": 5, "init": "bundle /b", "val_sets_count": 2,
               "arms": ablation.with_deltas([arm("base", 90.0, 70.0, 80.0, 75.0)])}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "README.md")
            write_model_card(path, manifest=manifest, labels=LABELS, thr=thr,
                             positives={s: y.sum(0) for s in ("train", "val", "test")},
                             counts={s: 40 for s in ("train", "val", "test")},
                             csv_paths={s: f"/{s}.csv" for s in ("train", "val", "test")}, test_metrics=m,
                             val_map=m["mAP"], ood_metrics=None, onnx_check={"runtime": "x"}, command_line=["t"],
                             device_name="cpu", train_seconds=1.0, args=args, val_sets=sets, test_sets=sets,
                             ablation=doc, init_description="bundle n 1", augmentation="horizontal flips",
                             total_steps=5, ema_updates=5, log=[{"val_mAP": 80.0, "val_mAP_ema": 81.0}])
            with open(path) as f:
                card = f.read()
        self.assertIn("## Robustness (validation families)", card)
        self.assertIn("| `tint` | appearance | 40 |", card)
        self.assertIn("-5.00", card)
        self.assertIn("## Robustness (test families)", card)
        self.assertIn("## Ablations", card)
        self.assertIn("| base | `(none)` | 90.00", card)
        self.assertIn("union of the 2 validation sets", card)
        self.assertIn("exponential moving average (decay 0.999", card)
        self.assertIn("fine-tuned further from the bundle `/b`", card)
        self.assertNotIn("{OFF_MIN}", card)


if __name__ == "__main__":
    unittest.main()
