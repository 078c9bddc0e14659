#!/usr/bin/env bash
# Rebuilds the default model bundle models/multifashion-resnet18/ (model.onnx + manifest.json) from scratch:
#   (a) MultiFashion train/val/test scenes (--outfit-share $OUTFIT_SHARE) and an out-of-distribution "ood" slice
#       with the project's own generator (./edge dataset multifashion),
#   (b) the ImageNet ResNet-18 from NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (restored if missing),
#   (c) port + verify it in PyTorch, (d) fine-tune, evaluate and export, (e) copy the bundle into models/.
#
# Usage (from anywhere):  training/build_default_model.sh
# Everything is overridable through environment variables, e.g.
#   WORK=/tmp/mf EPOCHS=10 BATCH=128 LR=1e-3 DEVICE=cuda training/build_default_model.sh
#
# Needs: the .NET SDK (./edge), python3 with torch (1.13+ CPU or 2.x CUDA), numpy, onnx, Pillow; onnxruntime is
# optional (if present the exported ONNX is re-evaluated on the whole test and ood splits). Train/val scenes draw from
# Fashion-MNIST's *training* split: apt-get install dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
#
# Time: the shipped model was trained on one GPU (bf16, channels_last): a few minutes for 40k scenes x 10 epochs
# at 224x224, plus a few minutes to render and decode the scenes. On 2 CPU cores the same run takes many hours
# (roughly 15-20 images/s at 224x224, i.e. ~6-8 h for 10 epochs) -- use a GPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=training/common.sh
source "$ROOT/training/common.sh"

PYTHON="${PYTHON:-python3}"
WORK="${WORK:-$ROOT/artifacts/training}"
COUNT_TRAIN="${COUNT_TRAIN:-40000}"; SEED_TRAIN="${SEED_TRAIN:-1}"
COUNT_VAL="${COUNT_VAL:-4000}";     SEED_VAL="${SEED_VAL:-2}"
COUNT_TEST="${COUNT_TEST:-4000}";   SEED_TEST="${SEED_TEST:-3}"
COUNT_OOD="${COUNT_OOD:-4000}";     SEED_OOD="${SEED_OOD:-4}"
OUTFIT_SHARE="${OUTFIT_SHARE:-0.5}" # share of train/val/test scenes following the outfit prior (not used for ood)
HEAD="${HEAD:-csra}"              # csra (also exports class_maps) or linear
CSRA_LAMBDA="${CSRA_LAMBDA:-0.2}"
SIZE="${SIZE:-224}"
EPOCHS="${EPOCHS:-10}"
BATCH="${BATCH:-128}"
LR="${LR:-1e-3}"
LOSS="${LOSS:-asl}"
SEED="${SEED:-0}"
DEVICE="${DEVICE:-auto}"          # auto = CUDA when present
WORKERS="${WORKERS:-$(nproc)}"
NUGET_PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
BUNDLE_DIR="${BUNDLE_DIR:-$ROOT/models/multifashion-resnet18}"
REGENERATE="${REGENERATE:-0}"     # 1 = re-render datasets even if labels.csv exists

mkdir -p "$WORK"

# (a) datasets -------------------------------------------------------------------------------------------------
# A reused folder must have the right scene count; after changing OUTFIT_SHARE or the generator use REGENERATE=1.
render() { # split count seed [extra ./edge options...]
    local split="$1" count="$2" seed="$3" dir="$WORK/$1"
    shift 3
    if [[ "$REGENERATE" != 1 && -f "$dir/labels.csv" ]] \
        && [[ "$(($(wc -l < "$dir/labels.csv") - 1))" == "$count" ]]; then
        echo "== $split: reusing $dir ($count scenes)"
        return
    fi
    echo "== $split: rendering $count scenes (seed $seed${*:+, $*}) into $dir"
    rm -rf "$dir"
    ./edge dataset multifashion --out "$dir" --count "$count" --split "$split" --seed "$seed" --size "$SIZE" "$@"
}
render train "$COUNT_TRAIN" "$SEED_TRAIN" --outfit-share "$OUTFIT_SHARE"
render val "$COUNT_VAL" "$SEED_VAL" --outfit-share "$OUTFIT_SHARE"
render test "$COUNT_TEST" "$SEED_TEST" --outfit-share "$OUTFIT_SHARE"
render ood "$COUNT_OOD" "$SEED_OOD"

# (b) base model from NuGet (restored if missing) + (c) port + verify: training/common.sh -------------------------
# (port_resnet18.py exits non-zero if PyTorch and the ONNX graph disagree by more than 1e-4)
export NUGET_PACKAGES PYTHON
PORT_AGAIN=1 ported_resnet18 "$WORK/ported.pt"

# (d) fine-tune, evaluate on the test split, export ONNX + manifest ----------------------------------------------
# DEVICE=auto uses CUDA when present. On 2 CPU cores this takes many hours; the shipped model was trained on a GPU.
DATA_INFO=$(printf '{"generator":"edge dataset multifashion","outfit_share":%s,"train":{"count":%d,"seed":%d,"outfit_share":%s},"val":{"count":%d,"seed":%d,"outfit_share":%s},"test":{"count":%d,"seed":%d,"outfit_share":%s},"ood":{"count":%d,"seed":%d,"split":"ood"}}' \
    "$OUTFIT_SHARE" "$COUNT_TRAIN" "$SEED_TRAIN" "$OUTFIT_SHARE" "$COUNT_VAL" "$SEED_VAL" "$OUTFIT_SHARE" \
    "$COUNT_TEST" "$SEED_TEST" "$OUTFIT_SHARE" "$COUNT_OOD" "$SEED_OOD")
"$PYTHON" training/train_multilabel.py \
    --train "$WORK/train" --val "$WORK/val" --test "$WORK/test" --ood "$WORK/ood" \
    --init "$WORK/ported.pt" --out "$WORK/out" \
    --head "$HEAD" --csra-lambda "$CSRA_LAMBDA" --outfit-share "$OUTFIT_SHARE" \
    --size "$SIZE" --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" --loss "$LOSS" --seed "$SEED" \
    --device "$DEVICE" --workers "$WORKERS" --data-info "$DATA_INFO"

# (e) install the bundle -----------------------------------------------------------------------------------------
mkdir -p "$BUNDLE_DIR"
mkdir -p "$BUNDLE_DIR/provenance"
cp "$WORK/out/model.onnx" "$WORK/out/manifest.json" "$BUNDLE_DIR/"
cp "$WORK/out/metrics.json" "$WORK/out/training-log.json" "$BUNDLE_DIR/provenance/"
echo "== bundle written to $BUNDLE_DIR (logs and metrics: $WORK/out/training-log.json, metrics.json)"
