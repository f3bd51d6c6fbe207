#!/usr/bin/env bash
# Installs (once) the uv release the tool fetches (UV_VERSION in src/runtime/uv.ts) from PyPI for the tests:
# ensure-uv.sh DIR  ->  DIR/bin/uv, and its wheel in DIR/wheels (a local index serves it to the fetch test).
# Counts only with its .ok marker, written after the install finished.
set -euo pipefail
dir=$1
version=$(sed -n "s/^export const UV_VERSION = '\([0-9.]*\)';$/\1/p" "$(dirname "$0")/../src/runtime/uv.ts")
if [ -z "$version" ]; then echo "ensure-uv.sh: cannot read UV_VERSION from src/runtime/uv.ts" >&2; exit 1; fi
if [ -x "$dir/bin/uv" ] && [ "$(cat "$dir/.ok" 2>/dev/null)" = "$version" ] && ls "$dir"/wheels/uv-"$version"-*.whl >/dev/null 2>&1; then exit 0; fi
rm -rf "$dir"
log="$dir.log"
if ! { python3 -m pip download --disable-pip-version-check -q --no-deps --only-binary :all: -d "$dir/wheels" "uv==$version" &&
  python3 -m pip install --disable-pip-version-check -q --no-index --find-links "$dir/wheels" --target "$dir" "uv==$version"; } >"$log" 2>&1; then
  echo "installing uv failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
"$dir/bin/uv" --version >/dev/null
echo "$version" >"$dir/.ok"
