/**
 * What the lower layers (runtime/, inspect/, config/) need to know of a mode, handed down by the
 * layers that own it: its row in questions.ts registers the facts the fast paths need (Codex's auth
 * command, the supervisor: questions.ts loads on every run, src/modes/ only for the commands that plan),
 * and its file in src/modes/ registers how state.json is read back from its provider table. The lower
 * layers read them only through the functions below; a read before the registration is a bug.
 */
import { DEFAULT_MODE, type Manifest } from './manifest.js';
import type { Secrets } from './secrets.js';

/** The facts about a mode that the fast paths read (from the mode's row in questions.ts). */
export interface ModeFacts {
  /** The secrets.env entry Codex's auth command prints. */
  authKey: keyof Secrets;
  /** A LiteLLM proxy runs on this machine (the auth command starts it, a supervisor keeps it up). */
  localProxy: boolean;
  /** The Z.ai API a new Z.ai key is checked against (its Chat Completions or its Responses), or null: no Z.ai key. */
  zaiApi: 'chat' | 'responses' | null;
}

/** How a lost state.json is read back from the mode's provider table in config.toml (from the mode's file). */
export interface ModeRecovery {
  /** The provider id the mode writes by default (a custom --provider-id is remembered in state.json). */
  providerId: string;
  /**
   * Whether a table under another id looks like this mode's (its base URL, the key kept). Absent: the
   * mode a table that fits no other is taken for (one mode at most).
   */
  fits?(baseUrl: string, secrets: Secrets): boolean;
  /** What the table's base URL says of state.json's settings. */
  read(baseUrl: string): Partial<Manifest>;
}

const facts = new Map<string, ModeFacts>();
const recoveries = new Map<string, ModeRecovery>();

export function registerModeFacts(rows: Record<string, ModeFacts>): void {
  for (const [name, row] of Object.entries(rows)) facts.set(name, row);
}

export function registerModeRecovery(rows: Record<string, ModeRecovery>): void {
  for (const [name, row] of Object.entries(rows)) recoveries.set(name, row);
  const catchAll = [...recoveries].filter(([, row]) => row.fits === undefined);
  if (catchAll.length > 1) throw new Error(`modes ${catchAll.map(([name]) => name).join(', ')} each take any provider table: one at most may leave out fits()`);
}

/** The facts of the mode state.json names (files from before modes: the default mode). */
export function modeFacts(mode: string | undefined): ModeFacts {
  const row = facts.get(mode ?? DEFAULT_MODE);
  if (!row) throw new Error(`no facts registered for mode "${mode ?? DEFAULT_MODE}" (questions.ts registers every mode's row)`);
  return row;
}

/** Every mode's recovery, the catch-all last: the order a table under a custom id is tried in. */
export function modeRecoveries(): [string, ModeRecovery][] {
  if (recoveries.size === 0) throw new Error('no mode recovery registered (src/modes/index.ts registers them when it loads)');
  const rows = [...recoveries];
  return [...rows.filter(([, row]) => row.fits !== undefined), ...rows.filter(([, row]) => row.fits === undefined)];
}
