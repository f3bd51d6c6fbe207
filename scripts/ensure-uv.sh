#!/usr/bin/env bash
# Installs (once) one uv release from PyPI for the tests: ensure-uv.sh DIR  ->  DIR/bin/uv
# Counts only with its .ok marker, written after the install finished.
set -euo pipefail
dir=$1
version=0.13.9
if [ -x "$dir/bin/uv" ] && [ "$(cat "$dir/.ok" 2>/dev/null)" = "$version" ]; then exit 0; fi
rm -rf "$dir"
log="$dir.log"
if ! python3 -m pip install --disable-pip-version-check -q --target "$dir" "uv==$version" >"$log" 2>&1; then
  echo "installing uv failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
"$dir/bin/uv" --version >/dev/null
echo "$version" >"$dir/.ok"
