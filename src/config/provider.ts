import type { CodexAuthTable } from './codex-auth.js';

/**
 * How the key reaches Codex. Codex >= 0.160 runs a command (`[model_providers.<id>.auth]`): the tool's
 * own copy prints the key (and starts the local proxy when it is down), so Codex needs no environment
 * variable and no shell. Older Codex reads `env_key` from the environment (the shell blocks).
 */
export interface ProviderAuth {
  envVar: string;
  /** What Codex shows when the variable is missing. */
  instructions: string;
  /** Set: command-backed auth, and no env_key (Codex refuses a provider with both). */
  command: CodexAuthTable | null;
}

/** What the `[model_providers.<id>]` table says. */
export interface ProviderSpec {
  id: string;
  name: string;
  baseUrl: string;
  auth: ProviderAuth;
  /** The `codex --profile <name>` this mode writes. */
  profile: string;
}
