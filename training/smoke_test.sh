#!/usr/bin/env bash
# Smoke test of the training recipe, run by ./run-tests when Python with torch is available: renders a few dozen
# MultiFashion scenes, runs train_own_labels.sh end to end (NuGet ResNet-18 restore, port + verification, 3 epochs
# at 64 px), then checks that the loss went down and that the bundle loads and runs in the runtime; runs the unit
# tests in training/tests/ and fine-tunes the new bundle for two steps with --init-bundle.
# Prints one line "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
# Debian's torch lives in the system Python; a pyenv python3 earlier on PATH lacks it.
export PYTHON="${PYTHON:-/usr/bin/python3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "ok: $1"; else failed=$((failed + 1)); echo "FAILED: $1"; fi; }

for split in train val test; do
    ./edge dataset multifashion --out "$WORK/data/$split" --count 48 --split "$split" --size 64 --seed 11 2>/dev/null
done
# The recipe gets its own WORK (a subfolder of ours); its arguments are spelled from ours before that assignment.
data="$WORK/data" bundle="$WORK/bundle" recipe_log="$WORK/recipe.log"
SIZE=64 EPOCHS=3 BATCH=8 NAME=smoke WORK="$WORK/recipe" \
    training/train_own_labels.sh "$data/train" "$data/val" "$data/test" "$bundle" > "$recipe_log" 2>&1
status=$?
check "train_own_labels.sh exits 0" "[ $status -eq 0 ]" || true
[ $status -eq 0 ] || tail -20 "$WORK/recipe.log"
check "bundle has model.onnx, manifest.json, README.md" "[ -f '$WORK/bundle/model.onnx' ] && [ -f '$WORK/bundle/manifest.json' ] && [ -f '$WORK/bundle/README.md' ]"
check "training loss decreases" "${PYTHON:-python3} -c \"import json,sys; e=json.load(open('$WORK/recipe/out/training-log.json'))['epochs']; sys.exit(0 if e[-1]['train_loss'] < e[0]['train_loss'] else 1)\""
./edge run --model "$WORK/bundle" --source "images:$WORK/data/test" --frames 3 --budget-ms 60000 > "$WORK/labels.jsonl" 2>"$WORK/run.log"
check "edge run loads the bundle and publishes label sets" "[ \$(grep -c '\"schema\":\"edge.labels/2\"' '$WORK/labels.jsonl') -ge 1 ]"
./edge eval --model "$WORK/bundle" --data "$WORK/data/test" --json "$WORK/metrics.json" > /dev/null 2>&1
check "edge eval measures the bundle" "grep -q '\"mAP\"' '$WORK/metrics.json'"

# Unit tests of the recipe's parts (label-safe crops, mixing, EMA, bundle round trip, validation mix, ablation, card).
"$PYTHON" -m unittest discover -s training/tests > "$WORK/unit.log" 2>&1
status=$?
check "training unit tests pass ($(grep -m1 "^Ran " "$WORK/unit.log"))" "[ $status -eq 0 ]" || true
[ $status -eq 0 ] || tail -30 "$WORK/unit.log"

# Fine-tune the bundle just built (--init-bundle) for two steps with EMA, jitter and mixup (plus label-safe crops
# and cutmix when the generator wrote items.csv), validating on a mix of two sets.
aug=(--aug-jitter --mix mixup)
[ -f "$data/train/items.csv" ] && aug=(--aug-jitter --aug-crop --mix both)
"$PYTHON" training/train_multilabel.py --train "$data/train" --val "$data/val" --val "$data/test" --test "$data/test" \
    --init-bundle "$bundle" --out "$WORK/finetune" --size 64 --batch 8 --max-steps 2 --eval-every 0 --ema 0.9 \
    --mix-prob 1 --limit 16 "${aug[@]}" --workers 1 > "$WORK/finetune.log" 2>&1
status=$?
check "fine-tuning from the bundle (--init-bundle, EMA, augmentation, two val sets) exits 0" "[ $status -eq 0 ]" || true
[ $status -eq 0 ] || tail -20 "$WORK/finetune.log"
check "fine-tune metrics report both val sets and the EMA weights" "${PYTHON} -c \"import json,sys; m=json.load(open('$WORK/finetune/metrics.json')); sys.exit(0 if len(m['val_sets']) == 2 and m['weights'] == 'ema' else 1)\""
check "fine-tune model card has the validation families" "grep -q 'Robustness (validation families)' '$WORK/finetune/README.md'"

# Label-safe crops without items.csv: exit 1 with one line naming it.
mkdir -p "$WORK/no-items"
sed "1!s|^|$data/train/|" "$data/train/labels.csv" > "$WORK/no-items/labels.csv"
"$PYTHON" training/train_multilabel.py --train "$WORK/no-items" --val "$data/val" --test "$data/test" \
    --init-bundle "$bundle" --out "$WORK/no-items-out" --size 64 --aug-crop --workers 1 > /dev/null 2> "$WORK/no-items.err"
status=$?
check "--aug-crop without items.csv exits 1 with one line naming items.csv" "[ $status -eq 1 ] && [ \$(wc -l < '$WORK/no-items.err') -eq 1 ] && grep -q 'items.csv' '$WORK/no-items.err'"
echo "recipe smoke test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
