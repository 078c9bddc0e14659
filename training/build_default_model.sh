#!/usr/bin/env bash
# Rebuilds the default model bundle models/multifashion-resnet18/ (model.onnx + manifest.json) from scratch:
#   (a) MultiFashion scenes with the project's own generator (./edge dataset multifashion, --outfit-share
#       $OUTFIT_SHARE): domain-randomised train scenes (--family $TRAIN_FAMILY, with items.csv for label-safe crops and
#       cutmix), a validation MIX (--robustness --split val: every perturbation family, thresholds chosen on their
#       union), a clean test split (the headline metrics), a test robustness set (every family reported) and an
#       out-of-distribution "ood" slice,
#   (b) the ImageNet ResNet-18 from NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (restored if missing),
#   (c) port + verify it in PyTorch -- or, with INIT_BUNDLE=DIR, start from that bundle instead (on a CPU: fine-tune
#       the shipped model, INIT_BUNDLE=models/multifashion-resnet18 MAX_STEPS=..., rather than training from ImageNet),
#   (d) fine-tune (label-safe crops, flips, colour jitter, mixup/cutmix, EMA), evaluate and export,
#   (e) copy the bundle into models/.
#
# Usage (from anywhere):  training/build_default_model.sh
# Everything is overridable through environment variables, e.g.
#   WORK=/tmp/mf EPOCHS=10 BATCH=128 LR=1e-3 DEVICE=cuda training/build_default_model.sh
#   INIT_BUNDLE=models/multifashion-resnet18 MAX_STEPS=300 BATCH=32 LR=2e-4 EVAL_EVERY=100 training/build_default_model.sh
#   TRAIN_FAMILY=clean VAL_MIX=0 TEST_MIX=0 AUG_CROP=0 AUG_JITTER=0 MIX=none EMA=  (the recipe before the robustness work)
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
TRAIN_FAMILY="${TRAIN_FAMILY:-randomized}" # train scene family (randomized = domain randomisation; clean = plain scenes)
VAL_MIX="${VAL_MIX:-1}"           # 1 = validate on a robustness set (--split val, every family); 0 = one clean val split
COUNT_VAL_FAMILY="${COUNT_VAL_FAMILY:-500}"   # scenes per family of the validation mix (seed SEED_VAL)
TEST_MIX="${TEST_MIX:-1}"         # 1 = also report a test robustness set (--split test, every family; seed SEED_TEST_MIX)
COUNT_TEST_FAMILY="${COUNT_TEST_FAMILY:-500}"; SEED_TEST_MIX="${SEED_TEST_MIX:-5}"
INIT_BUNDLE="${INIT_BUNDLE:-}"    # a bundle to fine-tune instead of the ImageNet backbone (BatchNorm frozen)
AUG_CROP="${AUG_CROP:-1}"         # label-safe random resized crops (items.csv)
CROP_SCALE="${CROP_SCALE:-0.35}"  # smallest crop area share
AUG_JITTER="${AUG_JITTER:-1}"     # brightness / contrast / saturation / colour-cast jitter
MIX="${MIX:-both}"                # none | mixup | cutmix | both
MIX_PROB="${MIX_PROB:-0.5}"       # share of batches mixed
EMA="${EMA:-0.999}"               # EMA decay of the exported weights; empty = no EMA
MAX_STEPS="${MAX_STEPS:-}"        # cap on optimizer steps (one-cycle over the capped run); empty = EPOCHS full epochs
EVAL_EVERY="${EVAL_EVERY:-}"      # validate every N steps (0 = only at the end); empty = every epoch
ABLATION="${ABLATION:-}"          # an ablation.json (training/ablation.py) for the model card's Ablations section
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
# A folder is reused when it was rendered with the same options (recorded in DIR/.rendered-with); after changing the
# generator itself use REGENERATE=1.
rendered() { # dir index-file what [./edge dataset multifashion options...]: renders into dir unless it holds this very render
    local dir="$1" index="$2" what="$3"
    shift 3
    local options="$*"
    if [[ "$REGENERATE" != 1 && -f "$dir/$index" && "$(cat "$dir/.rendered-with" 2>/dev/null)" == "$options" ]]; then
        echo "== $what: reusing $dir"
        return
    fi
    echo "== $what: rendering into $dir ($options)"
    rm -rf "$dir"
    ./edge dataset multifashion --out "$dir" "$@"
    printf '%s' "$options" > "$dir/.rendered-with"
}
render() { # split count seed [extra ./edge options...]
    local split="$1" count="$2" seed="$3"
    shift 3
    rendered "$WORK/$split" labels.csv "$split, $count scenes" --count "$count" --split "$split" --seed "$seed" --size "$SIZE" "$@"
}
render_mix() { # name split count-per-family seed: a robustness set (every family), reused like render's folders
    local name="$1" split="$2" count="$3" seed="$4"
    rendered "$WORK/$name" robustness.json "$name, a $split robustness set of $count scenes per family" \
        --robustness --split "$split" --count "$count" --seed "$seed" --size "$SIZE" --outfit-share "$OUTFIT_SHARE"
}
render train "$COUNT_TRAIN" "$SEED_TRAIN" --outfit-share "$OUTFIT_SHARE" --family "$TRAIN_FAMILY"
if [[ "$VAL_MIX" == 1 ]]; then
    render_mix val-mix val "$COUNT_VAL_FAMILY" "$SEED_VAL"
    VAL_ARGS=(--val "$WORK/val-mix")
