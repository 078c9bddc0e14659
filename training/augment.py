"""Batch-wise training augmentation on decoded scenes: label-safe random resized crops, horizontal flips, colour
jitter, mixup and cutmix with label mixing. Pixel work is torch ops on float [B,3,S,S] BGR 0..255 (any device);
random draws and the small per-item box arithmetic are NumPy (float64) on the CPU, from one seeded Generator, so a
run is reproducible on CPU and the same draws happen on CUDA.

Items (for crops and cutmix) come from the dataset's items.csv: one row per placed item with its label, square box in
pixels and `visible`, the fraction of the box not covered by items drawn after it. Per image they are held as
padded arrays: boxes [N,K,4] (x0, y0, x1, y1 in training pixels), classes [N,K] (label index, -1 = no item) and
visible [N,K].

Label-safe crop rule. Only the fraction f of an item's BOX inside the crop is known, not which part of the box is
visible, so the rule uses bounds that hold wherever the visible part lies (v = visible fraction of the box):
  kept share of the visible area >= 1 - (1 - f) / v   (all the cut-away box area was visible)
  kept share of the visible area <= min(1, f / v)     (all the kept box area was visible)
An item keeps its label when the lower bound is >= 0.7, loses it when the upper bound is <= 0.1 (a label goes only
when every item of that class loses it), and any other item makes the crop invalid: another crop is drawn (up to
`tries`), else the image stays uncropped. For fully visible items (v = 1) both bounds are f.
"""
from __future__ import annotations

import csv
import os

import numpy as np
import torch
import torch.nn.functional as F

KEEP_SHARE = 0.7      # an item keeping at least this share of its visible area keeps its label
DROP_SHARE = 0.1      # an item keeping at most this share loses it
CROP_TRIES = 10
CUTMIX_LOW, CUTMIX_HIGH = 0.25, 0.75   # visible share mapped linearly to a soft label 0..1 between these
_EPS = 1e-9


class ItemsError(Exception):
    """items.csv missing or inconsistent with labels.csv; the message is one line."""


# ------------------------------------------------------------------------------------------------------- items.csv
def items_csv_path(split_location):
    """items.csv beside the split's labels.csv (a folder or the CSV itself); ItemsError when it is missing."""
    folder = os.path.abspath(split_location if os.path.isdir(split_location) else os.path.dirname(split_location))
    path = os.path.join(folder, "items.csv")
    if not os.path.isfile(path):
        raise ItemsError(f"{path}: not found; label-safe crops and cutmix need the items.csv the dataset "
                         "generator writes beside labels.csv (image,label,x0,y0,x1,y1,visible)")
    return path


def read_items(split_location, image_paths, targets, labels, size, image_sizes):
    """items.csv beside the split's labels.csv -> (boxes [N,K,4] float64 in size x size pixels, classes [N,K] int64,
    visible [N,K] float64). `image_sizes` are the (width, height) each image had before the stretch to size x size.
    Every labelled class needs an item and every item's class a label (else ItemsError)."""
    path = items_csv_path(split_location)
    folder = os.path.dirname(path)
    index = {os.path.normpath(os.path.abspath(p)): i for i, p in enumerate(image_paths)}
    label_index = {n: i for i, n in enumerate(labels)}
    rows = [[] for _ in image_paths]
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader, [])]
        want = ["image", "label", "x0", "y0", "x1", "y1", "visible"]
        if header[:7] != want:
            raise ItemsError(f"{path}: expected header '{','.join(want)}', got {','.join(header)}")
        for line_no, row in enumerate(reader, start=2):
            if not row or not row[0].strip():
                continue
            i = index.get(os.path.normpath(os.path.join(folder, row[0].strip())))
            if i is None:
                continue  # an image outside this run's slice of the split (--limit / --train-images)
            name = row[1].strip()
            if name not in label_index:
                raise ItemsError(f"{path}:{line_no}: unknown label '{name}'")
            try:
                x0, y0, x1, y1, vis = (float(v) for v in row[2:7])
            except ValueError:
                raise ItemsError(f"{path}:{line_no}: x0,y0,x1,y1,visible must be numbers, got {row[2:7]}")
            if not (x1 > x0 and y1 > y0 and 0.0 <= vis <= 1.0):
                raise ItemsError(f"{path}:{line_no}: expected x1 > x0, y1 > y0 and visible in 0..1, got {row[2:7]}")
            w, h = image_sizes[i]
            sx, sy = size / float(w), size / float(h)
            rows[i].append((label_index[name], x0 * sx, y0 * sy, x1 * sx, y1 * sy, vis))
    k = max(1, max(len(r) for r in rows))
    n = len(image_paths)
    boxes = np.zeros((n, k, 4), np.float64)
    classes = np.full((n, k), -1, np.int64)
    visible = np.zeros((n, k), np.float64)
    for i, r in enumerate(rows):
        for j, (c, x0, y0, x1, y1, vis) in enumerate(r):
            boxes[i, j] = (x0, y0, x1, y1)
            classes[i, j] = c
            visible[i, j] = vis
        item_classes = {c for c, *_ in r}
        label_classes = set(np.flatnonzero(targets[i] > 0.5).tolist())
        if item_classes != label_classes:
            raise ItemsError(f"{path}: image {image_paths[i]} has labels "
                             f"{sorted(labels[c] for c in label_classes)} but items of "
                             f"{sorted(labels[c] for c in item_classes)} (they must name the same classes)")
    return boxes, classes, visible


