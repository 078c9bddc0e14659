#!/usr/bin/env bash
# Builds libonnxruntime with the CUDA and TensorRT execution providers on a Jetson (JetPack 5 / L4T R35 or
# JetPack 6 / L4T R36): NuGet's GPU builds are x64 only. The native library must be the same version as the
# Microsoft.ML.OnnxRuntime.Managed package the app is published with, because the managed layer calls the C API
# by version number and refuses an older native library.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<USAGE
usage: $0 [--version X.Y.Z] [--arch 87|72] [--work DIR] [--dest DIR] [--force]

  --version  ONNX Runtime version to build (default: Microsoft.ML.OnnxRuntime in Directory.Packages.props)
  --arch     CUDA architecture (default: detected; 87 Orin, 72 Xavier)
  --work     where the source is cloned and built (default: \$HOME/build/onnxruntime-VERSION)
  --dest     where the libraries are copied (default: /opt/edge/native)
  --force    build although the TensorRT/CUDA versions look too old for this ONNX Runtime version
USAGE
}

version=""
arch=""
work=""
dest=/opt/edge/native
force=false
while [[ $# -gt 0 ]]; do
    case $1 in
        --version) version=${2:?--version needs a value}; shift 2 ;;
        --arch) arch=${2:?--arch needs a value}; shift 2 ;;
        --work) work=${2:?--work needs a value}; shift 2 ;;
        --dest) dest=${2:?--dest needs a value}; shift 2 ;;
        --force) force=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done

l4t=$(l4t_major)
case $l4t in
    35|36) ;;
    *) die "L4T R$l4t is not supported: expected R35 (JetPack 5) or R36 (JetPack 6)" ;;
esac
[[ -n $arch ]] || arch=$(cuda_arch)
[[ $arch =~ ^[0-9]+$ ]] || die "--arch '$arch' is invalid: expected a number such as 87 (Orin) or 72 (Xavier)"
[[ -n $version ]] || version=$(pinned_version Microsoft.ML.OnnxRuntime)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--version '$version' is invalid: expected X.Y.Z such as 1.31.1"
[[ -n $work ]] || work="$HOME/build/onnxruntime-$version"

for tool in git python3 nvcc cmake; do
    command -v "$tool" >/dev/null || [[ $tool == nvcc && -x /usr/local/cuda/bin/nvcc ]] \
        || die "$tool not found: install it (nvcc: sudo apt install nvidia-jetpack; cmake: python3 -m pip install --user cmake)"
done
export PATH="/usr/local/cuda/bin:$PATH"

cmake_version=$(cmake --version | sed -n 's/^cmake version \([0-9]*\.[0-9]*\).*/\1/p')
if ! printf '3.28\n%s\n' "$cmake_version" | sort -V -C; then
    die "cmake $cmake_version is too old for ONNX Runtime $version (needs 3.28 or newer): python3 -m pip install --user cmake, then put ~/.local/bin first in PATH"
fi

# ONNX Runtime 1.18 and later are built against TensorRT 10 and CUDA 12 (onnxruntime.ai, TensorRT EP requirements).
# JetPack 5 ships TensorRT 8.5 / CUDA 11.4 and JetPack 6.0 (R36.3) TensorRT 8.6 / CUDA 12.2; TensorRT 10 arrives
# with JetPack 6.1 (R36.4).
tensorrt_version=$(dpkg-query -W -f='${Version}' libnvinfer-dev 2>/dev/null | cut -d- -f1 || true)
cuda_version=$(nvcc --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
note "L4T R$l4t, CUDA ${cuda_version:-unknown}, TensorRT ${tensorrt_version:-unknown}, CUDA arch $arch, ONNX Runtime $version"
[[ -n $tensorrt_version ]] || die "TensorRT headers not found (libnvinfer-dev): sudo apt install nvidia-jetpack"
if [[ ${tensorrt_version%%.*} -lt 10 && $force != true ]]; then
    die "TensorRT $tensorrt_version is older than the TensorRT 10 that ONNX Runtime $version is built against: use JetPack 6.1 or newer (L4T R36.4), or pass --force to try anyway"
fi

needed_gib=8
available_gib=$(available_memory_gib)
jobs=$(nproc)
if [[ $available_gib -lt $needed_gib ]]; then
    advise_swap "$needed_gib" "$available_gib"
    die "not enough memory for the build; add swap and run again"
fi
# Each nvcc/c++ job of this build can take about 2 GiB: fewer jobs than cores rather than an out-of-memory kill.
if [[ $((available_gib / 2)) -lt $jobs ]]; then
    jobs=$((available_gib / 2))
fi
[[ $jobs -ge 1 ]] || jobs=1

if [[ ! -d $work/.git ]]; then
    note "cloning ONNX Runtime v$version into $work"
    mkdir -p "$(dirname "$work")"
    git clone --recursive --depth 1 --branch "v$version" https://github.com/microsoft/onnxruntime.git "$work"
fi
actual_tag=$(git -C "$work" describe --tags --exact-match 2>/dev/null || true)
[[ $actual_tag == "v$version" ]] || die "$work holds '${actual_tag:-an untagged commit}', not v$version: remove it or pass another --work"

note "building with $jobs parallel jobs (takes one to several hours)"
cd "$work"
./build.sh --config Release --build_shared_lib --parallel "$jobs" \
    --use_cuda --cuda_home /usr/local/cuda --cudnn_home /usr/lib/aarch64-linux-gnu \
    --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu \
    --cmake_extra_defines "CMAKE_CUDA_ARCHITECTURES=$arch" \
    --skip_tests

built="$work/build/Linux/Release"
compgen -G "$built/libonnxruntime*.so*" >/dev/null || die "no libonnxruntime*.so* in $built: the build did not produce the shared library"
note "copying libonnxruntime*.so* to $dest"
sudo install -d -m 755 "$dest"
sudo cp -P "$built"/libonnxruntime*.so* "$dest/"
note "done: publish the app with Microsoft.ML.OnnxRuntime.Managed $version (the same version) and keep $dest next to it"
