/**
 * A Context for calling a command in-process (create-astro's fake context): the real option
 * parser and Context builder, a temporary HOME, and an Output that records what the command says.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildContext, type Context } from '../../src/context.js';
import { parseOptions } from '../../src/options.js';
import type { Output } from '../../src/ui/output.js';
import { tempDir } from './tmp.js';

export interface Recorded {
  lines: string[];
  results: Record<string, unknown>[];
}

export function recordingOutput(json = false): Output & Recorded {
  const lines: string[] = [];
  const results: Record<string, unknown>[] = [];
  const say = (kind: string) => (message: string) => void lines.push(`${kind} ${message}`);
  return {
    json,
    interactive: false,
    lines,
    results,
    info: say('info'),
    success: say('success'),
    warn: say('warn'),
    error: say('error'),
    step: say('step'),
    raw: (text) => void lines.push(`raw ${text}`),
    intro: say('intro'),
    note: (text, title) => void lines.push(`note ${title}: ${text}`),
    outro: (said, ok, closing) => void lines.push(...said.map((line) => `${ok ? 'info' : 'warn'} ${line}`), `outro ${closing}`),
    async task(title, run) {
      lines.push(`task ${title}`);
      return run(() => undefined);
    },
    result: (data) => void results.push(data),
  };
}

export interface TestHome {
  home: string;
  codexHome: string;
  stateDir: string;
  env: Record<string, string>;
}

export async function testHome(): Promise<TestHome> {
  const home = await tempDir('glm-ctx-home-');
  const codexHome = join(home, '.codex');
  const stateDir = join(home, '.glm-codex');
  await mkdir(codexHome, { recursive: true });
  return { home, codexHome, stateDir, env: { HOME: home, CODEX_HOME: codexHome, GLM_CODEX_HOME: stateDir, PATH: '/usr/bin:/bin' } };
}

/** The Context the command would get from `argv` in `where`, with stdin a terminal or not. */
export async function testContext(argv: string[], where: TestHome, options: { tty?: boolean } = {}): Promise<Context & { out: Output & Recorded }> {
  const parsed = parseOptions(argv, where.env);
  const out = recordingOutput(parsed.json);
  const ctx = await buildContext(parsed, { version: '0.0.0-test', stdinIsTty: options.tty ?? false, redact: (t) => t, addSecret: () => undefined, env: where.env, out });
  return ctx as Context & { out: Output & Recorded };
}
