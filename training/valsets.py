"""Validation and test MIXES: `--val` / `--test` may be given several times, each a split folder (labels.csv), the CSV
itself, or a robustness set (a folder with robustness.json, format edge-robustness-set/1, written by
`edge dataset multifashion --robustness`), which stands for every one of its family folders.

The trainer chooses thresholds on the union of the validation sets and reports each set (family) on its own; for
tests the first set is the headline test split and every set is reported.
"""
from __future__ import annotations

import json
import os

ROBUSTNESS_FORMAT = "edge-robustness-set/1"


class SetsError(Exception):
    """A --val/--test location that is not a split or robustness set; the message is one line."""


def _plain_name(location):
    folder = location if os.path.isdir(location) else os.path.dirname(os.path.abspath(location))
    return os.path.basename(os.path.normpath(os.path.abspath(folder))) or "set"


def expand(locations, option):
    """[location, ...] -> [{"name", "location", "kind", "source"}, ...] in the given order; a robustness set becomes
    its families in index order. Names are unique (a repeated name gets "-2", "-3", ...)."""
    out = []
    for loc in locations:
        index = os.path.join(loc, "robustness.json") if os.path.isdir(loc) else None
        if index and os.path.isfile(index):
            try:
                with open(index, encoding="utf-8") as f:
                    doc = json.load(f)
            except (OSError, ValueError) as e:
                raise SetsError(f"{index}: not readable JSON ({e})")
            if doc.get("format") != ROBUSTNESS_FORMAT or not isinstance(doc.get("families"), list) \
                    or not doc["families"]:
                raise SetsError(f"{index}: expected format '{ROBUSTNESS_FORMAT}' with a non-empty families list, got "
                                f"format {doc.get('format')!r}")
            for fam in doc["families"]:
                name, folder = fam.get("name"), fam.get("folder", fam.get("name"))
                path = os.path.join(loc, folder or "")
                if not name or not os.path.isfile(os.path.join(path, "labels.csv")):
                    raise SetsError(f"{index}: family {name!r} has no labels.csv in {path}")
                out.append({"name": name, "location": path, "kind": fam.get("kind", "unknown"),
                            "source": os.path.abspath(loc)})
        else:
            out.append({"name": _plain_name(loc), "location": loc, "kind": "folder", "source": os.path.abspath(loc)})
    seen = {}
    for s in out:
        base = s["name"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            s["name"] = f"{base}-{seen[base]}"
    if not out:
        raise SetsError(f"{option}: no sets given")
    return out


def ranges(counts):
    """Row ranges [(start, stop), ...] of consecutive sets with these sizes in their concatenation."""
    out, start = [], 0
    for n in counts:
        out.append((start, start + n))
        start += n
    return out


def shifted_summary(per_set):
    """(first set's mAP, mean mAP of the other sets or None): the 'clean' and 'shifted mean' of an ablation."""
    clean = per_set[0]["mAP"]
    rest = [s["mAP"] for s in per_set[1:] if s["mAP"] == s["mAP"]]  # NaN-safe
    return clean, (round(sum(rest) / len(rest), 3) if rest else None)
