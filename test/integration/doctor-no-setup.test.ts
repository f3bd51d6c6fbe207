/**
 * doctor with nothing of the tool's there (a fresh HOME): one line naming where it looked and the
 * command that sets one up, exit 7; a partial setup keeps the detailed lines.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson, sandbox } from '../helpers/cli.js';

describe('doctor before any setup', () => {
  it('a fresh HOME (with a config.toml of the user\'s own): one line, the command that sets one up, exit 7', async () => {
    const box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "gpt-5.5"\n');
    const result = await runCli(box, ['doctor']);
    expect(result.exitCode, result.all).toBe(7);
    const lines = result.all.trim().split('\n');
    expect(lines, result.all).toHaveLength(1);
    expect(lines[0]).toContain("No setup found: nothing of glm-codex-setup's in ~/.glm-codex or ~/.codex.");
    expect(lines[0]).toContain(`Run \`${BIN}\` to set one up.`);
    expect(result.all).not.toMatch(/repair|is missing/);

    const json = await runCliJson(box, ['doctor']);
    expect(json.exitCode).toBe(7);
    expect(json.json).toEqual({
      ok: false,
      command: 'doctor',
      healthy: false,
      setupFound: false,
      checks: [{ id: 'setup', status: 'FAIL', message: "No setup found: nothing of glm-codex-setup's in ~/.glm-codex or ~/.codex.", fix: `Run \`${BIN}\` to set one up.` }],
    });
  }, 60_000);

  it('the printed command runs as printed: it names the folders given with --state-dir / --codex-home', async () => {
    const box = await sandbox();
    const stateDir = join(box.home, 'elsewhere');
    const result = await runCli(box, ['doctor', '--state-dir', stateDir]);
    expect(result.exitCode, result.all).toBe(7);
    expect(result.all).toContain(`in ~/elsewhere or ~/.codex. Run \`${BIN} --state-dir ${stateDir}\` to set one up.`);
  }, 60_000);

  it('after uninstall (backups and the marker kept): no setup, and it says what is kept', async () => {
    const box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "gpt-5.5"\n');
    const setup = await runCli(box, ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general'], { env: { ZAI_API_KEY: 'zai-doctor-key.0123456789abcdef' } });
    expect(setup.exitCode, setup.all).toBe(0);
    const uninstall = await runCli(box, ['uninstall', '--non-interactive']);
    expect(uninstall.exitCode, uninstall.all).toBe(0);
    expect((await readdir(box.stateDir)).sort()).toEqual(['.glm-codex-setup', 'backups']);
    const result = await runCli(box, ['doctor']);
    expect(result.exitCode, result.all).toBe(7);
    const lines = result.all.trim().split('\n');
    expect(lines, result.all).toHaveLength(1);
    expect(lines[0]).toContain('No setup found in ~/.glm-codex or ~/.codex; ~/.glm-codex holds only what an uninstall keeps (backups).');
    expect(lines[0]).toContain(`Run \`${BIN}\` to set one up.`);
  }, 120_000);

  it('a partial setup (only secrets.env left) keeps the detailed lines', async () => {
    const box = await sandbox();
    await mkdir(box.stateDir, { recursive: true, mode: 0o700 });
    await writeFile(join(box.stateDir, 'secrets.env'), 'ZAI_API_KEY=zai-test-key.0123456789abcdef\n', { mode: 0o600 });
    const result = await runCliJson(box, ['doctor']);
    expect(result.exitCode).toBe(7);
    expect(result.json.setupFound).toBeUndefined();
    expect(result.json.checks.filter((c: { status: string }) => c.status === 'FAIL').length).toBeGreaterThan(1);
  }, 60_000);
});
