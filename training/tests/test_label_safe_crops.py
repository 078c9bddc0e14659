"""Label-safe crops: a property test over random synthetic scenes whose items overlap (the true visible region of
each item is rasterised exactly, so the test knows what the crop rule can only bound), plus the crop resampler."""
import unittest

import numpy as np
import torch

import _paths  # noqa: F401
import augment

SIZE = 64
LABELS = 5


def random_scene(rng, max_items=4):
    """Integer square boxes drawn in order (later ones on top), their classes and true visibility masks."""
    n = int(rng.integers(1, max_items + 1))
    boxes, classes = [], []
    for _ in range(n):
        side = int(rng.integers(8, 40))
        x0, y0 = int(rng.integers(0, SIZE - side + 1)), int(rng.integers(0, SIZE - side + 1))
        boxes.append((x0, y0, x0 + side, y0 + side))
        classes.append(int(rng.integers(0, LABELS)))
    masks = []
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        m = np.zeros((SIZE, SIZE), bool)
        m[y0:y1, x0:x1] = True
        for (a0, b0, a1, b1) in boxes[i + 1:]:
            m[b0:b1, a0:a1] = False
        masks.append(m)
    visible = [m.sum() / ((b[2] - b[0]) * (b[3] - b[1])) for m, b in zip(masks, boxes)]
    return boxes, classes, visible, masks


def padded(scenes, k=4):
    b = len(scenes)
    boxes, classes, visible = np.zeros((b, k, 4)), np.full((b, k), -1), np.zeros((b, k))
    targets = np.zeros((b, LABELS), np.float32)
    for i, (bx, cl, vis, _) in enumerate(scenes):
        for j in range(len(bx)):
            boxes[i, j], classes[i, j], visible[i, j] = bx[j], cl[j], vis[j]
            targets[i, cl[j]] = 1.0
    return boxes, classes, visible, targets


class LabelSafeCropTests(unittest.TestCase):
    def test_crops_never_drop_a_kept_item_nor_keep_a_cut_out_label(self):
        rng = np.random.default_rng(7)
        checked_items = cropped = dropped_labels = partial_kept = 0
        for _ in range(60):
            scenes = [random_scene(rng) for _ in range(16)]
            boxes, classes, visible, targets = padded(scenes)
            # integer-aligned candidates, so the rasterised truth is exact
            cand = np.round(augment.draw_crops(rng, len(scenes), SIZE, 0.2, augment.CROP_TRIES))
            crops, keep = augment.choose_label_safe_crops(cand, boxes, classes, visible, SIZE)
            after = augment.labels_after_crop(targets, classes, keep, LABELS)
            for i, (bx, cl, vis, masks) in enumerate(scenes):
                x0, y0, x1, y1 = (int(v) for v in crops[i])
                if (x0, y0, x1, y1) != (0, 0, SIZE, SIZE):
                    cropped += 1
                for j, m in enumerate(masks):
                    if m.sum() == 0:
                        continue  # nothing of it is visible: no share to speak of
                    share = m[y0:y1, x0:x1].sum() / m.sum()
                    checked_items += 1
                    if keep[i, j]:
                        self.assertGreaterEqual(share, augment.KEEP_SHARE - 1e-9, "kept item keeps < 0.7")
                        self.assertEqual(after[i, cl[j]], 1.0, "an item that keeps its label lost it")
                        partial_kept += share < 1.0
                    else:
                        self.assertLessEqual(share, augment.DROP_SHARE + 1e-9, "an item in between was accepted")
                    if share >= augment.KEEP_SHARE:
                        self.assertEqual(after[i, cl[j]], 1.0, "a visible item's label was dropped")
                for c in range(LABELS):
                    shares = [masks[j][y0:y1, x0:x1].sum() / masks[j].sum()
                              for j in range(len(masks)) if cl[j] == c and masks[j].sum() > 0]
                    if not shares:
                        continue  # no item of c (or none visible even before the crop: nothing to cut out)
                    if after[i, c] > 0.5:
                        self.assertTrue(any(s >= augment.KEEP_SHARE for s in shares),
                                        f"label {c} kept although its items were cut out: {shares}")
                    elif targets[i, c] > 0.5:
                        dropped_labels += 1
                        self.assertTrue(all(s <= augment.DROP_SHARE + 1e-9 for s in shares))
        # the property must have been exercised, not passed vacuously
        self.assertGreater(checked_items, 2000)
        self.assertGreater(cropped, 300)
        self.assertGreater(dropped_labels, 50)
        self.assertGreater(partial_kept, 50)

    def test_bounds_equal_the_box_share_for_fully_visible_items(self):
        f = np.array([0.0, 0.05, 0.5, 0.8, 1.0])
        lower, upper = augment.visible_share_bounds(f, np.ones_like(f))
        np.testing.assert_allclose(lower, f)
        np.testing.assert_allclose(upper, f)

    def test_no_valid_crop_leaves_the_image_whole_with_its_labels(self):
        # one item filling the middle: every candidate that cuts it partway is invalid
        boxes = np.array([[[16.0, 16.0, 48.0, 48.0]]])
        classes, visible = np.array([[2]]), np.array([[1.0]])
        cand = np.array([[[0.0, 0.0, 32.0, 32.0]] * 3])  # keeps a quarter of the item: in between
        crops, keep = augment.choose_label_safe_crops(cand, boxes, classes, visible, SIZE)
        np.testing.assert_array_equal(crops, [[0, 0, SIZE, SIZE]])
        self.assertTrue(keep[0, 0])

    def test_second_item_of_a_class_keeps_the_label_when_the_first_is_cut_out(self):
        boxes = np.array([[[0.0, 0.0, 10.0, 10.0], [40.0, 40.0, 60.0, 60.0]]])
        classes, visible = np.array([[3, 3]]), np.array([[1.0, 1.0]])
        cand = np.array([[[30.0, 30.0, 64.0, 64.0]]])
        crops, keep = augment.choose_label_safe_crops(cand, boxes, classes, visible, SIZE)
        self.assertEqual(keep.tolist(), [[False, True]])
        targets = np.zeros((1, LABELS), np.float32)
        targets[0, 3] = 1
        self.assertEqual(augment.labels_after_crop(targets, classes, keep, LABELS)[0, 3], 1.0)

    def test_resample_crop_stretches_the_crop_and_leaves_whole_images_bit_exact(self):
        x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).view(2, 3, 8, 8)
        crops = np.array([[0.0, 0.0, 8.0, 8.0], [0.0, 0.0, 4.0, 4.0]])
        out = augment.resample_crops(x, crops)
        self.assertTrue(torch.equal(out[0], x[0]))
        # 2x upscale of the top-left quarter: output pixel (1, 1) centre (0.75, 0.75) in input pixels,
        # bilinear between input pixels 0 and 1 with weight 0.25 on pixel 1 along each axis
        ref = x[1, :, 0:2, 0:2]
        want = (ref[:, 0, 0] * 0.75 * 0.75 + ref[:, 0, 1] * 0.75 * 0.25 + ref[:, 1, 0] * 0.25 * 0.75
                + ref[:, 1, 1] * 0.25 * 0.25)
        torch.testing.assert_close(out[1, :, 1, 1], want)

    def test_boxes_follow_the_crop_and_the_flip(self):
        boxes = np.array([[[16.0, 16.0, 32.0, 32.0]]])
        out, cls = augment.boxes_after_crop(boxes, np.array([[1]]), np.array([[True]]),
                                            np.array([[16.0, 16.0, 48.0, 48.0]]), SIZE)
        np.testing.assert_allclose(out, [[[0.0, 0.0, 32.0, 32.0]]])
        np.testing.assert_allclose(augment.flip_boxes(out, np.array([True]), SIZE), [[[32.0, 0.0, 64.0, 32.0]]])


