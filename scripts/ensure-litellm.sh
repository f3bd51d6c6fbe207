#!/usr/bin/env bash
# Creates (once) a venv with one exact LiteLLM release for the tests: ensure-litellm.sh DIR VERSION [UV]
# With UV (a uv binary), the venv is built with uv, bytecode compiled as pip does (minutes faster on a
# new machine); without it, with python3 -m venv and pip. A venv counts only with its .ok marker,
# written after the install finished.
set -euo pipefail
dir=$1
version=$2
uv=${3:-}
# The distribution's Python when it has one: its build (PGO) imports LiteLLM about 15% faster than a
# pyenv build of the same release here, and every real proxy start in the suite is mostly that import.
# GLM_TEST_PYTHON overrides; the marker names the interpreter, so a change rebuilds the venv.
python=${GLM_TEST_PYTHON:-}
if [ -z "$python" ]; then
  python=$(command -v python3)
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then python=/usr/bin/python3; fi
fi
marker="$version $python"
if [ -f "$dir/.ok" ] && [ "$(cat "$dir/.ok")" = "$marker" ]; then exit 0; fi
rm -rf "$dir"
log="$dir.log"
if [ -n "$uv" ] && [ -x "$uv" ]; then
  install() {
    UV_PYTHON_DOWNLOADS=never "$uv" venv -q --python "$python" "$dir" &&
      UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --compile-bytecode --python "$dir/bin/python" "litellm[proxy]==$version"
  }
else
  install() {
    "$python" -m venv "$dir" && "$dir/bin/python" -m pip install --disable-pip-version-check -q "litellm[proxy]==$version"
  }
fi
if ! install >"$log" 2>&1; then
  echo "installing litellm[proxy]==$version failed:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "$marker" >"$dir/.ok"
