#!/usr/bin/env bash
# The one command that runs every test from a fresh clone (`npm test`). It installs what the tests
# need: node modules (with @openai/codex), and one venv per LiteLLM release in the version matrix,
# cached in $GLM_CODEX_TEST_CACHE (default ~/.cache/glm-codex-setup-test) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/vitest ] || [ ! -f node_modules/@openai/codex/bin/codex.js ] || [ ! -f node_modules/codex-newest/bin/codex.js ]; then npm ci --no-audit --no-fund; fi

# The shell tests run zsh and fish: a brand-new machine has neither. As root on Debian/Ubuntu, install
# them from the distribution (the tests that need them fail, naming them, where this cannot be done).
missing=""
for shell in zsh fish; do command -v "$shell" >/dev/null 2>&1 || missing="$missing $shell"; done
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "scripts/test.sh: installing$missing (the shell tests run them)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) >/dev/null 2>&1 ||
    echo "scripts/test.sh: could not install$missing with apt-get" >&2
fi

cache=${GLM_CODEX_TEST_CACHE:-$HOME/.cache/glm-codex-setup-test}
mkdir -p "$cache"
# The matrix, measured (README: LiteLLM version matrix):
#   1.63.8  the guide's floor: no Responses -> Chat bridge at all
#   1.67.0  first release with a bridge (only for providers without a native Responses route)
#   1.83.13 last release without use_chat_completions_api
#   1.83.14 first release with use_chat_completions_api: the first that bridges Codex
#   LATEST  newest release whose [proxy] extra resolves on this index: the one the tool installs,
#           named once, in src/runtime/litellm-versions.ts (TESTED_LITELLM)
LATEST=$(sed -n "s/^export const TESTED_LITELLM = '\([0-9.]*\)';$/\1/p" src/runtime/litellm-versions.ts)
if [ -z "$LATEST" ]; then echo "scripts/test.sh: cannot read TESTED_LITELLM from src/runtime/litellm-versions.ts" >&2; exit 1; fi
MATRIX="1.63.8 1.67.0 1.83.13 1.83.14 $LATEST"
# uv first (a PyPI package; the tests of the tool's uv path use it), then the venvs are built with it:
# minutes faster than pip on a new machine. Its cache sits beside it (UV_CACHE_DIR).
bash scripts/ensure-uv.sh "$cache/uv"
pids=()
for version in $MATRIX; do
  UV_CACHE_DIR="$cache/uv-cache" bash scripts/ensure-litellm.sh "$cache/litellm-$version" "$version" "$cache/uv/bin/uv" &
  pids+=($!)
done
# Docker Compose v2 validates the gateway bundle's compose.yaml (no engine needed).
COMPOSE_VERSION=2.40.3
bash scripts/ensure-compose.sh "$cache/compose-$COMPOSE_VERSION" "$COMPOSE_VERSION" &
pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done

export GLM_TEST_LITELLM_VENVS=""
for version in $MATRIX; do GLM_TEST_LITELLM_VENVS="$GLM_TEST_LITELLM_VENVS $version=$cache/litellm-$version"; done
export GLM_TEST_LITELLM_LATEST="$cache/litellm-$LATEST"
# Both releases declare the bin `codex` (node_modules/.bin/codex is whichever npm linked last): name each one.
export GLM_TEST_CODEX_BIN="$PWD/node_modules/@openai/codex/bin/codex.js"
export GLM_TEST_CODEX_NEWEST_BIN="$PWD/node_modules/codex-newest/bin/codex.js"
export GLM_TEST_COMPOSE_BIN="$cache/compose-$COMPOSE_VERSION/docker-compose"
export GLM_TEST_UV="$cache/uv/bin/uv"

npx tsc --noEmit -p .
results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@" || status=$?
# The benchmark is not a test: CI runs it in quick mode only to keep it working (figures: npm run bench).
if [ $# -eq 0 ] && [ $status -eq 0 ]; then node bench/bench.mjs --quick || status=$?; fi
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results" || true
rm -f "$results"
exit $status
