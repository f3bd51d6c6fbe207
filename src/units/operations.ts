/**
 * What a plan is made of. Files are written or deleted; commands (installing LiteLLM, starting or
 * stopping the proxy) are `run` operations. All three are shown by --dry-run and the confirm list,
 * and carried out only by apply/.
 */
import { unifiedDiff } from '../ui/diff.js';

export interface WriteOperation {
  kind: 'write';
  path: string;
  /** What the file is, for people: "Codex config", "LiteLLM config", ... */
  label: string;
  before: string | null;
  after: string;
  /** Holds secrets: written 0600, never shown in a diff. */
  secret: boolean;
  newFileMode: number;
}

export interface DeleteOperation {
  kind: 'delete';
  path: string;
  label: string;
  before: string;
  secret: boolean;
  /** false: deleted without a backup (a file holding a key: a backup of a key is a key). */
  backup?: false;
}

/** The commands apply/ knows how to run (apply/actions.ts), each with what it needs. */
export type RunAction =
  | { action: 'install-litellm'; venv: string; version: string; reason: string }
  | { action: 'ensure-proxy'; port: number }
  | { action: 'stop-proxy'; pid: number }
  | { action: 'validate-catalog'; path: string; codexBin: string }
  | { action: 'install-app-copy'; stateDir: string }
  | { action: 'remove-app-copy'; stateDir: string }
  /** Commands of a service manager (systemctl, launchctl, schtasks), each an argv, run in order. */
  | { action: 'service'; argvs: string[][] }
  /** Codex itself, from npm (the wizard offers it when no `codex` is on PATH). */
  | { action: 'install-codex'; argv: string[] }
  /** uninstall: the LiteLLM venv in the state dir. */
  | { action: 'remove-venv'; venv: string }
  /** uninstall: folders the tool made for a file it removed, deepest first, each only when empty. */
  | { action: 'remove-empty-dirs'; dirs: string[] }
  /** uninstall: what the proxy and the tool leave while running (logs, pid and status files), by their fixed names in the state dir. */
  | { action: 'remove-run-files'; files: string[] }
  /** uninstall --purge: the tool's own entries of the state dir, then the folder (fs/purge.ts decides what is the tool's). */
  | { action: 'purge-state-dir'; stateDir: string }
  /** gateway key create: ask the gateway for a developer's key; with `out`, write it there (0600). The master key is never shown. */
  | { action: 'create-gateway-key'; gatewayUrl: string; masterKey: string; user: string; budget: number | undefined; models: string[] | undefined; keyAlias: string; timeoutMs: number; out: string | null };

export type RunOperation = { kind: 'run'; label: string } & RunAction;

export type FileOperation = WriteOperation | DeleteOperation;
export type Operation = FileOperation | RunOperation;

export const isFileOperation = (op: Operation): op is FileOperation => op.kind !== 'run';

export function writeOp(
  label: string,
  path: string,
  before: string | null,
  after: string,
  options: { secret?: boolean; mode?: number; always?: boolean } = {},
): WriteOperation[] {
  if (before === after && !options.always) return [];
  return [{ kind: 'write', path, label, before, after, secret: options.secret ?? false, newFileMode: options.mode ?? 0o644 }];
}

export function deleteOp(label: string, path: string, before: string | null, secret = false, options: { backup?: false } = {}): DeleteOperation[] {
  return before === null ? [] : [{ kind: 'delete', path, label, before, secret, ...options }];
}

export interface OperationSummary {
  path: string | null;
  label: string;
  action: 'create' | 'update' | 'delete' | 'run';
}

export function describeOperation(op: Operation): OperationSummary {
  if (op.kind === 'run') return { path: null, label: op.label, action: 'run' };
  return { path: op.path, label: op.label, action: op.kind === 'delete' ? 'delete' : op.before === null ? 'create' : 'update' };
}

/** The commands a `run` operation starts, as argv (shown by --dry-run); [] for the tool's own steps. */
export function runArgvs(op: RunOperation): string[][] {
  if (op.action === 'service') return op.argvs;
  if (op.action === 'install-codex') return [op.argv];
  return [];
}

export function renderDiff(op: Operation): string {
  if (op.kind === 'run') return `run: ${op.label}\n${runArgvs(op).map((argv) => `  $ ${argv.join(' ')}\n`).join('')}`;
  if (op.kind === 'delete') return `--- ${op.path}\n+++ /dev/null\n(deleted${op.secret ? '' : `: ${op.before.split('\n').length} lines`})\n`;
  if (op.secret) {
    return `--- ${op.before === null ? '/dev/null' : op.path}\n+++ ${op.path}\n(contents hidden: this file holds secrets; it is written with mode 0600)\n`;
  }
  return unifiedDiff(op.path, op.before, op.after);
}

/** Files the plan creates (their `before` is null): uninstall may delete exactly these. */
export function createdPaths(ops: readonly Operation[]): string[] {
  return ops.filter((op): op is WriteOperation => op.kind === 'write' && op.before === null).map((op) => op.path);
}