# --------------------------------------------------------------------------------------------------- box geometry
def box_fraction_inside(boxes, rects):
    """Share of each box's area inside rect: boxes [..., 4], rects broadcastable [..., 4] -> [...]."""
    ix = np.clip(np.minimum(boxes[..., 2], rects[..., 2]) - np.maximum(boxes[..., 0], rects[..., 0]), 0, None)
    iy = np.clip(np.minimum(boxes[..., 3], rects[..., 3]) - np.maximum(boxes[..., 1], rects[..., 1]), 0, None)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return np.where(area > 0, ix * iy / np.maximum(area, _EPS), 0.0)


def visible_share_bounds(f, visible):
    """(lower, upper) bounds of the share of an item's visible area kept when a share f of its box is kept."""
    v = np.maximum(visible, _EPS)
    lower = np.where(f >= 1 - _EPS, 1.0, 1.0 - (1.0 - f) / v)
    upper = np.where(f <= _EPS, 0.0, np.minimum(1.0, f / v))
    return lower, upper


# ------------------------------------------------------------------------------------------------ label-safe crops
def draw_crops(rng, batch, size, min_scale, tries, ratio=(3 / 4, 4 / 3)):
    """Candidate crops [batch, tries, 4] (x0, y0, x1, y1): area share U(min_scale, 1), log-uniform aspect ratio."""
    area = rng.uniform(min_scale, 1.0, (batch, tries))
    log_r = rng.uniform(np.log(ratio[0]), np.log(ratio[1]), (batch, tries))
    w = np.minimum(size * np.sqrt(area * np.exp(log_r)), size)
    h = np.minimum(size * np.sqrt(area / np.exp(log_r)), size)
    x0 = rng.uniform(0, 1, (batch, tries)) * (size - w)
    y0 = rng.uniform(0, 1, (batch, tries)) * (size - h)
    return np.stack([x0, y0, x0 + w, y0 + h], axis=-1)


def choose_label_safe_crops(candidates, boxes, classes, visible, size):
    """Pick, per image, the first candidate crop every item either keeps (label stays) or loses (label may go).
    candidates [B,T,4]; boxes [B,K,4], classes [B,K], visible [B,K].
    Returns crops [B,4] (the whole image when no candidate is valid) and keep [B,K] (item keeps its label;
    False for dropped items and empty slots)."""
    f = box_fraction_inside(boxes[:, None, :, :], candidates[:, :, None, :])          # B,T,K
    lower, upper = visible_share_bounds(f, visible[:, None, :])
    present = classes[:, None, :] >= 0
    keeps = present & (lower >= KEEP_SHARE)
    drops = upper <= DROP_SHARE
    valid = np.all(~present | keeps | drops, axis=2)                                   # B,T
    has = valid.any(axis=1)
    first = np.argmax(valid, axis=1)
    b = np.arange(len(candidates))
    full = np.array([0.0, 0.0, float(size), float(size)])
    crops = np.where(has[:, None], candidates[b, first], full[None, :])
    keep = np.where(has[:, None], keeps[b, first], classes >= 0)
    return crops, keep


