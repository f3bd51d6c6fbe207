import { join } from 'node:path';
import { execa } from 'execa';

export interface PtyStep {
  expect: string;
  send: string;
  timeout?: number;
}

export const KEYS = { enter: '\r', down: '\u001b[B', up: '\u001b[A', ctrlC: '\u0003' };

/** Runs argv in a real pseudo-terminal (Python's pty module), answering prompts step by step. */
export async function drivePty(spec: { argv: string[]; env: Record<string, string>; cwd: string; steps: PtyStep[]; finalTimeout?: number; cols?: number; rows?: number }) {
  const result = await execa('python3', [join(import.meta.dirname, 'pty_drive.py'), JSON.stringify({ ...spec, final_timeout: spec.finalTimeout ?? 600 })], {
    reject: false,
    timeout: 900_000,
  });
  if (result.exitCode !== 0) throw new Error(`pty driver failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { exit_code: number; transcript: string; failed_step: number | null };
}
