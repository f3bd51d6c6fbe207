/** The pure pieces of command-backed auth: the auth table, the Codex version gate, Windows quoting. */
import { describe, expect, it } from 'vitest';
import { windowsArg } from '../../src/config/autostart.js';
import { AUTH_TIMEOUT_MS, codexAuthTable, supportsCommandAuth } from '../../src/config/codex-auth.js';
import { ON_DEMAND_READY_MS } from '../../src/config/codex-auth.js';
import { failureLine, ReportedFailure } from '../../src/runtime/failure-responder.js';
import { UserError } from '../../src/errors.js';

/** CommandLineToArgvW's rules for one argument (2n backslashes + quote -> n and toggle; 2n+1 -> n and a literal quote). */
function windowsParse(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\') {
      let count = 0;
      while (line[i] === '\\') {
        count++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(count);
        i--;
      }
      any = true;
    } else if (char === '"') {
      quoted = !quoted;
      any = true;
    } else if (char === ' ' && !quoted) {
      if (any) args.push(current);
      current = '';
      any = false;
    } else {
      current += char;
      any = true;
    }
  }
  if (any) args.push(current);
  return args;
}

describe('the auth table', () => {
  it('runs this Node on the app copy in the state dir, all paths absolute, with room for a cold start', () => {
    const table = codexAuthTable({ stateDir: '/home/ada/.glm-codex' });
    expect(table.command).toBe(process.execPath);
    expect(table.args).toEqual(['/home/ada/.glm-codex/app/bin/glm-codex-setup.js', 'auth-token', '--state-dir', '/home/ada/.glm-codex']);
    expect(table.timeout_ms).toBe(AUTH_TIMEOUT_MS);
    expect(table.timeout_ms).toBeGreaterThan(ON_DEMAND_READY_MS);
    expect(table.refresh_interval_ms).toBeGreaterThan(0);
  });

  it('is used from Codex 0.160 on', () => {
    expect(supportsCommandAuth('0.159.9')).toBe(false);
    expect(supportsCommandAuth('0.160.0')).toBe(true);
    expect(supportsCommandAuth('0.169.0')).toBe(true);
    expect(supportsCommandAuth('1.0.0')).toBe(true);
  });
});

describe('the failure line Codex shows', () => {
  it('is one line with the cause and the fix', () => {
    const error = new UserError('key-file-missing', 'the proxy key file /x/secrets.env does not exist.', { exitCode: 4, fix: 'run glm-codex-setup to create it again.' });
    expect(failureLine(error)).toBe('glm-codex-setup: the proxy key file /x/secrets.env does not exist. Fix: run glm-codex-setup to create it again.');
    expect(failureLine(new UserError('internal', 'two\n  lines.', { exitCode: 5 }))).toBe('glm-codex-setup: two lines.');
    expect(failureLine(new ReportedFailure('as reported'))).toBe('as reported');
  });
});

describe('Windows command-line quoting', () => {
  it('reads back unchanged by CommandLineToArgvW rules', () => {
    const cases = ['C:\\Program Files\\nodejs\\node.exe', 'plain', '', 'a "quoted" word', 'C:\\dir with space\\', 'back\\\\slashes\\"', 'tab\there'];
    expect(windowsParse(cases.map(windowsArg).join(' '))).toEqual(cases);
  });
});
