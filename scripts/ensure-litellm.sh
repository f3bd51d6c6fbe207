#!/usr/bin/env bash
# Creates (once) a venv with one exact LiteLLM release for the tests: ensure-litellm.sh DIR VERSION
# A venv counts only with its .ok marker, written after the install finished.
set -euo pipefail
dir=$1
version=$2
if [ -f "$dir/.ok" ] && [ "$(cat "$dir/.ok")" = "$version" ]; then exit 0; fi
rm -rf "$dir"
python3 -m venv "$dir"
log="$dir.log"
if ! "$dir/bin/python" -m pip install --disable-pip-version-check -q "litellm[proxy]==$version" >"$log" 2>&1; then
  echo "installing litellm[proxy]==$version failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "$version" >"$dir/.ok"
