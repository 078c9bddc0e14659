"""--init-bundle: a MultiLabelNet exported with the trainer's own exporter (BatchNorm folded) loads back with equal
logits, its BatchNorms become identity + bias, and a re-export folds them again."""
import copy
import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import onnx
import torch

import _paths  # noqa: F401
import bundle_init
import onnx_numpy_eval
from resnet_cntk import LABELS, MultiLabelNet
from train_multilabel import export_onnx

SIZE = 64
MEAN = [103.0626220703125, 115.90288543701172, 123.1516342163086]


def random_model(head, seed):
    """A MultiLabelNet with random conv weights and non-trivial BatchNorm statistics and affine parameters."""
    torch.manual_seed(seed)
    model = MultiLabelNet(len(LABELS), head=head, csra_lambda=0.3)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def write_bundle(model, folder, labels=LABELS):
    os.makedirs(folder, exist_ok=True)
    export_onnx(model, SIZE, os.path.join(folder, "model.onnx"))
    manifest = {"format": "edge-model-bundle/1", "name": "round-trip", "version": "0.0.1", "model_file": "model.onnx",
                "input": {"name": "image", "layout": "nchw", "width": SIZE, "height": SIZE, "color_order": "bgr",
                          "scale": 1.0, "mean": MEAN, "std": [1.0, 1.0, 1.0], "resize": "stretch"},
                "output": {"name": "logits", "kind": "logits"},
                "labels": [{"name": n, "threshold": 0.5, "off_threshold": 0.35} for n in labels],
                "provenance": {"base_model": "random weights (test)"}}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def logits(model, x):
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).numpy()


def rel_err(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


class BundleRoundTripTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.x = np.random.default_rng(3).uniform(-120, 140, (2, 3, SIZE, SIZE)).astype(np.float32)
        cls.sources, cls.loaded = {}, {}
        for head in ("csra", "linear"):
            cls.sources[head] = random_model(head, seed=1 if head == "csra" else 2)
            write_bundle(cls.sources[head], os.path.join(cls.tmp, head))
            info = bundle_init.describe_bundle(os.path.join(cls.tmp, head))
            model = MultiLabelNet(len(info["labels"]), head=info["head"], csra_lambda=info["csra_lambda"] or 0.2)
            bundle_init.load_bundle_weights(model, info, SIZE)
            cls.loaded[head] = (model, info)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def load(self, head):
        """A private copy of the model loaded from the bundle (tests may change it) and the bundle's description."""
        model, info = self.loaded[head]
        return copy.deepcopy(model), info

    def test_exported_csra_bundle_loads_back_with_equal_logits(self):
        model, info = self.load("csra")
        self.assertEqual((info["head"], info["csra_lambda"], info["size"]), ("csra", 0.3, SIZE))
        self.assertLessEqual(rel_err(logits(model, self.x), logits(self.sources["csra"], self.x)), 1e-4)
        rel, evaluator = bundle_init.verify_load(model, info)
        self.assertLessEqual(rel, bundle_init.TOLERANCE, evaluator)

    def test_exported_linear_bundle_loads_back_with_equal_logits(self):
        model, info = self.load("linear")
        self.assertEqual(info["head"], "linear")
        self.assertLessEqual(rel_err(logits(model, self.x), logits(self.sources["linear"], self.x)), 1e-4)

    def test_batchnorms_carry_each_channels_scale_and_the_folded_bias(self):
        model, _ = self.load("csra")
        g = onnx.load(os.path.join(self.tmp, "csra", "model.onnx")).graph
        inits = {i.name: onnx.numpy_helper.to_array(i) for i in g.initializer}
        stem = [n for n in g.node if n.op_type == "Conv"][0]
        stem_weight, stem_bias = inits[stem.input[1]], inits[stem.input[2]]
        bn, conv = model.backbone.stem.bn, model.backbone.stem.conv
        # BatchNorm weight x conv weight gives back the folded weight; the conv keeps the Kaiming scale per channel.
        np.testing.assert_allclose((conv.weight * bn.weight.view(-1, 1, 1, 1)).detach().numpy(), stem_weight, rtol=1e-5, atol=1e-7)
        kaiming = (2.0 / conv.weight[0].numel()) ** 0.5
        rms = conv.weight.detach().flatten(1).pow(2).mean(1).sqrt()
        np.testing.assert_allclose(rms.numpy(), np.full(rms.shape, kaiming, np.float32), rtol=1e-5)
        self.assertTrue(torch.equal(bn.running_mean, torch.zeros_like(bn.running_mean)))
        self.assertTrue(torch.allclose(bn.running_var, torch.full_like(bn.running_var, 1 - bn.eps)))
        np.testing.assert_array_equal(bn.bias.detach().numpy(), stem_bias)

    def test_reexport_after_loading_folds_the_batchnorms_again(self):
        model, _ = self.load("csra")
        again = os.path.join(self.tmp, "again")
        write_bundle(model, again)
        ops = {n.op_type for n in onnx.load(os.path.join(again, "model.onnx")).graph.node}
        self.assertNotIn("BatchNormalization", ops)
        first = onnx_numpy_eval.run(onnx.load(os.path.join(self.tmp, "csra", "model.onnx")), {"image": self.x},
                                    ["logits"])[0]
        second = onnx_numpy_eval.run(onnx.load(os.path.join(again, "model.onnx")), {"image": self.x}, ["logits"])[0]
        self.assertLessEqual(rel_err(second, first), 1e-4)

    def test_verification_catches_a_wrong_load(self):
        model, info = self.load("csra")
        with torch.no_grad():
            model.backbone.stages[2][0].c1.conv.weight.mul_(1.5)
        rel, _ = bundle_init.verify_load(model, info)
        self.assertGreater(rel, bundle_init.TOLERANCE)

    def test_frozen_batchnorm_keeps_its_statistics_in_training_mode(self):
        model, _ = self.load("csra")
        model.train()
        bundle_init.freeze_batchnorm(model)
        before = model.backbone.stem.bn.running_var.clone()
        out = model(torch.from_numpy(self.x))
        self.assertTrue(torch.equal(model.backbone.stem.bn.running_var, before))
        self.assertLessEqual(rel_err(out.detach().numpy(), logits(self.sources["csra"], self.x)), 1e-4)

    def test_label_count_mismatch_is_one_line_naming_the_head(self):
        folder = os.path.join(self.tmp, "five-labels")
        shutil.copytree(os.path.join(self.tmp, "csra"), folder)
        with open(os.path.join(folder, "manifest.json")) as f:
            manifest = json.load(f)
        manifest["labels"] = manifest["labels"][:5]
        with open(os.path.join(folder, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        info = bundle_init.describe_bundle(folder)
        model = MultiLabelNet(len(info["labels"]), head="csra")
        with self.assertRaises(bundle_init.BundleInitError) as e:
            bundle_init.load_bundle_weights(model, info, SIZE)
        self.assertIn("head Conv weight [10, 512, 1, 1], expected [5, 512, 1, 1]", str(e.exception))
        self.assertNotIn("\n", str(e.exception))

    def test_folder_without_manifest_is_refused(self):
        with self.assertRaises(bundle_init.BundleInitError) as e:
            bundle_init.describe_bundle(self.tmp)
        self.assertIn("no manifest.json", str(e.exception))


if __name__ == "__main__":
    unittest.main()
