#!/usr/bin/env bash
# Tests deploy/jetson/service-dropin.sh, the part of install.sh that adapts edge.service to the machine: against a
# fake group file and a fake /dev (links to /dev/null are character devices), and, where systemd-analyze exists, by
# verifying the unit together with the drop-in. Any failed check fails the script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=deploy/jetson/service-dropin.sh
source "$root/deploy/jetson/service-dropin.sh"
unit="$root/deploy/edge.service"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {
    local what=$1 expected=$2 actual=$3
    if [[ $expected == "$actual" ]]; then
        echo "ok: $what"
    else
        echo "FAILED: $what"$'\n'"  expected: $expected"$'\n'"  actual:   $actual" >&2
        failures=$((failures + 1))
    fi
}

# A machine without the gpio group: the unit names video gpio i2c.
printf 'root:x:0:\nvideo:x:44:\nplugdev:x:46:\ngpio-admin:x:998:\ni2c:x:999:\n' >"$work/group"
groups=$(unit_groups "$unit" "$work/group" 2>"$work/stderr")
check "groups that exist are kept, in the unit's order" "video i2c" "$groups"
check "the missing group is reported" "==> group 'gpio' does not exist here: the service runs without it (docs/service.md)" "$(cat "$work/stderr")"

# A Jetson-like /dev: character devices are allowed by path; a regular file and a folder are not.
dev="$work/dev"
mkdir -p "$dev/nvgpu/igpu0" "$dev/nvidia-caps"
ln -s /dev/null "$dev/nvhost-ctrl-gpu"
ln -s /dev/null "$dev/nvmap"
ln -s /dev/null "$dev/nvgpu/igpu0/ctrl"
ln -s /dev/null "$dev/host1x-fence"
touch "$dev/nvhost-not-a-device"
dropin=$(service_dropin "$groups" "$dev")
expected="# Written by deploy/jetson/install.sh for this machine: rerun it after adding groups or devices.
[Service]
SupplementaryGroups=
SupplementaryGroups=video i2c
DeviceAllow=$dev/nvhost-ctrl-gpu rw
DeviceAllow=$dev/nvmap rw
DeviceAllow=$dev/nvgpu/igpu0/ctrl rw
DeviceAllow=$dev/host1x-fence rw"
check "drop-in for the Jetson-like machine" "$expected" "$dropin"

# No group exists and no NVIDIA node: the list is cleared and nothing else is set.
printf 'root:x:0:\n' >"$work/none"
groups=$(unit_groups "$unit" "$work/none" 2>/dev/null)
check "no group exists" "" "$groups"
check "drop-in without groups or devices" "# Written by deploy/jetson/install.sh for this machine: rerun it after adding groups or devices.
[Service]
SupplementaryGroups=" "$(service_dropin "$groups" "$work/empty-dev")"

# A group name that is a prefix of an existing one is not mistaken for it.
printf 'videos:x:44:\ngpio:x:998:\ni2c-dev:x:999:\n' >"$work/prefixes"
check "prefixes of group names do not count" "gpio" "$(unit_groups "$unit" "$work/prefixes" 2>/dev/null)"

# systemd accepts the unit with the drop-in (next to it, as in /etc/systemd/system), and the sandbox score holds.
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$work/unit/edge.service.d"
    sed 's|^ExecStart=/opt/edge/edge |ExecStart=/bin/true |' "$unit" >"$work/unit/edge.service"
    service_dropin "video i2c" /dev >"$work/unit/edge.service.d/host.conf"
    check "systemd-analyze verify of unit and drop-in prints nothing" "" "$(systemd-analyze verify "$work/unit/edge.service" 2>&1)"
else
    echo "skipped: systemd-analyze not found (apt-get install systemd)"
fi

if (( failures > 0 )); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "service drop-in: all checks passed"
