# shellcheck shell=bash
# Adapts deploy/edge.service to the machine it is installed on; sourced by install.sh and tested by
# tests/deploy/service-dropin.sh.

# Prints, space-separated, the groups named by the unit's SupplementaryGroups= that exist here; reports each missing
# one on stderr. systemd refuses to start a unit whose SupplementaryGroups= names a missing group, and the Jetson
# images create gpio and i2c only on some releases.
# Arguments: the unit file; a group file to read instead of the system's group database (empty: getent).
unit_groups() {
    local unit_file=$1 group_file=$2
    local wanted kept=() group
    wanted=$(sed -n 's/^SupplementaryGroups=//p' "$unit_file" | tail -n 1)
    [[ -n $wanted ]] || { echo "error: $unit_file has no SupplementaryGroups= line" >&2; return 1; }
    for group in $wanted; do
        if group_exists "$group" "$group_file"; then
            kept+=("$group")
        else
            echo "==> group '$group' does not exist here: the service runs without it (docs/service.md)" >&2
        fi
    done
    echo "${kept[*]}"
}

# Prints a drop-in for edge.service that replaces the unit's supplementary groups with $1 (space-separated, may be
# empty) and allows, by path, every NVIDIA device node under folder $2 (normally /dev): Jetson registers some of its
# GPU nodes under driver names that the unit's DeviceAllow=char-... classes do not match.
service_dropin() {
    local groups=$1 dev_dir=$2 node
    echo "# Written by deploy/jetson/install.sh for this machine: rerun it after adding groups or devices."
    echo "[Service]"
    # An empty assignment clears the unit's list; then only groups that exist are set.
    echo "SupplementaryGroups="
    if [[ -n $groups ]]; then
        echo "SupplementaryGroups=$groups"
    fi
    for node in "$dev_dir"/nvhost-* "$dev_dir"/nvmap "$dev_dir"/nvgpu/*/* "$dev_dir"/nvidia* "$dev_dir"/nvidia-caps/* \
        "$dev_dir"/host1x-fence "$dev_dir"/nvsciipc; do
        if [[ -c $node ]]; then
            echo "DeviceAllow=$node rw"
        fi
    done
}

# True when group $1 exists: in group file $2 when one is given, else in the system's group database.
group_exists() {
    local group=$1 group_file=$2
    if [[ -n $group_file ]]; then
        cut -d: -f1 "$group_file" | grep -qxF -- "$group"
    else
        getent group "$group" >/dev/null
    fi
}
