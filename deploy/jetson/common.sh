# shellcheck shell=bash
# Shared by the Jetson build and install scripts; sourced, not run.

die() {
    echo "error: $*" >&2
    exit 1
}

note() {
    echo "==> $*" >&2
}

# Prints the L4T major release (35 = JetPack 5, 36 = JetPack 6) from /etc/nv_tegra_release.
l4t_major() {
    local release_file=/etc/nv_tegra_release
    [[ -r $release_file ]] || die "$release_file not found: run this on a Jetson with JetPack 5 (L4T R35) or 6 (L4T R36)"
    local major
    major=$(sed -n 's/^# R\([0-9]\+\) (release).*/\1/p' "$release_file" | head -n 1)
    [[ -n $major ]] || die "cannot read the L4T release from $release_file: expected a first line like '# R36 (release), REVISION: 4.0'"
    echo "$major"
}

# Prints the CUDA compute capability of this Jetson's GPU without the dot: 87 Orin, 72 Xavier.
cuda_arch() {
    local compatible
    compatible=$(tr '\0' ' ' </proc/device-tree/compatible 2>/dev/null || true)
    case $compatible in
        *tegra234*) echo 87 ;;
        *tegra194*) echo 72 ;;
        *) die "unknown Jetson module ('$compatible'): expected Orin (tegra234, arch 87) or Xavier (tegra194, arch 72); pass --arch N" ;;
    esac
}

# The repository root, where Directory.Packages.props pins the managed package versions.
repository_root() {
    local script_dir
    script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    (cd "$script_dir/../.." && pwd)
}

# Prints the version Directory.Packages.props pins for package $1.
pinned_version() {
    local props
    props="$(repository_root)/Directory.Packages.props"
    [[ -r $props ]] || die "$props not found: run from a checkout of the repository or pass --version"
    local version
    version=$(sed -n "s/.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" "$props" | head -n 1)
    [[ -n $version ]] || die "$props pins no version for $1"
    echo "$version"
}

# Available memory plus free swap, in whole GiB.
available_memory_gib() {
    awk '/^MemAvailable:/ { m = $2 } /^SwapFree:/ { s = $2 } END { printf "%d\n", (m + s) / 1048576 }' /proc/meminfo
}

advise_swap() {
    cat >&2 <<ADVICE
    The build needs about $1 GiB of memory plus swap; this Jetson has $2 GiB available. Add swap first, e.g.:
      sudo fallocate -l 8G /swapfile && sudo chmod 600 /swapfile && sudo mkswap /swapfile && sudo swapon /swapfile
    (on JetPack, zram counts as swap already; remove /swapfile with 'sudo swapoff /swapfile && sudo rm /swapfile' afterwards)
ADVICE
}