class ItemsCsvTests(unittest.TestCase):
    def test_missing_items_csv_names_the_file_and_why(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(augment.ItemsError) as e:
                augment.read_items(d, [], np.zeros((0, 2)), ["a", "b"], 64, [])
            self.assertIn("items.csv", str(e.exception))
            self.assertIn("label-safe crops", str(e.exception))
            self.assertNotIn("\n", str(e.exception))

    def test_items_are_scaled_to_the_training_size_and_checked_against_the_labels(self):
        import os
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "items.csv"), "w") as f:
                f.write("image,label,x0,y0,x1,y1,visible\na.png,b,10,20,30,40,0.5\nb.png,a,0,0,5,5,1\n")
            paths = [os.path.join(d, "a.png"), os.path.join(d, "b.png")]
            targets = np.array([[0, 1], [1, 0]], np.float32)
            boxes, classes, visible = augment.read_items(d, paths, targets, ["a", "b"], 64, [(128, 128), (64, 64)])
            np.testing.assert_allclose(boxes[0, 0], [5, 10, 15, 20])
            self.assertEqual(classes.tolist(), [[1], [0]])
            self.assertEqual(visible[0, 0], 0.5)
            with self.assertRaises(augment.ItemsError) as e:
                augment.read_items(d, paths, np.array([[1, 1], [1, 0]], np.float32), ["a", "b"], 64,
                                   [(128, 128), (64, 64)])
            self.assertIn("a.png", str(e.exception))

    def test_a_split_given_relative_to_the_working_directory_finds_its_items(self):
        import os
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "split"))
            with open(os.path.join(d, "split", "items.csv"), "w") as f:
                f.write("image,label,x0,y0,x1,y1,visible\na.png,a,0,0,8,8,1\n")
            here = os.getcwd()
            os.chdir(d)
            try:
                _, classes, _ = augment.read_items("split", [os.path.join("split", "a.png")],
                                                   np.array([[1, 0]], np.float32), ["a", "b"], 64, [(64, 64)])
            finally:
                os.chdir(here)
            self.assertEqual(classes.tolist(), [[0]])


if __name__ == "__main__":
    unittest.main()
