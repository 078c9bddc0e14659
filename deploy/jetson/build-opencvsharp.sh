#!/usr/bin/env bash
# Builds libOpenCvSharpExtern.so on a Jetson against JetPack's OpenCV, which has GStreamer (needed by the csi: and
# usb-gst: sources); there is no linux-arm64 OpenCvSharp runtime package. The C++ wrapper is taken from the
# OpenCvSharp tag that matches the OpenCvSharp4 package the app uses, so its exported functions are the ones the
# managed OpenCvSharp.dll calls.
#
# Version caveat: OpenCvSharp4 4.13.x wraps OpenCV 4.13, while JetPack ships an older OpenCV 4.x (4.5 on JetPack 5,
# 4.8 on JetPack 6) without the contrib modules. OpenCV keeps its C++ API stable within 4.x for what capture needs,
# but the wrapper may fail to compile where it uses newer or contrib functions; then build OpenCV 4.13 itself with
# -D WITH_GSTREAMER=ON and point --opencv-dir at it. A wrapper that compiles is ABI-safe: it is linked here against
# the OpenCV it will load.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<USAGE
usage: $0 [--tag TAG] [--opencv-dir DIR] [--work DIR] [--dest DIR]

  --tag         OpenCvSharp git tag (default: the OpenCvSharp4 version in Directory.Packages.props)
  --opencv-dir  folder holding OpenCVConfig.cmake (default: JetPack's, found by CMake)
  --work        where the source is cloned and built (default: \$HOME/build/opencvsharp-TAG)
  --dest        where libOpenCvSharpExtern.so is copied (default: /opt/edge/native)
USAGE
}

tag=""
opencv_dir=""
work=""
dest=/opt/edge/native
while [[ $# -gt 0 ]]; do
    case $1 in
        --tag) tag=${2:?--tag needs a value}; shift 2 ;;
        --opencv-dir) opencv_dir=${2:?--opencv-dir needs a value}; shift 2 ;;
        --work) work=${2:?--work needs a value}; shift 2 ;;
        --dest) dest=${2:?--dest needs a value}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done

l4t=$(l4t_major)
[[ -n $tag ]] || tag=$(pinned_version OpenCvSharp4)
[[ -n $work ]] || work="$HOME/build/opencvsharp-$tag"
for tool in git cmake make g++ pkg-config; do
    command -v "$tool" >/dev/null || die "$tool not found: sudo apt install git cmake build-essential pkg-config"
done

if [[ -z $opencv_dir ]]; then
    pkg-config --exists opencv4 || die "JetPack's OpenCV development files not found: sudo apt install nvidia-opencv-dev (or libopencv-dev)"
    system_opencv=$(pkg-config --modversion opencv4)
    note "L4T R$l4t, JetPack OpenCV $system_opencv (pkg-config), OpenCvSharp $tag (wraps OpenCV ${tag%.*})"
    if command -v opencv_version >/dev/null; then
        gstreamer=$(opencv_version --verbose | sed -n 's/^ *GStreamer: *//p' | head -n 1)
        [[ $gstreamer == YES* ]] || die "this OpenCV $system_opencv reports GStreamer '${gstreamer:-absent}': csi: and usb-gst: need GStreamer; build OpenCV with -D WITH_GSTREAMER=ON and pass --opencv-dir"
    else
        note "opencv_version not found: cannot check for GStreamer here; 'edge info' will show it after installation"
    fi
    if [[ ${system_opencv%.*} != "$(echo "$tag" | cut -d. -f1-2)" ]]; then
        note "OpenCV $system_opencv differs from the $(echo "$tag" | cut -d. -f1-2) that OpenCvSharp $tag wraps: if the build fails in a missing function, see the caveat at the top of this script"
    fi
fi

if [[ ! -d $work/.git ]]; then
    note "cloning OpenCvSharp $tag into $work"
    mkdir -p "$(dirname "$work")"
    git clone --depth 1 --branch "$tag" https://github.com/shimat/opencvsharp.git "$work"
fi
actual_tag=$(git -C "$work" describe --tags --exact-match 2>/dev/null || true)
[[ $actual_tag == "$tag" ]] || die "$work holds '${actual_tag:-an untagged commit}', not $tag: remove it or pass another --work"

cmake_args=(-S "$work/src" -B "$work/build" -D CMAKE_BUILD_TYPE=Release)
[[ -z $opencv_dir ]] || cmake_args+=(-D "OpenCV_DIR=$opencv_dir")
cmake "${cmake_args[@]}"
cmake --build "$work/build" --target OpenCvSharpExtern --parallel "$(nproc)"

library="$work/build/OpenCvSharpExtern/libOpenCvSharpExtern.so"
[[ -f $library ]] || die "$library was not produced: see the build output above"
note "copying libOpenCvSharpExtern.so to $dest"
sudo install -d -m 755 "$dest"
sudo install -m 644 "$library" "$dest/"
note "done: 'edge info' should now report opencv with gstreamer yes"
