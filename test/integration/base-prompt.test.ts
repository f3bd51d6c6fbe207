/** captureBasePrompt against the real Codex and against stand-ins that fail the ways a Codex can. */
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureBasePrompt } from '../../src/codex/base-prompt.js';
import { UserError } from '../../src/errors.js';
import { CODEX_BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let scratch: string;
const savedTmp = process.env.TMPDIR;
beforeEach(async () => {
  // Its own TMPDIR: proves the throwaway CODEX_HOME is removed, whatever happened.
  scratch = await tempDir('glm-prompt-tmp-');
  process.env.TMPDIR = scratch;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

const leftovers = async () => (await readdir(scratch)).filter((name) => name.startsWith('glm-codex-prompt-'));

async function standIn(execPart: string): Promise<string> {
  const dir = await tempDir('glm-fake-codex-');
  const file = join(dir, 'codex');
  await writeFile(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "codex-cli 9.9.9"; exit 0; fi\n${execPart}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('captureBasePrompt', () => {
  it('the real Codex: its generic prompt and version; nothing left in TMPDIR', async () => {
    const captured = await captureBasePrompt(CODEX_BIN);
    expect(captured.codexVersion).toBe('0.169.0');
    expect(captured.text).toMatch(/^You are a coding agent running in the Codex CLI/);
    expect(await leftovers()).toEqual([]);
  });

  it('a Codex that exits before sending anything: a UserError with its exit code and stderr', async () => {
    const bin = await standIn('echo "config broke here" >&2; exit 3');
    const error = await captureBasePrompt(bin).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('codex-base-prompt');
    expect((error as UserError).message).toMatch(/Codex 9\.9\.9.*exited with code 3 before sending a request/s);
    expect((error as UserError).message).toContain('config broke here');
    expect(await leftovers()).toEqual([]);
  });

  it('a Codex that never sends: stopped at the deadline', async () => {
    const bin = await standIn('exec sleep 600');
    const error = await captureBasePrompt(bin, { timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/sent no request within 3 s/);
    expect(await leftovers()).toEqual([]);
  });

  it('no Codex at all: a UserError naming the binary and the fix', async () => {
    const error = await captureBasePrompt('/nonexistent/codex').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('/nonexistent/codex');
    expect((error as UserError).fix).toMatch(/npm install -g @openai\/codex/);
  });
});