else
    render val "$COUNT_VAL" "$SEED_VAL" --outfit-share "$OUTFIT_SHARE"
    VAL_ARGS=(--val "$WORK/val")
fi
render test "$COUNT_TEST" "$SEED_TEST" --outfit-share "$OUTFIT_SHARE"
TEST_ARGS=(--test "$WORK/test")
if [[ "$TEST_MIX" == 1 ]]; then
    render_mix test-mix test "$COUNT_TEST_FAMILY" "$SEED_TEST_MIX"
    TEST_ARGS+=(--test "$WORK/test-mix")
fi
render ood "$COUNT_OOD" "$SEED_OOD"

# (b) base model from NuGet (restored if missing) + (c) port + verify: training/common.sh -------------------------
# (port_resnet18.py exits non-zero if PyTorch and the ONNX graph disagree by more than 1e-4)
export NUGET_PACKAGES PYTHON
if [[ -n "$INIT_BUNDLE" ]]; then
    INIT_ARGS=(--init-bundle "$INIT_BUNDLE")
else
    PORT_AGAIN=1 ported_resnet18 "$WORK/ported.pt"
    INIT_ARGS=(--init "$WORK/ported.pt")
fi
RECIPE_ARGS=(--mix "$MIX" --mix-prob "$MIX_PROB" --crop-scale "$CROP_SCALE")
[[ "$AUG_CROP" == 1 ]] && RECIPE_ARGS+=(--aug-crop)
[[ "$AUG_JITTER" == 1 ]] && RECIPE_ARGS+=(--aug-jitter)
[[ -n "$EMA" ]] && RECIPE_ARGS+=(--ema "$EMA")
[[ -n "$MAX_STEPS" ]] && RECIPE_ARGS+=(--max-steps "$MAX_STEPS")
[[ -n "$EVAL_EVERY" ]] && RECIPE_ARGS+=(--eval-every "$EVAL_EVERY")
[[ -n "$ABLATION" ]] && RECIPE_ARGS+=(--ablation "$ABLATION")

# (d) fine-tune, evaluate on the test split, export ONNX + manifest ----------------------------------------------
# DEVICE=auto uses CUDA when present. On 2 CPU cores this takes many hours; the shipped model was trained on a GPU.
if [[ "$VAL_MIX" == 1 ]]; then
    VAL_INFO=$(printf '{"robustness_set":true,"split":"val","count_per_family":%d,"seed":%d,"outfit_share":%s}' \
        "$COUNT_VAL_FAMILY" "$SEED_VAL" "$OUTFIT_SHARE")
else
    VAL_INFO=$(printf '{"count":%d,"seed":%d,"outfit_share":%s}' "$COUNT_VAL" "$SEED_VAL" "$OUTFIT_SHARE")
fi
DATA_INFO=$(printf '{"generator":"edge dataset multifashion","outfit_share":%s,"train":{"count":%d,"seed":%d,"outfit_share":%s,"family":"%s"},"val":%s,"test":{"count":%d,"seed":%d,"outfit_share":%s},"ood":{"count":%d,"seed":%d,"split":"ood"}}' \
    "$OUTFIT_SHARE" "$COUNT_TRAIN" "$SEED_TRAIN" "$OUTFIT_SHARE" "$TRAIN_FAMILY" "$VAL_INFO" \
    "$COUNT_TEST" "$SEED_TEST" "$OUTFIT_SHARE" "$COUNT_OOD" "$SEED_OOD")
"$PYTHON" training/train_multilabel.py \
    --train "$WORK/train" "${VAL_ARGS[@]}" "${TEST_ARGS[@]}" --ood "$WORK/ood" \
    "${INIT_ARGS[@]}" --out "$WORK/out" "${RECIPE_ARGS[@]}" \
    --head "$HEAD" --csra-lambda "$CSRA_LAMBDA" --outfit-share "$OUTFIT_SHARE" \
    --size "$SIZE" --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" --loss "$LOSS" --seed "$SEED" \
    --device "$DEVICE" --workers "$WORKERS" --data-info "$DATA_INFO"

# (e) install the bundle -----------------------------------------------------------------------------------------
mkdir -p "$BUNDLE_DIR"
mkdir -p "$BUNDLE_DIR/provenance"
cp "$WORK/out/model.onnx" "$WORK/out/manifest.json" "$BUNDLE_DIR/"
# The bundle's README.md is written by hand; the generated card (robustness tables, ablations) goes with the provenance.
cp "$WORK/out/metrics.json" "$WORK/out/training-log.json" "$BUNDLE_DIR/provenance/"
cp "$WORK/out/README.md" "$BUNDLE_DIR/provenance/model-card.md"
echo "== bundle written to $BUNDLE_DIR (logs and metrics: $WORK/out/training-log.json, metrics.json)"
