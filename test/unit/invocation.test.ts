/** How the tool names itself in hints, the user's own PATH, URL checks, and the spinner's line fitting. */
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, commandName, detectCommandName, resetInvocationForTests, setCommandFolders, setCommandName, shellWord, userPath } from '../../src/invocation.js';
import { detectCodex } from '../../src/codex/version.js';
import { checkUrl, gatewayBase, validateModel, validateProviderId } from '../../src/questions.js';
import { ExitCode } from '../../src/exit-codes.js';
import { elapsed, fit } from '../../src/ui/output.js';
import { tempDir } from '../helpers/tmp.js';

async function checkout() {
  const root = await tempDir('glm-checkout-');
  await mkdir(join(root, 'bin'));
  const script = join(root, 'bin', 'glm-codex-setup.js');
  await writeFile(script, '#!/usr/bin/env node\n');
  await chmod(script, 0o755);
  return { root, script };
}

describe('detectCommandName', () => {
  it('npx (npm exec) -> npx glm-codex-setup', async () => {
    const { script } = await checkout();
    expect(await detectCommandName({ PATH: '/usr/bin', npm_command: 'exec' }, script)).toBe('npx glm-codex-setup');
  });
  it('npm start -- … from a checkout (inside it or not) -> the script\'s full path, which runs from anywhere', async () => {
    const { root, script } = await checkout();
    const env = { PATH: '/usr/bin', npm_lifecycle_event: 'start', npm_package_name: 'glm-codex-setup' };
    expect(await detectCommandName({ ...env, INIT_CWD: join(root, 'bin') }, script)).toBe(script);
    expect(await detectCommandName({ ...env, INIT_CWD: '/tmp' }, script)).toBe(script);
  });
  it('on the user\'s PATH (a link to this script) -> glm-codex-setup; npm\'s node_modules/.bin does not count', async () => {
    const { root, script } = await checkout();
    const onPath = join(root, 'path-bin');
    const npmBin = join(root, 'node_modules', '.bin');
    await mkdir(onPath);
    await mkdir(npmBin, { recursive: true });
    await symlink(script, join(npmBin, 'glm-codex-setup'));
    expect(await detectCommandName({ PATH: `${npmBin}:/usr/bin`, npm_lifecycle_event: 'test' }, script)).toBe(shellWord(script));
    await symlink(script, join(onPath, 'glm-codex-setup'));
    expect(await detectCommandName({ PATH: `${onPath}:/usr/bin` }, script)).toBe('glm-codex-setup');
  });
  it('else the full path, quoted for a shell when it needs it', async () => {
    expect(shellWord('/opt/my tools/glm.js')).toBe("'/opt/my tools/glm.js'");
    const { script } = await checkout();
    expect(await detectCommandName({ PATH: '/usr/bin' }, script)).toBe(script);
  });
});

describe('printed commands', () => {
  it('the private copy Codex\'s auth command runs is never named: the tool on PATH, else npx', async () => {
    const state = await tempDir('glm-state-');
    await mkdir(join(state, 'app', 'bin'), { recursive: true });
    const script = join(state, 'app', 'bin', 'glm-codex-setup.js');
    await writeFile(script, '#!/usr/bin/env node\n');
    await chmod(script, 0o755);
    expect(await detectCommandName({ PATH: '/nowhere' }, script)).toBe('npx glm-codex-setup');
    const bin = await tempDir('glm-bin-');
    await symlink(script, join(bin, 'glm-codex-setup'));
    expect(await detectCommandName({ PATH: bin }, script)).toBe('glm-codex-setup');
  });

  it('keep --codex-home and --state-dir when they were given, as absolute paths', () => {
    try {
      setCommandName('glm-codex-setup');
      setCommandFolders({ stateDir: 'my state', codexHome: '/x/.codex' });
      expect(cli('doctor')).toBe(`glm-codex-setup doctor --codex-home /x/.codex --state-dir '${join(process.cwd(), 'my state')}'`);
      expect(cli()).toBe(`glm-codex-setup --codex-home /x/.codex --state-dir '${join(process.cwd(), 'my state')}'`);
      resetInvocationForTests();
      setCommandFolders({});
      expect(cli('doctor')).toBe('glm-codex-setup doctor');
    } finally {
      resetInvocationForTests();
    }
  });

  it('are written once per run: a second write is a bug and throws; the Context reads what main wrote', async () => {
    try {
      expect(cli('doctor')).toBe('glm-codex-setup doctor');
      setCommandName('npx glm-codex-setup');
      setCommandFolders({ stateDir: '/s' });
      expect(() => setCommandName('glm-codex-setup')).toThrow(/once per run/);
      expect(() => setCommandFolders({})).toThrow(/once per run/);
      expect(cli('start')).toBe('npx glm-codex-setup start --state-dir /s');
      const { buildContext } = await import('../../src/context.js');
      const { parseOptions } = await import('../../src/options.js');
      const ctx = await buildContext(parseOptions(['doctor'], {}), { version: '0', stdinIsTty: false, redact: (t) => t, addSecret: () => undefined, env: { HOME: '/home/ada' } });
      expect(ctx.commandName).toBe(commandName());
      expect(ctx.commandName).toBe('npx glm-codex-setup');
    } finally {
      resetInvocationForTests();
    }
  });
});

