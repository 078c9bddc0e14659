#!/usr/bin/env bash
# Publishes the edge app trimmed and self-contained for linux-arm64 (Jetson) and linux-x64, fails on any trim warning,
# and reports sizes. Usage: deploy/jetson/publish.sh [OUT_DIR]   (default: artifacts/publish)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/artifacts/publish}"

for rid in linux-arm64 linux-x64; do
  target="$out/$rid"
  log="$(mktemp)"
  echo "publishing $rid -> $target"
  if ! dotnet publish "$root/src/Edge.Cli" -c Release -r "$rid" --self-contained -p:PublishTrimmed=true -o "$target" >"$log" 2>&1; then
    cat "$log" >&2
    echo "publish.sh: dotnet publish failed for $rid" >&2
    exit 1
  fi

  # Trim analysis warnings (IL2xxx/IL3xxx) mean code the trimmer may break: none are accepted.
  if grep -E "warning IL[23][0-9]{3}" "$log" >&2; then
    echo "publish.sh: trim warnings in the $rid build (listed above): expected none" >&2
    exit 1
  fi
  rm -f "$log"

  mkdir -p "$target/native"
  echo "  total      $(du -sh "$target" | cut -f1)"
  echo "  models     $(du -sh "$target/models" | cut -f1)"
  echo "  managed    $(du -ch "$target"/*.dll | tail -1 | cut -f1)"
  echo "  native     $(du -ch "$target"/*.so 2>/dev/null | tail -1 | cut -f1)"
done

cat <<EOT
done. On a Jetson, put the device builds of libonnxruntime*.so (CUDA + TensorRT) and libOpenCvSharpExtern.so into
<app>/native/ (deploy/jetson/build-onnxruntime.sh, build-opencvsharp.sh): the app loads them from there first.
EOT
