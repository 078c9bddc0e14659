"""EMA of the weights: known answers for the warm-up decay and the averaged values."""
import unittest

import torch
import torch.nn as nn

import _paths  # noqa: F401
from ema import ModelEma


class EmaTests(unittest.TestCase):
    def test_update_follows_the_warmup_decay(self):
        model = nn.BatchNorm1d(1)
        with torch.no_grad():
            model.weight.fill_(0.0)
        ema = ModelEma(model, 0.999)
        with torch.no_grad():
            model.weight.fill_(1.0)
        ema.update(model)  # d = min(0.999, 1/10) = 0.1: 0.1 * 0 + 0.9 * 1
        self.assertAlmostEqual(ema.module.weight.item(), 0.9, places=6)
        with torch.no_grad():
            model.weight.fill_(2.0)
        ema.update(model)  # d = 2/11: 0.9 * 2/11 + 2 * 9/11 = 1.8
        self.assertAlmostEqual(ema.module.weight.item(), 1.8, places=6)
        self.assertEqual(ema.updates, 2)

    def test_decay_reaches_the_cap_and_integer_buffers_are_copied(self):
        model = nn.BatchNorm1d(1)
        ema = ModelEma(model, 0.99)
        ema.updates = 10000
        self.assertEqual(ema.current_decay(), 0.99)
        model.num_batches_tracked.fill_(7)
        ema.update(model)
        self.assertEqual(int(ema.module.num_batches_tracked), 7)

    def test_ema_copy_does_not_train(self):
        ema = ModelEma(nn.Linear(2, 2), 0.9)
        self.assertFalse(ema.module.training)
        self.assertFalse(any(p.requires_grad for p in ema.module.parameters()))

    def test_decay_outside_zero_one_is_refused(self):
        for bad in (0.0, 1.0, 1.5):
            with self.assertRaises(ValueError):
                ModelEma(nn.Linear(1, 1), bad)


if __name__ == "__main__":
    unittest.main()
