/**
 * The answers of one setup run, typed per mode: what the units plan from. Each mode's questions
 * (questions.ts) resolve into one of these (modes/<mode>.ts `answers`).
 */
export interface CommonAnswers {
  /** --provider-id: another id for the provider table than the mode's own. */
  providerId: string | undefined;
  /** How Codex gets the key (command where the installed Codex has it). */
  codexAuth: 'command' | 'env';
  /** The profile's default model. */
  model: string;
  /** Every model set up, the default first. */
  models: string[];
  makeDefault: boolean | undefined;
  /** Add the key block to the shell startup files. */
  shellRc: boolean;
  /** Move the user's legacy profiles out of config.toml. */
  migrateProfiles: boolean;
}

/** Codex -> LiteLLM on 127.0.0.1 -> Z.ai's Chat Completions. */
export interface LocalAnswers extends CommonAnswers {
  mode: 'local';
  /** Z.ai's chat base URL. */
  apiBase: string;
  port: number;
  zaiKey: string;
  /** The proxy's master key, generated once and kept. */
  masterKey: string;
  /** The Python whose LiteLLM serves, when it is neither our venv nor on PATH (remembered for later runs). */
  litellmPython: string | undefined;
  /** How that LiteLLM starts (absolute): remembered, so Codex's auth command needs no PATH. */
  litellmLauncher: string[] | undefined;
  /** Start the proxy at login through the service manager. */
  autostart: boolean;
}

/** Codex -> Z.ai's own Responses endpoint. */
export interface DirectAnswers extends CommonAnswers {
  mode: 'direct';
  /** Z.ai's Responses base URL (https://api.z.ai/api/v1). */
  apiBase: string;
  zaiKey: string;
}

/** Codex -> a team's LiteLLM gateway, with the developer's virtual key. */
export interface GatewayAnswers extends CommonAnswers {
  mode: 'gateway';
  /** The gateway's base URL, without /v1. */
  gatewayUrl: string;
  gatewayKey: string;
}

/**
 * Each mode's answers by its name (questions.ts MODE_CHOICES). A new mode's file adds its own
 * (`declare module '../units/answers.js' { interface AnswersByMode { … } }`): the units that serve
 * only one mode take that mode's type from here, the others take `Answers`.
 */
export interface AnswersByMode {
  local: LocalAnswers;
  direct: DirectAnswers;
  gateway: GatewayAnswers;
}

export type Answers = AnswersByMode[keyof AnswersByMode];