def labels_after_crop(targets, classes, keep, num_labels):
    """targets [B,L] with a label removed when the image has items of that class and none of them is kept."""
    onehot = (classes[..., None] == np.arange(num_labels)) & (classes[..., None] >= 0)  # B,K,L
    has_item = onehot.any(axis=1)
    kept_item = (onehot & keep[..., None]).any(axis=1)
    return targets * ~(has_item & ~kept_item)


def boxes_after_crop(boxes, classes, keep, crops, size):
    """Kept items' boxes clipped to the crop, in output pixels (the crop stretched to size x size); dropped items
    get class -1."""
    x0, y0, x1, y1 = (crops[:, None, i] for i in range(4))
    sx, sy = size / (x1 - x0), size / (y1 - y0)
    out = np.stack([(np.clip(boxes[..., 0], x0, x1) - x0) * sx, (np.clip(boxes[..., 1], y0, y1) - y0) * sy,
                    (np.clip(boxes[..., 2], x0, x1) - x0) * sx, (np.clip(boxes[..., 3], y0, y1) - y0) * sy], -1)
    return out, np.where(keep, classes, -1)


def resample_crops(x, crops):
    """x float [B,3,H,W]; crops [B,4] in pixels -> the crops stretched to H x W (bilinear). Images whose crop is the
    whole image are left untouched (bit-exact)."""
    b, _, h, w = x.shape
    whole = np.all(np.abs(crops - np.array([0, 0, w, h])) < 1e-9, axis=1)
    idx = np.flatnonzero(~whole)
    if len(idx) == 0:
        return x
    c = crops[idx]
    theta = np.zeros((len(idx), 2, 3))
    theta[:, 0, 0] = (c[:, 2] - c[:, 0]) / w
    theta[:, 0, 2] = (c[:, 0] + c[:, 2]) / w - 1.0
    theta[:, 1, 1] = (c[:, 3] - c[:, 1]) / h
    theta[:, 1, 2] = (c[:, 1] + c[:, 3]) / h - 1.0
    theta = torch.as_tensor(theta, dtype=x.dtype, device=x.device)
    grid = F.affine_grid(theta, [len(idx), x.shape[1], h, w], align_corners=False)
    ti = torch.as_tensor(idx, device=x.device)
    out = x.clone()
    out[ti] = F.grid_sample(x[ti], grid, mode="bilinear", padding_mode="border", align_corners=False)
    return out


# ------------------------------------------------------------------------------------------------- flips, jitter
def flip_boxes(boxes, flip, size):
    """Mirror the x coordinates of the boxes of flipped images."""
    out = boxes.copy()
    out[flip, :, 0] = size - boxes[flip, :, 2]
    out[flip, :, 2] = size - boxes[flip, :, 0]
    return out


def colour_jitter(x, rng, strength):
    """Per image: brightness x U(1-s, 1+s), contrast and saturation factors U(1-s, 1+s) (blends with the image's
    mean grey / each pixel's grey), colour cast: per-channel gain U(1-s/4, 1+s/4). x float BGR 0..255 -> clamped."""
    b = x.shape[0]

    def draw(lo, hi, shape):
        return torch.as_tensor(rng.uniform(lo, hi, shape), dtype=x.dtype, device=x.device)
    s = float(strength)
    grey_w = torch.tensor([0.114, 0.587, 0.299], dtype=x.dtype, device=x.device).view(1, 3, 1, 1)  # B, G, R
    x = x * draw(1 - s, 1 + s, (b, 1, 1, 1))
    mean = (x * grey_w).sum(1, keepdim=True).mean(dim=(2, 3), keepdim=True)
    x = mean + (x - mean) * draw(1 - s, 1 + s, (b, 1, 1, 1))
    grey = (x * grey_w).sum(1, keepdim=True)
    x = grey + (x - grey) * draw(1 - s, 1 + s, (b, 1, 1, 1))
    x = x * draw(1 - s / 4, 1 + s / 4, (b, 3, 1, 1))
    return x.clamp_(0.0, 255.0)


