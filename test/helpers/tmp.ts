import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = 'glm-codex-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

// After all tests of a file, not after each: concurrent tests must not remove each other's folders.
afterAll(async () => {
  while (created.length > 0) await rm(created.pop()!, { recursive: true, force: true });
});