describe('the user\'s PATH', () => {
  it('drops the node_modules/.bin entries npm put in front, only when npm started the run', () => {
    const PATH = '/w/node_modules/.bin:/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/bin:/home/ada/tools/node_modules/.bin';
    expect(userPath({ PATH, npm_lifecycle_event: 'start' })).toBe('/usr/bin:/home/ada/tools/node_modules/.bin');
    expect(userPath({ PATH })).toBe(PATH);
  });
  it('detectCodex does not find a codex that only npm put on PATH', async () => {
    const { root } = await checkout();
    const npmBin = join(root, 'node_modules', '.bin');
    await mkdir(npmBin, { recursive: true });
    await writeFile(join(npmBin, 'codex'), '#!/bin/sh\necho codex-cli 9.9.9\n');
    await chmod(join(npmBin, 'codex'), 0o755);
    expect(await detectCodex({ PATH: `${npmBin}:/nonexistent` })).toEqual({ bin: join(npmBin, 'codex'), version: '9.9.9' });
    expect(await detectCodex({ PATH: `${npmBin}:/nonexistent`, npm_command: 'run-script', npm_lifecycle_event: 'start' })).toEqual({ bin: null, version: null });
  });
});

describe('checkUrl', () => {
  it('refuses a doubled scheme, a missing host, and non-http schemes; takes a full URL', () => {
    expect(() => checkUrl('https://http://127.0.0.1:8080/v1', '--endpoint')).toThrow(/two schemes/);
    expect(() => checkUrl('https://', '--endpoint')).toThrow(/with a host/);
    expect(() => checkUrl('http:example.com', '--endpoint')).toThrow(/with a host/);
    expect(() => checkUrl('ftp://example.com', '--endpoint')).toThrow(/http\(s\)/);
    expect(() => checkUrl('example.com/v4', '--endpoint')).toThrow(/http\(s\)/);
    expect(checkUrl('http://127.0.0.1:8080/api/paas/v4/', '--endpoint')).toBe('http://127.0.0.1:8080/api/paas/v4');
  });

  it('refuses a URL, a model id or a provider id over its length limit, as a usage error naming the limit', () => {
    const long = `https://llm.example.com/${'a'.repeat(100_000)}`;
    expect(() => checkUrl(long, '--endpoint')).toThrow(/limit is 2048/);
    expect(() => gatewayBase(long)).toThrow(expect.objectContaining({ exitCode: ExitCode.usage }));
    expect(checkUrl(`https://llm.example.com/${'a'.repeat(2000)}`, '--endpoint')).toHaveLength(2024);
    expect(() => validateModel('g'.repeat(5000), '--model')).toThrow(/limit is 128/);
    expect(() => validateProviderId('p'.repeat(5000), '--provider-id')).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/limit is 128/) }));
    expect(validateModel('g'.repeat(128), '--model')).toHaveLength(128);
  });

  it('refuses a query or a fragment, which /v1 would be appended into', () => {
    expect(() => gatewayBase('https://llm.example.com/#frag')).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/query \(\?\) or fragment/) }));
    expect(() => gatewayBase('https://llm.example.com/?team=a')).toThrow(expect.objectContaining({ fix: 'Give the URL without it, e.g. https://llm.example.com.' }));
    expect(() => checkUrl('https://api.example.com/v4?x', '--endpoint')).toThrow(expect.objectContaining({ fix: 'Give the URL without it, e.g. https://api.example.com/v4.' }));
    expect(() => checkUrl('https://api.example.com/v4#', '--endpoint')).toThrow(/fragment/);
  });
});

describe('the spinner line', () => {
  it('is cut to the width, without colour codes or line breaks', () => {
    const line = fit(`\x1b[32m◒\x1b[39m  Installing LiteLLM (3s): ${'x'.repeat(200)}\nmore`, 79);
    expect([...line]).toHaveLength(79);
    expect(line).not.toMatch(/\x1b|\n/);
    expect(line.endsWith('…')).toBe(true);
  });
  it('shows elapsed time as 42s or 1m 05s', () => {
    expect(elapsed(0, 42_500)).toBe('42s');
    expect(elapsed(0, 65_000)).toBe('1m 05s');
  });
});

describe('wrap (long lines inside clack\'s gutter)', () => {
  it('breaks at spaces and keeps the indent', async () => {
    const { wrap } = await import('../../src/ui/output.js');
    const text = wrap(`  fix: ${'word '.repeat(30)}\nshort ${'x'.repeat(30)}`, 40);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(40);
    expect(text.split('\n')[1]!.startsWith('  ')).toBe(true);
    expect(text.replace(/\s+/g, '')).toBe(`fix:${'word'.repeat(30)}short${'x'.repeat(30)}`);
  });
});

describe('wrap keeps a `command` in one piece', () => {
  it('breaks before the backquoted span, not inside it', async () => {
    const { wrap } = await import('../../src/ui/output.js');
    const text = wrap('Problems found: run `glm-codex-setup --non-interactive --endpoint general` to repair', 40);
    expect(text.split('\n')).toContain('`glm-codex-setup --non-interactive --endpoint general`');
  });
});
