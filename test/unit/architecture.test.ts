/** What the layout promises, checked on the sources themselves. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, ROOT, sourceFiles } from '../helpers/imports.js';

const files = sourceFiles();

describe('one process seam', () => {
  const SEAM = 'src/process/run.ts';
  const spawning = (specifier: string) => /^(node:)?child_process$/.test(specifier) || specifier === 'execa';

  it('reads the sources (and sees the seam spawn)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...new Set(files.find((f) => f.path === SEAM)?.specifiers.filter(spawning))]).toEqual(['node:child_process', 'execa']);
  });

  it('no file in src/ but the seam imports node:child_process or execa', () => {
    const offenders = files.filter((f) => f.path !== SEAM && f.specifiers.some(spawning)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});

describe('error codes', () => {
  it('every code a UserError is built with is in the one list (the type holds it; this catches casts and strings passed around)', async () => {
    const { ERROR_CODES } = await import('../../src/errors.js');
    const used = new Set(files.flatMap((f) => [...f.text.matchAll(/(?:new UserError|super)\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!)));
    expect([...used].filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(used.size).toBeGreaterThan(40);
  });
});

/**
 * Layers: the README's "How the code is laid out" lists them top to bottom; a file may import from
 * its own layer or any below, never above. A folder of src/ is one unit, a file at src/'s top another.
 */
describe('layers', () => {
  const unitOf = (path: string) => {
    const rest = path.slice('src/'.length);
    return rest.includes('/') ? `${rest.split('/')[0]}/` : rest;
  };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const start = readme.findIndex((line) => line.startsWith('Layers, top to bottom'));
  const layers: string[][] = [];
  for (const line of readme.slice(start + 1)) {
    const item = /^\d+\. (.*)$/.exec(line);
    if (!item) break;
    layers.push([...item[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  }
  const layerOf = new Map(layers.flatMap((names, index) => names.map((name) => [name, index] as const)));

  const fileGraph = new Map(files.map((f) => [f.path, new Set(f.imports)]));
  const folderGraph = new Map<string, Set<string>>();
  for (const f of files) {
    const from = unitOf(f.path);
    if (!folderGraph.has(from)) folderGraph.set(from, new Set());
    for (const target of f.imports) if (unitOf(target) !== from) folderGraph.get(from)!.add(unitOf(target));
  }

  it('the README names every folder and top-level file of src/ once', () => {
    expect(start).toBeGreaterThan(0);
    const named = layers.flat();
    expect(new Set(named).size).toBe(named.length);
    expect([...new Set(files.map((f) => unitOf(f.path)))].sort()).toEqual([...named].sort());
  });

  it('no import cycle among files (type imports included)', () => {
    expect(cycles(fileGraph)).toEqual([]);
  });

  it('no import cycle among folders', () => {
    expect(cycles(folderGraph)).toEqual([]);
  });

  it('no import goes up the layers', () => {
    const upward = files.flatMap((f) =>
      f.imports.filter((target) => (layerOf.get(unitOf(target)) ?? -1) < (layerOf.get(unitOf(f.path)) ?? -1)).map((target) => `${f.path} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('finds cycles and upward imports when there are some', () => {
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]))).toEqual([['a', 'b', 'c']]);
    expect(layerOf.get('cli.ts')).toBeLessThan(layerOf.get('errors.ts')!);
  });
});

/** Adding a mode is one file in src/modes/ plus its questions: nothing else branches on a mode's name. */
describe('mode names', () => {
  const NAMES = ['local', 'direct', 'gateway'];
  const name = `'(?:${NAMES.join('|')})'`;
  /** A command is named `gateway` too: comparing the command is not a mode branch. */
  const aboutCommand = (expression: string) => /\bcommand\s*$/.test(expression) || /^\s*command\b/.test(expression);

  function modeBranches(text: string): string[] {
    const found: string[] = [];
    for (const [index, line] of text.split('\n').entries()) {
      for (const m of line.matchAll(new RegExp(`([\\w.?\\]\\)]+)\\s*[!=]==?\\s*${name}|${name}\\s*[!=]==?\\s*([\\w.]+)`, 'g'))) {
        if (!aboutCommand(m[1] ?? m[2] ?? '')) found.push(`${index + 1}: ${line.trim()}`);
      }
      if (new RegExp(`case ${name}:`).test(line)) {
        const before = text.split('\n').slice(0, index).reverse().find((l) => /switch \(/.test(l)) ?? '';
        if (!/switch \((?:[\w.]+\.)?command\)/.test(before)) found.push(`${index + 1}: ${line.trim()}`);
      }
      if (new RegExp(`MODES\\.(?:${NAMES.join('|')})\\b|MODES\\[${name}\\]`).test(line)) found.push(`${index + 1}: ${line.trim()}`);
    }
    return found;
  }

  it('finds a branch on a mode name (and not on the gateway command)', () => {
    expect(modeBranches("if (mode === 'local') x();\nif (manifest.mode !== 'direct') y();\nconst a = 'gateway' === m.mode;")).toHaveLength(3);
    expect(modeBranches("switch (mode) {\n  case 'local':\n}\nconst m = MODES.local;")).toHaveLength(2);
    expect(modeBranches("if (command === 'gateway') x();\nswitch (command) {\n  case 'gateway':\n}")).toEqual([]);
  });

  it('nothing outside src/modes/ compares a mode name', () => {
    const outside = files.filter((f) => !f.path.startsWith('src/modes/')).flatMap((f) => modeBranches(f.text).map((hit) => `${f.path}:${hit}`));
    expect(outside).toEqual([]);
  });
});

/** A mode's facts live in two places the fast paths and the planner read: its row in questions.ts and its file. They agree. */
describe('mode facts', () => {
  it('every mode in src/modes/index.ts has its row in questions.ts, and the two say the same', async () => {
    const { MODES } = await import('../../src/modes/index.js');
    const { MODE_CHOICES, MODE_NAMES } = await import('../../src/questions.js');
    const { modeFacts } = await import('../../src/config/mode-registry.js');
    expect(Object.keys(MODES)).toEqual(MODE_NAMES);
    for (const mode of Object.values(MODES)) {
      expect(modeFacts(mode.id)).toBe(MODE_CHOICES[mode.id]);
      expect(mode.localRuntime).toBe(MODE_CHOICES[mode.id].localProxy);
      // The key Codex's auth command prints is the key the mode gives Codex.
      const answers = mode.stored({ manifest: { version: 1, mode: mode.id }, secrets: { ZAI_API_KEY: 'zai-key-0123456789', LITELLM_MASTER_KEY: 'master-0123456789', GLM_CODEX_GATEWAY_KEY: 'sk-virtual-0123456789' } });
      expect(mode.secrets(answers)[MODE_CHOICES[mode.id].authKey]).toBe(mode.codexKey(answers).value);
    }
  });
});
