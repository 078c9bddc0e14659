#!/usr/bin/env bash
# Runs shellcheck on every shell script in the repository: files named *.sh and files whose shebang names sh, bash
# or dash (./edge, ./run-tests, .ci/run). Build outputs and git's own folder are skipped. Any finding fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Relative paths in '# shellcheck source=...' directives are resolved from the repository root.
cd "$root"
command -v shellcheck >/dev/null || { echo "shellcheck not found: apt-get install shellcheck" >&2; exit 1; }

scripts=()
while IFS= read -r -d '' file; do
    if [[ $file == *.sh ]] || head -n 1 "$file" | grep -qE '^#!.*[/ ](ba|da)?sh([[:space:]]|$)'; then
        scripts+=("${file#./}")
    fi
done < <(find . \( -name .git -o -name .build -o -name bin -o -name obj -o -name artifacts -o -name TestResults \) -prune \
    -o -type f -print0 | sort -z)

(( ${#scripts[@]} > 0 )) || { echo "no shell scripts found under $root" >&2; exit 1; }
echo "shellcheck: ${#scripts[@]} scripts: ${scripts[*]}"
shellcheck --external-sources "${scripts[@]}"
echo "shellcheck: clean"
