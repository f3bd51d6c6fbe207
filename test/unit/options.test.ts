/** Per-command flags (as gh does): a flag of another command is a usage error; two flags that contradict are refused. */
import { describe, expect, it } from 'vitest';
import { COMMANDS, flagCommands, parseOptions, questionFlags, SWITCHES } from '../../src/options.js';

const parse = (...argv: string[]) => parseOptions(argv, {});

describe('each command takes its own flags', () => {
  it('a flag of another command is refused, naming the commands it belongs to', () => {
    expect(() => parse('doctor', '--budget', '5', '--purge')).toThrow(/--budget is not a flag of `doctor` \(it belongs to gateway\)/);
    expect(() => parse('doctor', '--purge')).toThrow(/--purge is not a flag of `doctor` \(it belongs to uninstall\)/);
    expect(() => parse('status', '--port', '4000')).toThrow(/--port is not a flag of `status`/);
    expect(() => parse('uninstall', '-f')).toThrow(/--follow is not a flag of `uninstall`/);
    expect(() => parse('--user', 'alice')).toThrow(/--user is not a flag of `setup`/);
    expect(() => parse('backups', '--dry-run')).toThrow(/--dry-run is not a flag of `backups`/);
  });

  it('what each command reads is accepted', () => {
    expect(parse('start', '--port', '4100').given.port).toBe(4100);
    expect(parse('logs', '-f').follow).toBe(true);
    expect(parse('uninstall', '--purge', '--dry-run', '--yes').purge).toBe(true);
    expect(parse('restore', '20261206T010203Z', '--dry-run').dryRun).toBe(true);
    expect(parse('gateway', 'init', 'dir', '--endpoint', 'general', '--dry-run').gateway).toMatchObject({ action: 'init', dir: 'dir' });
    expect(parse('gateway', 'key', 'create', '--user', 'a', '--models', 'glm-5.2', '--gateway-url', 'http://127.0.0.1:4000', '--out', 'k', '--force').gateway).toMatchObject({ action: 'key-create', out: 'k' });
    expect(parse('autostart', 'enable', '--port', '4100', '--dry-run').given.port).toBe(4100);
    for (const command of COMMANDS) expect(parse(command === 'gateway' ? 'doctor' : command, '--json', '--state-dir', '/tmp/x', '--non-interactive').json).toBe(true);
  });

  it('every flag belongs to at least one command, and setup takes every answer', () => {
    for (const flag of [...questionFlags(), ...SWITCHES]) expect(flagCommands(flag.name).length, flag.name).toBeGreaterThan(0);
    for (const flag of questionFlags()) expect(flagCommands(flag.name)).toContain('setup');
  });
});

describe('flags that contradict each other', () => {
  it('are refused instead of one silently winning', () => {
    expect(() => parse('--autostart', '--no-autostart')).toThrow(/--autostart and --no-autostart contradict each other/);
    expect(() => parse('--make-default', '--no-make-default')).toThrow(/--make-default and --no-make-default contradict each other/);
  });
});
