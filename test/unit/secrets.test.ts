/** secrets.env is safe to source by hand; keys are checked with precise messages; weak master keys are named. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { generateMasterKey, normalizeSecret, parseSecrets, renderSecrets, weakMasterKeyReason } from '../../src/config/secrets.js';
import { tempDir } from '../helpers/tmp.js';

describe('secrets.env', () => {
  it('sourcing it runs nothing, and it reads back the same values', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const hostile = `abc$(touch ${marker})\`touch ${marker}\`;touch${'$'}{IFS}${marker}`.replace(/ /g, '');
    const text = renderSecrets({ ZAI_API_KEY: hostile, LITELLM_MASTER_KEY: 'sk-abc' });
    expect(parseSecrets(text).secrets).toEqual({ ZAI_API_KEY: hostile, LITELLM_MASTER_KEY: 'sk-abc' });
    await writeFile(join(dir, 'secrets.env'), text);
    const result = await execa('bash', ['-c', `. ${join(dir, 'secrets.env')}; printf %s "$ZAI_API_KEY"`]);
    expect(result.stdout).toBe(hostile);
    await expect(execa('test', ['-e', marker])).rejects.toThrow();
  });

  it('reads the unquoted form earlier versions wrote', () => {
    expect(parseSecrets('ZAI_API_KEY=abc.def\nLITELLM_MASTER_KEY=sk-x\n').secrets).toEqual({ ZAI_API_KEY: 'abc.def', LITELLM_MASTER_KEY: 'sk-x' });
  });
});

describe('Z.ai key checks', () => {
  it('names a non-ASCII character as such (not "spaces, quotes or control characters")', () => {
    expect(() => normalizeSecret('abc\u2013def', 'the test')).toThrow(/non-ASCII character at character 4 \(U\+2013/);
    expect(() => normalizeSecret('abc"def', 'the test')).toThrow(/quote at character 4/);
    expect(() => normalizeSecret('abc def', 'the test')).toThrow(/space at character 4/);
  });

  it('refuses a key over 512 characters as a usage error, without echoing it', () => {
    const key = 'k'.repeat(100_000);
    let error: unknown;
    try { normalizeSecret(key, 'the test'); } catch (caught) { error = caught; }
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/100000 characters long; the limit is 512/) });
    expect(String((error as Error).message)).not.toContain('kkkk');
    expect(normalizeSecret('k'.repeat(512), 'the test')).toHaveLength(512);
  });
});

describe('weak master keys', () => {
  it('sk-1234 and other short or repetitive keys are weak; generated ones are not', () => {
    expect(weakMasterKeyReason('sk-1234')).toMatch(/4 characters/);
    expect(weakMasterKeyReason(`sk-${'a'.repeat(40)}`)).toMatch(/repeats/);
    expect(weakMasterKeyReason(generateMasterKey())).toBeNull();
  });
});