# ---------------------------------------------------------------------------------------------- mixup and cutmix
def mixup(x, y, lam, perm):
    """x_i = lam_i x_i + (1 - lam_i) x_perm(i), same for the (soft) labels. lam [B] in 0..1 (NumPy)."""
    lx = torch.as_tensor(lam, dtype=x.dtype, device=x.device).view(-1, 1, 1, 1)
    ly = torch.as_tensor(lam, dtype=y.dtype, device=y.device).view(-1, 1)
    pt = torch.as_tensor(perm, device=x.device)
    return lx * x + (1 - lx) * x[pt], ly * y + (1 - ly) * y[pt.to(y.device)]


def draw_cutmix_rects(rng, batch, size, alpha):
    """Integer pixel rectangles [B,4]: area share 1 - lam, lam ~ Beta(alpha, alpha), centre uniform, clipped."""
    lam = rng.beta(alpha, alpha, batch)
    side = size * np.sqrt(1.0 - lam)
    cx, cy = rng.uniform(0, size, batch), rng.uniform(0, size, batch)
    return np.stack([np.clip(np.round(cx - side / 2), 0, size), np.clip(np.round(cy - side / 2), 0, size),
                     np.clip(np.round(cx + side / 2), 0, size), np.clip(np.round(cy + side / 2), 0, size)], -1)


def cutmix_targets(boxes, classes, rects, perm, num_labels):
    """Soft labels after pasting rect of image perm(i) into image i: per class the max over its items of
    clamp((v - 0.25) / 0.5, 0, 1), v = share of the item's box still visible: for image i's own items the share
    outside the rect, for the pasted image's items the share inside it (an image paired with itself is unchanged)."""
    own = 1.0 - box_fraction_inside(boxes, rects[:, None, :])                       # B,K
    pasted = box_fraction_inside(boxes[perm], rects[:, None, :])                     # B,K
    itself = (perm == np.arange(len(perm)))[:, None]  # pasting an image into itself changes nothing
    own, pasted = np.where(itself, 1.0, own), np.where(itself, 0.0, pasted)
    v = np.concatenate([own, pasted], axis=1)
    c = np.concatenate([classes, classes[perm]], axis=1)
    score = np.clip((v - CUTMIX_LOW) / (CUTMIX_HIGH - CUTMIX_LOW), 0.0, 1.0)
    onehot = (c[..., None] == np.arange(num_labels)) & (c[..., None] >= 0)           # B,2K,L
    return np.where(onehot, score[..., None], 0.0).max(axis=1)


def cutmix_pixels(x, rects, perm):
    """Paste rect of image perm(i) into image i (same position)."""
    _, _, h, w = x.shape
    r = torch.as_tensor(rects, dtype=torch.float32, device=x.device)
    xs = torch.arange(w, device=x.device, dtype=torch.float32).view(1, 1, 1, w) + 0.5
    ys = torch.arange(h, device=x.device, dtype=torch.float32).view(1, 1, h, 1) + 0.5
    inside = ((xs >= r[:, 0].view(-1, 1, 1, 1)) & (xs < r[:, 2].view(-1, 1, 1, 1))
              & (ys >= r[:, 1].view(-1, 1, 1, 1)) & (ys < r[:, 3].view(-1, 1, 1, 1)))
    return torch.where(inside, x[torch.as_tensor(perm, device=x.device)], x)


