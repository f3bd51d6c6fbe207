#!/usr/bin/env bash
# Creates (once) a venv with one exact LiteLLM release for the tests: ensure-litellm.sh DIR VERSION [UV]
# With UV (a uv binary), the venv is built with uv, bytecode compiled as pip does (minutes faster on a
# new machine); without it, with python3 -m venv and pip. A venv counts only with its .ok marker,
# written after the install finished.
set -euo pipefail
dir=$1
version=$2
uv=${3:-}
if [ -f "$dir/.ok" ] && [ "$(cat "$dir/.ok")" = "$version" ]; then exit 0; fi
rm -rf "$dir"
log="$dir.log"
if [ -n "$uv" ] && [ -x "$uv" ]; then
  install() {
    UV_PYTHON_DOWNLOADS=never "$uv" venv -q --python "$(command -v python3)" "$dir" &&
      UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --compile-bytecode --python "$dir/bin/python" "litellm[proxy]==$version"
  }
else
  install() {
    python3 -m venv "$dir" && "$dir/bin/python" -m pip install --disable-pip-version-check -q "litellm[proxy]==$version"
  }
fi
if ! install >"$log" 2>&1; then
  echo "installing litellm[proxy]==$version failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "$version" >"$dir/.ok"
