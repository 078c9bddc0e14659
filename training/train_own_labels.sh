#!/usr/bin/env bash
# Fine-tunes the ImageNet ResNet-18 on YOUR labelled images and writes a complete model bundle.
#
# Usage (from anywhere):
#   training/train_own_labels.sh TRAIN VAL TEST OUT [extra train_multilabel.py options...]
# e.g.
#   training/train_own_labels.sh data/train.csv data/val_coco.json data/test_voc/ bundles/my-model --epochs 15
#
# TRAIN / VAL / TEST: anything `./edge dataset convert --data X` accepts (labels CSV, COCO JSON, Pascal VOC folder;
# the format is detected, or force it with FORMAT=csv|coco|voc; IMAGES=DIR passes --images DIR for COCO/VOC whose
# image folder is not next to the annotations). The label list is the sorted union of the TRAIN labels; a VAL/TEST
# label that never occurs in TRAIN is an error.
# OUT receives model.onnx, manifest.json (thresholds tuned on VAL) and README.md (model card with TEST metrics).
# Extra options go to training/train_multilabel.py and override the defaults below (argparse: last one wins).
#
# Env overrides: WORK (scratch, default artifacts/own-labels), NAME (bundle name, default basename of OUT), SIZE (224),
# EPOCHS (10), BATCH (64), LR (1e-3), HEAD (csra), DEVICE (auto = CUDA when present), WORKERS, INIT (a ported
# backbone .pt to use instead of restoring + porting the NuGet model), PYTHON, NUGET_PACKAGES.
#
# Needs: the .NET SDK (./edge; also restores the NuGet base model once), python3 with torch, numpy, onnx, Pillow.
# Time: on one GPU a few thousand images x 10 epochs train in well under a minute (plus decoding); on 2 CPU cores
# expect ~15-20 images/s at 224x224, i.e. ~10 min per epoch per 10k images.
set -euo pipefail

if [[ $# -lt 4 ]]; then
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
TRAIN_SRC="$(abspath "$1")"; VAL_SRC="$(abspath "$2")"; TEST_SRC="$(abspath "$3")"
mkdir -p "$4"
OUT="$(cd "$4" && pwd)"
shift 4

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=training/common.sh
source "$ROOT/training/common.sh"

PYTHON="${PYTHON:-python3}"
WORK="${WORK:-$ROOT/artifacts/own-labels}"
NAME="${NAME:-$(basename "$OUT")}"
SIZE="${SIZE:-224}"
EPOCHS="${EPOCHS:-10}"
BATCH="${BATCH:-64}"
LR="${LR:-1e-3}"
HEAD="${HEAD:-csra}"
DEVICE="${DEVICE:-auto}"
WORKERS="${WORKERS:-$(nproc)}"
export NUGET_PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}" PYTHON
mkdir -p "$WORK"

# (a) any dataset format -> WORK/{train,val,test}/labels.csv (absolute image paths) ------------------------------
convert() { # split source
    local dir="$WORK/$1"
    local args=(--data "$2" --out "$dir")
    [[ -n "${FORMAT:-}" ]] && args+=(--format "$FORMAT")
    [[ -n "${IMAGES:-}" ]] && args+=(--images "$IMAGES")
    echo "== $1: converting $2 into $dir"
    rm -rf "$dir"
    ./edge dataset convert "${args[@]}"
    [[ -f "$dir/labels.csv" ]] || { echo "./edge dataset convert wrote no $dir/labels.csv" >&2; exit 1; }
}
convert train "$TRAIN_SRC"
convert val "$VAL_SRC"
convert test "$TEST_SRC"

# (b) backbone: NuGet ResNet-18 (restored if missing), ported + verified once into WORK/ported.pt ---------------
INIT="${INIT:-$WORK/ported.pt}"
[[ -f "$INIT" ]] || ported_resnet18 "$INIT"

# (c) fine-tune, tune thresholds on val, evaluate on test, export + model card ------------------------------------
DATA_INFO=$(printf '{"generator":"edge dataset convert","train":{"source":"%s"},"val":{"source":"%s"},"test":{"source":"%s"}}' \
    "${TRAIN_SRC//\"/\\\"}" "${VAL_SRC//\"/\\\"}" "${TEST_SRC//\"/\\\"}")
rm -rf "$WORK/out"
"$PYTHON" training/train_multilabel.py \
    --train "$WORK/train" --val "$WORK/val" --test "$WORK/test" --init "$INIT" --out "$WORK/out" \
    --labels auto --head "$HEAD" --name "$NAME" --recipe training/train_own_labels.sh --data-info "$DATA_INFO" \
    --size "$SIZE" --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" --device "$DEVICE" --workers "$WORKERS" "$@"

# (d) the bundle --------------------------------------------------------------------------------------------------
cp "$WORK/out/model.onnx" "$WORK/out/manifest.json" "$WORK/out/README.md" "$OUT/"
echo "== bundle written to $OUT (model.onnx, manifest.json, README.md); logs: $WORK/out/training-log.json, metrics.json"
