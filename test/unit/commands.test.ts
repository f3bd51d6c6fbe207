/**
 * Commands called in-process with a Context built by the real builder (a temporary HOME, an
 * Output that records): the small defects of issue 20, each pinned where it lived.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectFiles } from '../../src/inspect/inspect.js';
import { localMode } from '../../src/modes/local.js';
import type { Unit } from '../../src/units/types.js';
import { resolvePaths } from '../../src/paths.js';
import { runChecks } from '../../src/doctor/checks.js';
import { testContext, testHome } from '../helpers/context.js';

describe('HOME set but empty', () => {
  it('the home folder is the account\'s, never the current folder: the shell blocks, ~/.codex and the state dir stay out of it', async () => {
    const saved = process.env.HOME;
    process.env.HOME = '';
    try {
      const paths = resolvePaths({}, { HOME: '' });
      const home = userInfo().homedir;
      expect(paths.home).toBe(home);
      for (const path of [paths.codexConfig, paths.stateDir]) expect(path.startsWith(`${home}/`), path).toBe(true);
      const files = await inspectFiles(paths);
      expect(files.rcFiles.length).toBeGreaterThan(0);
      for (const rc of files.rcFiles) {
        expect(isAbsolute(rc.path), rc.path).toBe(true);
        expect(rc.path.startsWith(`${home}/`), rc.path).toBe(true);
      }
    } finally {
      process.env.HOME = saved;
    }
  });
});

describe('start on a setup that runs no proxy', () => {
  for (const mode of ['direct', 'gateway']) {
    it(`${mode} mode: says there is no proxy in this mode (not "No setup found")`, async () => {
      const where = await testHome();
      await mkdir(where.stateDir, { recursive: true });
      await writeFile(join(where.stateDir, 'state.json'), JSON.stringify({ version: 1, mode, model: 'glm-5.2' }));
      const { runStart } = await import('../../src/commands/proxy-commands.js');
      const ctx = await testContext(['start'], where);
      const error = await runStart(ctx).then(() => null, (e: unknown) => e as { code: string; message: string });
      expect(error).toMatchObject({ code: 'no-proxy-in-mode' });
      expect(error!.message).toContain(`${mode} mode`);
      expect(error!.message).not.toMatch(/No setup found/);
    });
  }
});

describe('uninstall without a terminal', () => {
  async function installed() {
    const where = await testHome();
    await mkdir(where.stateDir, { recursive: true });
    const bashrc = join(where.home, '.bashrc');
    const block = '# >>> glm-codex-setup >>>\nif [ -r x ]; then . x; fi\n# <<< glm-codex-setup <<<\n';
    await writeFile(bashrc, `alias ll='ls -l'\n\n${block}`);
    await writeFile(join(where.stateDir, 'state.json'), JSON.stringify({ version: 1, model: 'glm-5.2', rcFiles: [bashrc] }));
    return { where, bashrc };
  }

  it('--json goes ahead as --non-interactive does (it implies it); with neither, it is refused', async () => {
    const { runUninstall } = await import('../../src/commands/uninstall.js');
    for (const flag of ['--json', '--non-interactive']) {
      const { where, bashrc } = await installed();
      const ctx = await testContext(['uninstall', flag], where);
      expect(ctx.confirm).toBe('given');
      expect(await runUninstall(ctx)).toBe(0);
      expect(await readFile(bashrc, 'utf8')).toBe("alias ll='ls -l'\n");
    }
    const { where, bashrc } = await installed();
    const ctx = await testContext(['uninstall'], where);
    expect(ctx.confirm).toBe('no-terminal');
    await expect(runUninstall(ctx)).rejects.toThrow(/no terminal to confirm on/);
    expect(await readFile(bashrc, 'utf8')).toContain('glm-codex-setup');
  });
});

describe('doctor\'s plan check', () => {
  it('a bug in a unit\'s plan is a FAIL naming the error, not a silently dropped check', async () => {
    const broken: Unit = { id: 'broken', plan: () => { throw new TypeError('cannot read properties of undefined (reading \'x\')'); }, undo: () => [], check: () => [] };
    const mode = { ...localMode, units: [...localMode.units, broken] } as typeof localMode;
    const where = await testHome();
    const state = { ...(await inspectFiles(resolvePaths({}, where.env))), codex: { bin: null, version: null }, basePrompt: { text: null, problem: 'not looked up' } };
    const checks = await runChecks(mode, { state, litellm: [], proxy: { kind: 'none' }, ready: false, cwd: where.home });
    const plan = checks.find((c) => c.id === 'plan');
    expect(plan).toMatchObject({ status: 'FAIL' });
    expect(plan!.message).toContain("TypeError: cannot read properties of undefined (reading 'x')");
  });
});

describe('the Codex install the wizard offers', () => {
  it('is a run operation: --dry-run shows its argv and runs nothing; without it, apply/ runs it', async () => {
    const { offerCodexInstall } = await import('../../src/commands/setup.js');
    const { snapshotTree } = await import('../helpers/tree.js');
    const where = await testHome();
    const bin = join(where.home, 'bin');
    await mkdir(bin);
    const marker = join(where.home, 'npm-ran');
    await writeFile(join(bin, 'npm'), `#!/bin/sh\necho "$@" > '${marker}'\n`, { mode: 0o755 });
    const yes = { confirm: async () => true } as never;
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    try {
      const dry = await testContext(['--dry-run', '--non-interactive'], where);
      const before = await snapshotTree(where.home);
      expect(await offerCodexInstall({ ...dry, prompts: yes })).toBeNull();
      expect(await snapshotTree(where.home)).toEqual(before);
      expect(dry.out.lines.join('\n')).toContain('$ npm install -g @openai/codex');

      const real = await testContext(['--non-interactive'], where);
      await offerCodexInstall({ ...real, prompts: yes });
      expect(await readFile(marker, 'utf8')).toBe('install -g @openai/codex\n');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
