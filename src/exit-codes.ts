/** Exit codes: documented in `--help` and the README. Keep the three in step. */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal error (a bug): the message says where to report it. */
  internal: 1,
  /** Bad usage: unknown flag, bad value, a required answer missing in --non-interactive mode. */
  usage: 2,
  /** A prerequisite is missing or unusable: Python, LiteLLM install, a compromised LiteLLM. */
  prerequisite: 3,
  /** A file could not be changed safely: invalid TOML/YAML, read-only file, another run holds the lock. */
  config: 4,
  /** The proxy could not be started or is not where the configuration says. */
  proxy: 5,
  /** The validation request (or the Codex check) failed: the diagnosis says why. */
  validation: 6,
  /** doctor found a problem. */
  unhealthy: 7,
  /** Cancelled by the user (Ctrl-C or "no" at the confirm). */
  cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
