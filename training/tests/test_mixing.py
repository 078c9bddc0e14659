"""Mixup and cutmix label mixing (known answers), the pasted pixels, ASL on soft targets, the Augmenter's checks."""
import unittest

import numpy as np
import torch

import _paths  # noqa: F401
import augment
from train_multilabel import AsymmetricLoss


class MixupTests(unittest.TestCase):
    def test_mixup_weights_images_and_labels_by_lambda(self):
        x = torch.stack([torch.full((3, 2, 2), 10.0), torch.full((3, 2, 2), 50.0)])
        y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
        mx, my = augment.mixup(x, y, np.array([0.75, 0.25]), np.array([1, 0]))
        self.assertTrue(torch.allclose(mx[0], torch.full((3, 2, 2), 20.0)))  # 0.75 * 10 + 0.25 * 50
        self.assertTrue(torch.allclose(mx[1], torch.full((3, 2, 2), 20.0)))  # 0.25 * 50 + 0.75 * 10
        self.assertTrue(torch.allclose(my, torch.tensor([[0.75, 0.25, 0.25], [0.75, 0.25, 0.25]])))


class CutmixTests(unittest.TestCase):
    # image 0: class 0 at (0,0)-(4,4) and class 2 at (6,0)-(10,4); image 1: class 1 at (0,0)-(4,4)
    boxes = np.array([[[0, 0, 4, 4], [6, 0, 10, 4]], [[0, 0, 4, 4], [0, 0, 0, 0]]], np.float64)
    classes = np.array([[0, 2], [1, -1]])

    def test_soft_labels_follow_the_visible_share_of_each_item(self):
        # rect (0,0)-(2,4) over image 0: half of its class-0 item covered (v 0.5 -> 0.5), class 2 untouched (1),
        # half of image 1's class-1 item pasted (v 0.5 -> 0.5)
        rects = np.array([[0, 0, 2, 4], [0, 0, 4, 1]], np.float64)
        y = augment.cutmix_targets(self.boxes, self.classes, rects, np.array([1, 0]), 3)
        np.testing.assert_allclose(y[0], [0.5, 0.5, 1.0])
        # image 1 gets rows 0..1 of image 0: a quarter of class 0 (v 0.25 -> 0) and of class 2's box outside
        # the rect (none of it -> 0); its own item keeps 3/4 (v 0.75 -> 1)
        np.testing.assert_allclose(y[1], [0.0, 1.0, 0.0])

    def test_mapping_is_clamped_linear_between_a_quarter_and_three_quarters(self):
        for covered, want in [(0.0, 1.0), (0.1, 1.0), (0.4, 0.7), (0.6, 0.3), (0.8, 0.0), (1.0, 0.0)]:
            rects = np.array([[0, 0, 4 * covered, 4], [0, 0, 0, 0]], np.float64)
            y = augment.cutmix_targets(self.boxes, self.classes, rects, np.array([1, 0]), 3)
            self.assertAlmostEqual(y[0, 0], want, places=6, msg=f"own item, covered {covered}")
            self.assertAlmostEqual(y[0, 1], 1.0 - want, places=6, msg=f"pasted item, pasted {covered}")

    def test_an_image_paired_with_itself_keeps_its_labels(self):
        rects = np.array([[0, 0, 2, 4], [0, 0, 4, 4]], np.float64)
        y = augment.cutmix_targets(self.boxes, self.classes, rects, np.array([0, 1]), 3)
        np.testing.assert_allclose(y, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])

    def test_pasted_pixels_come_from_the_partner_inside_the_rect_only(self):
        x = torch.stack([torch.zeros(3, 4, 4), torch.ones(3, 4, 4)])
        out = augment.cutmix_pixels(x, np.array([[1, 0, 3, 2], [0, 0, 0, 0]], np.float64), np.array([1, 0]))
        want = torch.zeros(4, 4)
        want[0:2, 1:3] = 1
        self.assertTrue(torch.equal(out[0, 0], want))
        self.assertTrue(torch.equal(out[1], x[1]))


class AugmenterTests(unittest.TestCase):
    def test_crops_and_cutmix_refuse_to_run_without_items(self):
        for kw in ({"crop_min_scale": 0.35}, {"mix": "cutmix"}, {"mix": "both"}):
            with self.assertRaises(augment.ItemsError):
                augment.Augmenter(16, 3, 0, **kw)

    def test_full_pipeline_keeps_shapes_value_range_and_soft_labels_in_range(self):
        n, size = 8, 32
        boxes = np.tile(np.array([[[2.0, 2.0, 14.0, 14.0], [18.0, 18.0, 30.0, 30.0]]]), (n, 1, 1))
        classes = np.tile(np.array([[0, 1]]), (n, 1))
        items = (boxes, classes, np.ones((n, 2)))
        aug = augment.Augmenter(size, 3, 1, crop_min_scale=0.3, jitter=0.4, mix="both", mix_prob=1.0, items=items)
        u8 = torch.randint(0, 256, (n, size, size, 3), dtype=torch.uint8)
        y = torch.tensor([[1.0, 1.0, 0.0]] * n)
        for _ in range(5):
            x, ys = aug(u8, y, torch.arange(n))
            self.assertEqual(tuple(x.shape), (n, 3, size, size))
            self.assertTrue(bool((x >= 0).all() and (x <= 255).all()))
            self.assertTrue(bool((ys >= 0).all() and (ys <= 1).all()))
            self.assertTrue(bool((ys[:, 2] == 0).all()), "a class with no item appeared")
        self.assertGreater(aug.stats["mixup_batches"] + aug.stats["cutmix_batches"], 0)


class SoftTargetLossTests(unittest.TestCase):
    def test_asl_is_linear_in_the_target(self):
        loss = AsymmetricLoss(4.0, 0.0, 0.05)
        logits = torch.linspace(-6, 6, 25).view(1, -1)
        for t in (0.0, 0.3, 0.5, 1.0):
            y = torch.full_like(logits, t)
            want = t * loss(logits, torch.ones_like(logits)) + (1 - t) * loss(logits, torch.zeros_like(logits))
            torch.testing.assert_close(loss(logits, y), want)

    def test_asl_on_hard_targets_matches_the_binary_formula(self):
        logits = torch.randn(4, 10, generator=torch.Generator().manual_seed(0)) * 3
        y = (torch.rand(4, 10, generator=torch.Generator().manual_seed(1)) < 0.3).float()
        p = torch.sigmoid(logits)
        p_m = (p - 0.05).clamp(min=0)
        ref = -(y * torch.log(p) + (1 - y) * torch.log((1 - p_m).clamp(min=1e-8)) * p_m ** 4).sum() / 4
        torch.testing.assert_close(AsymmetricLoss(4.0, 0.0, 0.05)(logits, y), ref)


if __name__ == "__main__":
    unittest.main()
