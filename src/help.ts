import { FIRST_FLAG, TESTED_LITELLM } from './runtime/litellm-versions.js';

export const HELP = `glm-codex-setup: use Z.ai GLM models in OpenAI Codex CLI through a local LiteLLM proxy.

Usage
  glm-codex-setup [setup] [options]   set up, or repair, everything (the default command)
  glm-codex-setup doctor              check the setup without changing anything
  glm-codex-setup status              is the proxy running, where, with which config
  glm-codex-setup start | stop        start or stop the proxy
  glm-codex-setup logs [-f]           show (or follow) the proxy's log
  glm-codex-setup uninstall [--purge] undo everything the tool did (--purge: also its state dir)
  glm-codex-setup backups             list the backups the tool made
  glm-codex-setup restore [NAME]      put the files of one backup back (the newest by default)

Options
  --non-interactive        no prompts: every answer from flags, env or defaults
  --codex-home DIR         Codex's folder (default: $CODEX_HOME, else ~/.codex)
  --state-dir DIR          the tool's folder: glm-bridge.yaml, secrets.env, logs, venv, backups
                           (default: $GLM_CODEX_HOME, else ~/.glm-codex)
  --model ID               GLM model id (default: glm-5.2; env GLM_CODEX_MODEL)
  --endpoint PLAN|URL      coding | general | china | china-coding | a URL
                           (default: coding = https://api.z.ai/api/coding/paas/v4; env GLM_CODEX_ENDPOINT)
  --port N                 the proxy's port on 127.0.0.1 (default: 4000; env GLM_CODEX_PORT)
  --make-default           also make GLM Codex's default model (top-level model/model_provider)
  --no-make-default        put back the default model that --make-default replaced
  --no-start               write the configuration only: no install, no proxy, no validation
  --no-shell-rc            do not add the key block to ~/.bashrc, ~/.profile, ~/.zshenv, fish
  --dry-run                print a diff of every file it would write; change nothing
  --json                   print one JSON object with the result on stdout (never a secret)
  --zai-key-file FILE      read the Z.ai API key from FILE (else env ZAI_API_KEY, else the stored key)
  --force-rebuild          config.toml does not parse: back it up and rebuild it from what still parses
  --python PATH            the Python to install LiteLLM with (default: python3, python, py -3)
  --litellm-version X.Y.Z  the LiteLLM release to install (default: ${TESTED_LITELLM}, the tested one; ${FIRST_FLAG}+)
  -y, --yes                do not ask for confirmation
  -h, --help               this help
  -v, --version            the tool's version

Non-interactive usage
  The Z.ai key is never a flag value (argv is visible to every user): set ZAI_API_KEY or use
  --zai-key-file. A missing required answer exits with code 2, naming the flag or variable.

  ZAI_API_KEY=... npx glm-codex-setup --non-interactive
  npx glm-codex-setup --non-interactive --zai-key-file ~/.zai-key --endpoint general --model glm-5.2
  npx glm-codex-setup --non-interactive --no-start --dry-run      # show what would change
  npx glm-codex-setup doctor --json

Exit codes
  0 success   1 internal error   2 usage (bad flag, missing answer)   3 prerequisite missing
  4 a file could not be changed safely (invalid TOML/YAML, read-only, locked)
  5 proxy could not start   6 validation failed   7 doctor found a problem   130 cancelled
`;
