#!/usr/bin/env bash
# CI smoke test of the published apps: the trimmed linux-x64 build end to end (50 label sets), and the trimmed
# linux-arm64 build under user-mode QEMU 10 (edge info, then 3 label sets with the tiny fixture model). Installs what it needs
# when run as root on Debian 12: qemu-user from bookworm-backports (QEMU 7.2 from bookworm crashes in ONNX Runtime's
# start-up) and arm64 libc, libstdc++ and OpenSSL (SHA-256 of the model) through multiarch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if ! command -v qemu-aarch64 >/dev/null || ! dpkg -s libssl3:arm64 >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "smoke-test.sh: needs qemu-aarch64 (qemu-user from bookworm-backports) and libc6/libstdc++6/libssl3 for arm64: run as root to install them" >&2
    exit 1
  fi
  sources=$(grep -l "^Suites: bookworm bookworm-updates" /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
  if [[ -n "$sources" ]]; then
    grep -q "bookworm-backports" "$sources" ||
      sed -i '0,/^Suites: bookworm bookworm-updates$/s//Suites: bookworm bookworm-updates bookworm-backports/' "$sources"
  elif ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" \
      > /etc/apt/sources.list.d/edge-bookworm-backports.list
  fi
  dpkg --add-architecture arm64
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports qemu-user >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libc6:arm64 libstdc++6:arm64 libssl3:arm64 >/dev/null
fi

"$root/deploy/jetson/publish.sh" "$out"

check_labels() { # FILE COUNT
  local lines
  lines=$(grep -c '"schema":"edge.labels/2"' "$1" || true)
  if [[ "$lines" -ne "$2" ]]; then
    echo "smoke-test.sh: expected $2 label sets in $1, got $lines" >&2
    exit 1
  fi
}

echo "linux-x64: run --frames 50"
timeout 600 "$out/linux-x64/edge" run --source "synthetic?fps=0" --frames 50 > "$out/x64.jsonl"
check_labels "$out/x64.jsonl" 50

echo "linux-arm64 under $(qemu-aarch64 --version | head -1): info"
timeout 600 qemu-aarch64 -L / "$out/linux-arm64/edge" info | grep -q "onnx runtime"
# Under emulation one ResNet-18 inference takes 30-90 s depending on the machine: past the largest budget (60 s), so
# every frame would be cancelled at its deadline and the run would never publish. The tiny fixture model (32x32 input,
# ten labels) exercises the same trimmed app, ONNX Runtime's and OpenCV's arm64 native libraries and the whole frame
# path in well under a second a frame; `timeout` turns any hang into a failure with a reason.
tiny="$out/tiny-bundle"
mkdir -p "$tiny"
cp "$root/tests/Edge.Testing/Fixtures/tiny-multilabel.onnx" "$tiny/model.onnx"
sha=$(sha256sum "$tiny/model.onnx" | cut -d' ' -f1)
labels=""
for name in t-shirt trouser pullover dress coat sandal shirt sneaker bag ankle-boot; do
  labels+="${labels:+,}{\"name\":\"$name\",\"threshold\":0.5,\"off_threshold\":0.4}"
done
cat > "$tiny/manifest.json" <<JSON
{"format":"edge-model-bundle/1","name":"tiny-multilabel","version":"0.0.1","description":"CI smoke-test fixture",
 "model_file":"model.onnx","sha256":"$sha","precision":"fp32",
 "input":{"name":"image","layout":"nchw","width":32,"height":32,"color_order":"bgr","scale":1.0,
          "mean":[0,0,0],"std":[1,1,1],"resize":"stretch"},
 "output":{"name":"logits","kind":"logits"},
 "labels":[$labels]}
JSON
echo "linux-arm64 under QEMU: run --frames 3 (tiny fixture model)"
if ! timeout 900 qemu-aarch64 -L / "$out/linux-arm64/edge" run --model "$tiny" \
  --source "synthetic?fps=0" --frames 3 --budget-ms 60000 --threads 2 > "$out/arm64.jsonl"; then
  echo "smoke-test.sh: the linux-arm64 run under QEMU failed or ran past 15 minutes" >&2
  exit 1
fi
check_labels "$out/arm64.jsonl" 3
echo "smoke test passed"