# ------------------------------------------------------------------------------------------------------ pipeline
class Augmenter:
    """Applies the enabled augmentations to a batch: crop -> flip -> jitter -> mix.

    crop_min_scale: None = no crops, else the smallest crop area share; flip: horizontal flips (p 0.5);
    jitter: None or the jitter strength; mix: none|mixup|cutmix|both with probability mix_prob per batch
    (both: mixup or cutmix, 50/50); items: (boxes, classes, visible) of the whole train split, needed by crops
    and cutmix."""

    def __init__(self, size, num_labels, seed, *, crop_min_scale=None, flip=True, jitter=None, mix="none",
                 mix_prob=0.5, mixup_alpha=0.4, cutmix_alpha=1.0, items=None):
        if (crop_min_scale is not None or mix in ("cutmix", "both")) and items is None:
            raise ItemsError("label-safe crops and cutmix need the train split's items.csv")
        self.size, self.num_labels = size, num_labels
        self.rng = np.random.default_rng(seed)
        self.crop_min_scale, self.flip, self.jitter = crop_min_scale, flip, jitter
        self.mix, self.mix_prob = mix, mix_prob
        self.mixup_alpha, self.cutmix_alpha = mixup_alpha, cutmix_alpha
        self.items = items
        self.stats = {"crops": 0, "uncropped": 0, "labels_dropped": 0, "mixup_batches": 0, "cutmix_batches": 0}

    def describe(self):
        parts = []
        if self.crop_min_scale is not None:
            parts.append(f"label-safe crops (area {self.crop_min_scale:g}..1, keep >= {KEEP_SHARE}, drop <= "
                         f"{DROP_SHARE}, {CROP_TRIES} tries)")
        if self.flip:
            parts.append("horizontal flips")
        if self.jitter is not None:
            parts.append(f"colour jitter {self.jitter:g}")
        if self.mix != "none":
            parts.append(f"{self.mix} (p {self.mix_prob:g}, mixup alpha {self.mixup_alpha:g}, cutmix alpha "
                         f"{self.cutmix_alpha:g})")
        return ", ".join(parts) or "none"

    def __call__(self, u8, y, idx):
        """u8 [B,H,W,3] uint8 BGR (any device), y [B,L] float targets, idx [B] (CPU LongTensor) row numbers into
        the train split -> (float [B,3,H,W] BGR 0..255, soft targets [B,L] on y's device)."""
        x = u8.permute(0, 3, 1, 2).float()
        b = x.shape[0]
        size = self.size
        boxes = classes = None
        if self.items is not None:
            rows = idx.numpy()
            boxes, classes, visible = (a[rows] for a in self.items)
        if self.crop_min_scale is not None:
            cand = draw_crops(self.rng, b, size, self.crop_min_scale, CROP_TRIES)
            crops, keep = choose_label_safe_crops(cand, boxes, classes, visible, size)
            y_np = y.detach().cpu().numpy()
            new_y = labels_after_crop(y_np, classes, keep, self.num_labels)
            self.stats["labels_dropped"] += int((y_np > 0.5).sum() - (new_y > 0.5).sum())
            whole = np.all(np.abs(crops - np.array([0, 0, size, size])) < 1e-9, axis=1)
            self.stats["crops"] += int((~whole).sum())
            self.stats["uncropped"] += int(whole.sum())
            x = resample_crops(x, crops)
            y = torch.as_tensor(new_y, dtype=y.dtype, device=y.device)
            boxes, classes = boxes_after_crop(boxes, classes, keep, crops, size)
        if self.flip:
            flip = self.rng.random(b) < 0.5
            if flip.any():
                x = torch.where(torch.as_tensor(flip, device=x.device).view(-1, 1, 1, 1), x.flip(3), x)
                if boxes is not None:
                    boxes = flip_boxes(boxes, flip, size)
        if self.jitter is not None:
            x = colour_jitter(x, self.rng, self.jitter)
        if self.mix != "none" and self.rng.random() < self.mix_prob:
            kind = self.mix if self.mix != "both" else ("mixup" if self.rng.random() < 0.5 else "cutmix")
            perm = self.rng.permutation(b)
            if kind == "mixup":
                x, y = mixup(x, y, self.rng.beta(self.mixup_alpha, self.mixup_alpha, b), perm)
                self.stats["mixup_batches"] += 1
            else:
                rects = draw_cutmix_rects(self.rng, b, size, self.cutmix_alpha)
                x = cutmix_pixels(x, rects, perm)
                y = torch.as_tensor(cutmix_targets(boxes, classes, rects, perm, self.num_labels),
                                    dtype=y.dtype, device=y.device)
                self.stats["cutmix_batches"] += 1
        return x, y
