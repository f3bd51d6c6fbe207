/**
 * The planner's inputs without a machine: a SetupState built from a map of files (as inspect()
 * would build it), the files after a plan's writes and deletes, and local answers. For table tests
 * of the pure core (test/unit/plan.test.ts, test/unit/repair.test.ts).
 */
import { parseManifest } from '../../src/config/manifest.js';
import { parseSecrets } from '../../src/config/secrets.js';
import { keyEnvFiles, rcCandidates } from '../../src/config/shell-env.js';
import type { SetupState } from '../../src/inspect/inspect.js';
import type { LocalAnswers } from '../../src/modes/types.js';
import type { Operation } from '../../src/units/operations.js';
import { resolvePaths } from '../../src/paths.js';
import { legacyProfilesInText, OWN_PROFILE, profileFilePath } from '../../src/config/legacy-profiles.js';

export const HOME = '/home/ada';
export const paths = resolvePaths({}, { HOME });
export type Files = Record<string, string>;

/** The user's legacy profiles as inspect() finds them. */
export function legacyState(files: Files): SetupState['legacyProfiles'] {
  const legacy = legacyProfilesInText(files[paths.codexConfig] ?? null, paths.codexConfig, OWN_PROFILE);
  return { ...legacy, files: Object.fromEntries(legacy.names.map((name) => [name, files[profileFilePath(paths.codexHome, name)] ?? null])) };
}

/** A SetupState as inspect() would build it from these files. */
export function stateOf(files: Files, options: { codex?: string | null; proxyPid?: number; prompt?: string; login?: string; modes?: Record<string, number> } = {}): SetupState {
  const snap = (path: string) => ({ path, text: files[path] ?? null });
  const withMode = (path: string) => ({ ...snap(path), mode: files[path] === undefined ? null : (options.modes?.[path] ?? 0o600) });
  const env = keyEnvFiles(paths.stateDir);
  const { secrets, otherLines } = parseSecrets(files[paths.secrets] ?? '');
  const rc = (name: string, shell: string) => ({ path: `${HOME}/${name}`, kind: 'sh' as const, shell, text: files[`${HOME}/${name}`] ?? null });
  return {
    paths,
    // 0.159: the last Codex without command-backed auth (the key through the environment and shell blocks).
    codex: { bin: options.codex === null ? null : 'codex', version: options.codex === undefined ? '0.159.0' : options.codex },
    codexConfig: snap(paths.codexConfig),
    codexProfile: snap(paths.codexProfile),
    bridge: snap(paths.bridgeConfig),
    bridgeHooks: snap(paths.bridgeHooks),
    secretsFile: withMode(paths.secrets),
    manifestFile: snap(paths.manifest),
    manifest: parseManifest(files[paths.manifest] ?? null),
    secrets,
    secretsOtherLines: otherLines,
    // The login file bash reads: ~/.profile unless the test says another appeared.
    rcFiles: [rc('.bashrc', 'bash (interactive)'), rc(options.login ?? '.profile', 'bash (login)')],
    rcCandidates: rcCandidates(HOME, parseManifest(files[paths.manifest] ?? null).rcFiles ?? []).map((target) => ({ ...target, text: files[target.path] ?? null })),
    keyEnvFiles: { sh: withMode(env.sh), fish: withMode(env.fish) },
    catalogFile: snap(paths.catalog),
    appCopy: 'missing',
    autostartFile: snap(`${HOME}/.config/systemd/user/glm-codex-proxy.service`),
    serviceManager: { available: false, manager: null, reason: 'PID 1 is not systemd (a test)' },
    basePrompt: options.prompt === undefined ? { text: null, problem: 'not looked up' } : { text: options.prompt, problem: null },
    legacyProfiles: legacyState(files),
    proxy:
      options.proxyPid === undefined
        ? { kind: 'none' }
        : { kind: 'running', record: { pid: options.proxyPid, port: 4000, startedAt: '', configHash: '', command: [] } },
  };
}

/** The files after applying a plan's writes and deletes. */
export function applied(files: Files, ops: Operation[]): Files {
  const next = { ...files };
  for (const op of ops) {
    if (op.kind === 'write') next[op.path] = op.after;
    if (op.kind === 'delete') delete next[op.path];
  }
  return next;
}

export const answers = (overrides: Partial<LocalAnswers> = {}): LocalAnswers => ({
  mode: 'local',
  providerId: undefined,
  codexAuth: 'command',
  model: 'glm-5.2',
  models: ['glm-5.2'],
  apiBase: 'https://api.z.ai/api/paas/v4',
  port: 4000,
  zaiKey: 'zai-key-0123456789',
  masterKey: 'sk-0123456789abcdefghijklmnopqrstuv',
  makeDefault: undefined,
  litellmPython: undefined,
  litellmLauncher: undefined,
  autostart: false,
  shellRc: true,
  migrateProfiles: false,
  ...overrides,
});

