"""Validation mix: --val / --test expand to sets (robustness sets to their families), thresholds are chosen on the
union and every set is reported on its own at those thresholds."""
import json
import os
import shutil
import tempfile
import unittest

import numpy as np

import _paths  # noqa: F401
import valsets
from train_multilabel import choose_thresholds, full_metrics, thresholds_on_union

LABELS = ["a", "b"]


def make_split(folder, rows=(("x.png", "a"),)):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "labels.csv"), "w") as f:
        f.write("image,labels\n" + "".join(f"{i},{l}\n" for i, l in rows))


class ExpandTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def robustness_set(self, name, families):
        root = os.path.join(self.tmp, name)
        for fam, _ in families:
            make_split(os.path.join(root, fam))
        with open(os.path.join(root, "robustness.json"), "w") as f:
            json.dump({"format": "edge-robustness-set/1", "split": "val", "seed": 1, "count": 1, "size": 64,
                       "families": [{"name": fam, "folder": fam, "kind": kind, "description": "", "parameters": {}}
                                    for fam, kind in families]}, f)
        return root

    def test_robustness_set_stands_for_every_family_in_index_order(self):
        root = self.robustness_set("rob", [("clean", "clean"), ("tint", "appearance"), ("out-of-context", "context")])
        sets = valsets.expand([root], "--val")
        self.assertEqual([(s["name"], s["kind"]) for s in sets],
                         [("clean", "clean"), ("tint", "appearance"), ("out-of-context", "context")])
        self.assertEqual(sets[1]["location"], os.path.join(root, "tint"))

    def test_plain_folders_and_csvs_are_named_after_their_folder_and_repeats_get_a_suffix(self):
        make_split(os.path.join(self.tmp, "val"))
        make_split(os.path.join(self.tmp, "other", "val"))
        sets = valsets.expand([os.path.join(self.tmp, "val"), os.path.join(self.tmp, "other", "val", "labels.csv")],
                              "--val")
        self.assertEqual([s["name"] for s in sets], ["val", "val-2"])
        self.assertEqual({s["kind"] for s in sets}, {"folder"})

    def test_wrong_index_format_is_one_line_naming_the_file(self):
        root = self.robustness_set("bad", [("clean", "clean")])
        with open(os.path.join(root, "robustness.json"), "w") as f:
            json.dump({"format": "something-else", "families": []}, f)
        with self.assertRaises(valsets.SetsError) as e:
            valsets.expand([root], "--val")
        self.assertIn("robustness.json", str(e.exception))
        self.assertIn("edge-robustness-set/1", str(e.exception))
        self.assertNotIn("\n", str(e.exception))

    def test_family_folder_without_labels_is_refused(self):
        root = self.robustness_set("gap", [("clean", "clean"), ("noise", "appearance")])
        os.remove(os.path.join(root, "noise", "labels.csv"))
        with self.assertRaises(valsets.SetsError) as e:
            valsets.expand([root], "--val")
        self.assertIn("'noise'", str(e.exception))


class UnionThresholdTests(unittest.TestCase):
    def test_thresholds_come_from_the_union_and_each_set_is_reported_at_them(self):
        rng = np.random.default_rng(0)
        # set 1: well separated scores; set 2: positives score lower (a shifted family)
        y1 = (rng.random((200, 2)) < 0.4).astype(np.float32)
        y2 = (rng.random((100, 2)) < 0.4).astype(np.float32)
        l1 = np.where(y1 > 0, 2.0, -2.0) + rng.normal(0, 0.8, y1.shape)
        l2 = np.where(y2 > 0, 0.0, -2.0) + rng.normal(0, 0.8, y2.shape)
        logits, targets = np.concatenate([l1, l2]), np.concatenate([y1, y2])
        sets = [{"name": "clean", "kind": "clean", "location": "c"}, {"name": "dim", "kind": "appearance",
                                                                       "location": "d"}]
        thr, per_set, union = thresholds_on_union(logits, targets, sets, valsets.ranges([200, 100]), LABELS)
        self.assertEqual(thr, choose_thresholds(logits, targets))
        self.assertNotEqual([t["threshold"] for t in thr], [t["threshold"] for t in choose_thresholds(l1, y1)])
        at = [t["threshold"] for t in thr]
        for s, (lg, y) in zip(per_set, [(l1, y1), (l2, y2)]):
            want = full_metrics(lg, y, at, LABELS)
            for k in ("images", "mAP", "OF1", "OP", "OR"):
                self.assertEqual(s[k], want[k], f"{s['name']} {k}")
        self.assertEqual(union["images"], 300)
        self.assertEqual(union["mAP"], full_metrics(logits, targets, at, LABELS)["mAP"])
        self.assertGreater(per_set[0]["mAP"], per_set[1]["mAP"])
        clean, shifted = valsets.shifted_summary(per_set)
        self.assertEqual((clean, shifted), (per_set[0]["mAP"], round(per_set[1]["mAP"], 3)))

    def test_ranges_cover_the_concatenation(self):
        self.assertEqual(valsets.ranges([3, 0, 2]), [(0, 3), (3, 3), (3, 5)])


if __name__ == "__main__":
    unittest.main()
