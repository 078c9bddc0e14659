#!/usr/bin/env bash
# Installs a published edge app on a Jetson as a systemd service. Run as root from a checkout of the repository:
#   sudo deploy/jetson/install.sh PUBLISH_DIR
# PUBLISH_DIR is the output of 'dotnet publish -r linux-arm64' copied to the Jetson; the native libraries are
# expected in /opt/edge/native (build-onnxruntime.sh, build-opencvsharp.sh).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=deploy/jetson/service-dropin.sh
source "$(dirname "${BASH_SOURCE[0]}")/service-dropin.sh"

usage() {
    echo "usage: sudo $0 PUBLISH_DIR" >&2
}

[[ $# -eq 1 ]] || { usage; die "expected one argument, the published app folder"; }
publish_dir=$1
[[ $EUID -eq 0 ]] || die "run as root (sudo): it creates a user, folders under /opt, /etc and /var and a systemd unit"
[[ -x $publish_dir/edge ]] || die "$publish_dir/edge not found or not executable: expected the output of dotnet publish -r linux-arm64"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unit_file="$script_dir/../edge.service"
[[ -r $unit_file ]] || die "$unit_file not found: run from a checkout of the repository"

app_dir=/opt/edge
native_dir=$app_dir/native
config_dir=/etc/edge
cache_dir=/var/cache/edge

# The unit's supplementary groups that exist here (gpio and i2c exist only where the Jetson images create them): the
# user joins those, and the drop-in below removes the others from the unit, which systemd would refuse to start.
groups=$(unit_groups "$unit_file" "")
group_arguments=()
[[ -z $groups ]] || group_arguments=(--groups "${groups// /,}")
if id edge >/dev/null 2>&1; then
    (( ${#group_arguments[@]} == 0 )) || usermod --append "${group_arguments[@]}" edge
else
    useradd --system --user-group --no-create-home --home-dir "$app_dir" --shell /usr/sbin/nologin "${group_arguments[@]}" edge
fi
note "user edge in groups: $(id -nG edge)"

install -d -m 755 "$app_dir" "$native_dir"
# Copy the app without deleting native/, which the build scripts filled.
cp -a "$publish_dir"/. "$app_dir"/
chown -R root:root "$app_dir"
compgen -G "$native_dir/libonnxruntime.so*" >/dev/null || note "$native_dir has no libonnxruntime.so: run build-onnxruntime.sh (CPU only until then)"
[[ -f $native_dir/libOpenCvSharpExtern.so ]] || note "$native_dir has no libOpenCvSharpExtern.so: run build-opencvsharp.sh (only the synthetic source works until then)"

install -d -m 750 -o root -g edge "$config_dir"
if [[ ! -f $config_dir/edge.json ]]; then
    echo '{}' >"$config_dir/edge.json"
    note "created an empty $config_dir/edge.json: fill it in (docs/configuration.md)"
fi
chown root:edge "$config_dir/edge.json"
chmod 640 "$config_dir/edge.json"
if [[ ! -f $config_dir/edge.env ]]; then
    # The loader finds the Jetson-built native libraries here rather than the ones published for other machines.
    echo "LD_LIBRARY_PATH=$native_dir" >"$config_dir/edge.env"
fi
chown root:root "$config_dir/edge.env"
chmod 600 "$config_dir/edge.env"

# TensorRT engine and timing caches: building them takes minutes, so they must survive restarts and be writable.
install -d -m 750 -o edge -g edge "$cache_dir"

install -m 644 "$unit_file" /etc/systemd/system/edge.service
install -d -m 755 /etc/systemd/system/edge.service.d
service_dropin "$groups" /dev >/etc/systemd/system/edge.service.d/host.conf
chmod 644 /etc/systemd/system/edge.service.d/host.conf
note "wrote /etc/systemd/system/edge.service.d/host.conf: groups '$groups', $(grep -c '^DeviceAllow=' /etc/systemd/system/edge.service.d/host.conf) NVIDIA device node(s)"
systemctl daemon-reload
systemctl enable edge.service
note "installed; start with 'sudo systemctl start edge', follow with 'journalctl -u edge -f'"
