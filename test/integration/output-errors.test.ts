/** stderr or stdout on a full disk (/dev/full): the exit code still tells, no unhandled 'error' event. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

function exitCode(args: string[], stdio: ['ignore', number | 'ignore' | 'pipe', number | 'ignore' | 'pipe']): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('output on a full disk', () => {
  it('a usage error with stderr on /dev/full still exits 2 (not 1 from an unhandled error event)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      expect((await exitCode(['--bogus'], ['ignore', 'ignore', full])).code).toBe(2);
    } finally {
      closeSync(full);
    }
  });
});
