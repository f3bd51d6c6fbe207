/**
 * Issue 21: a legacy profile with approval_policy = "untrusted" moved into its own file must load in
 * the real Codex (0.149+ refuses the value everywhere). No proxy: --no-start, Codex loads the files offline
 * (`codex --profile x debug prompt-input`).
 */
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CODEX_BIN, CODEX_NEWEST_BIN, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { fixture } from '../helpers/corpus.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-migrated-profile.0123456789abcdef';
const REFUSAL = 'approval_policy = "untrusted" is no longer supported; remove this setting';

/** Codex loads config.toml and the profile file and renders the first request (exit 0), or says why not. */
async function promptInput(codexBin: string, box: Sandbox, profile: string) {
  const result = await execa(codexBin, ['--profile', profile, 'debug', 'prompt-input', 'hi'], { cwd: box.home, env: box.env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 60_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function pinnedBox(codexBin: string): Promise<Sandbox> {
  const binDir = await tempDir('glm-codex-pin-');
  await symlink(codexBin, join(binDir, 'codex'));
  return sandbox({ extraPath: [binDir] });
}

/** A real user's shape (corpus 31): config.toml says never + danger-full-access, one profile says untrusted. */
const NO_SANDBOX = `approval_policy = "never"
sandbox_mode = "danger-full-access"

[profiles.safe]
approval_policy = "untrusted"
`;

describe('a migrated profile with approval_policy = "untrusted"', () => {
  for (const [release, codexBin] of [['0.169.0', CODEX_BIN], ['0.171.0', CODEX_NEWEST_BIN]] as const) {
    it(`Codex ${release}: the moved file loads, only the value changed, the run names the line; without the rewrite Codex refuses it`, async () => {
      const box = await pinnedBox(codexBin);
      const original = readFileSync(fixture('user-profiles-table.toml'), 'utf8');
      await writeFile(join(box.codexHome, 'config.toml'), original);
      const run = await runCli(box, ['--non-interactive', '--no-start', '--migrate-profiles'], { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(run.exitCode, run.all).toBe(0);
      expect(run.stderr).toContain('~/.codex/careful.config.toml line 4: approval_policy = "untrusted" becomes approval_policy = "on-request".');
      expect(run.stderr).toContain(REFUSAL);

      const moved = await readFile(join(box.codexHome, 'careful.config.toml'), 'utf8');
      expect(moved.split('\n')[1]).toBe(`# approval_policy = "untrusted" became approval_policy = "on-request" (line 4): Codex ${release} refuses "untrusted".`);
      expect(moved.split('\n')[3]).toBe('approval_policy = "on-request"');
      const loaded = await promptInput(codexBin, box, 'careful');
      expect(loaded.exitCode, loaded.stderr.slice(-1500)).toBe(0);
      // Its own sandbox, and not config.toml's approval_policy = "never".
      expect(loaded.stdout).toContain('`sandbox_mode` is `workspace-write`');
      expect(loaded.stdout).not.toContain('Approval policy is currently never');
      expect((await runCli(box, ['doctor'])).all).not.toContain('careful.config.toml line');

      // The same file with the value as it was: the refusal the rewrite avoids.
      await writeFile(join(box.codexHome, 'careful.config.toml'), moved.replace(/^approval_policy = "on-request"$/m, 'approval_policy = "untrusted"'));
      const refused = await promptInput(codexBin, box, 'careful');
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain(REFUSAL);
      const doctor = await runCli(box, ['doctor']);
      expect(doctor.all).toMatch(new RegExp(`FAIL {2}~/\\.codex/careful\\.config\\.toml line 4: approval_policy = "untrusted", which Codex ${release.replaceAll('.', '\\.')} refuses`));
      expect(doctor.all).toContain('Change that line to approval_policy = "on-request"');
    });
  }

  it('with danger-full-access there is no faithful value: the line is kept, the run and doctor name it, and Codex says why', async () => {
    const box = await pinnedBox(CODEX_NEWEST_BIN);
    await writeFile(join(box.codexHome, 'config.toml'), NO_SANDBOX);
    const run = await runCli(box, ['--non-interactive', '--no-start', '--migrate-profiles'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stderr).toContain(`~/.codex/safe.config.toml line 2 keeps approval_policy = "untrusted", which Codex 0.171.0 refuses (it says: ${REFUSAL}): \`codex --profile safe\` fails until you change it.`);
    expect(await readFile(join(box.codexHome, 'safe.config.toml'), 'utf8')).toBe('# Moved here from [profiles.safe] in ~/.codex/config.toml by glm-codex-setup: `codex --profile safe` reads it.\napproval_policy = "untrusted"\n');
    const refused = await promptInput(CODEX_NEWEST_BIN, box, 'safe');
    expect(refused.stderr).toContain(REFUSAL);
    const doctor = await runCli(box, ['doctor']);
    expect(doctor.all).toContain('FAIL  ~/.codex/safe.config.toml line 2: approval_policy = "untrusted", which Codex 0.171.0 refuses');
    expect(doctor.all).toContain('"on-request" would never ask');

    // The same value at the top of config.toml stops every start: doctor names that line too.
    await writeFile(join(box.codexHome, 'config.toml'), (await readFile(join(box.codexHome, 'config.toml'), 'utf8')).replace('approval_policy = "never"', 'approval_policy = "untrusted"'));
    expect((await promptInput(CODEX_NEWEST_BIN, box, 'glm')).stderr).toContain(REFUSAL);
    expect((await runCli(box, ['doctor'])).all).toContain('FAIL  ~/.codex/config.toml line 1: approval_policy = "untrusted", which Codex 0.171.0 refuses at every start');
  });
});
