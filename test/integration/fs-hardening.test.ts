/**
 * Files the tool must not lose or rewrite: non-UTF-8 files, paths that are not files, a state dir
 * that is not the tool's, a provider table that is the user's, files it may not write, modes.
 * The built CLI with --no-start in a sandbox HOME; every refusal leaves every byte where it was.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliJson, sandbox } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/tree.js';

const ZAI_KEY = 'f3a9c1d2e4b5.AbCdEfGhIjKlMnOp';
const withKey = { ZAI_API_KEY: ZAI_KEY };
const SETUP = ['--non-interactive', '--no-start'];
const LATIN1_CONFIG = Buffer.from('# caf\xe9\nmodel = "o3"\n', 'latin1');

describe('a file that is not UTF-8 is refused, never rewritten', () => {
  it('config.toml in Latin-1: setup exits 4 naming the file and the byte offset; nothing is written', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, LATIN1_CONFIG);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`${path} is not valid UTF-8 (byte 0xe9 at offset 5)`);
    expect(await readFile(path)).toEqual(LATIN1_CONFIG);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('config.toml in Latin-1: doctor prints a FAIL line naming it and exits 7', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, LATIN1_CONFIG);
    const result = await runCliJson(box, ['doctor']);
    expect(result.exitCode, result.all).toBe(7);
    expect(result.json.checks).toEqual([expect.objectContaining({ status: 'FAIL', message: expect.stringContaining(`${path} is not valid UTF-8`) })]);
    expect((await runCli(box, ['doctor'])).all).toMatch(/FAIL .*config\.toml is not valid UTF-8 \(byte 0xe9 at offset 5\)/);
    expect(await readFile(path)).toEqual(LATIN1_CONFIG);
  });

  it('a Latin-1 .bashrc and glm-bridge.yaml are refused with exit 4 and left byte for byte', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    const bashrc = join(box.home, '.bashrc');
    const rc = Buffer.concat([Buffer.from('# r\xe9glages\nalias ll="ls -l"\n', 'latin1'), await readFile(bashrc)]);
    await writeFile(bashrc, rc);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`${bashrc} is not valid UTF-8 (byte 0xe9 at offset 3)`);
    expect(await snapshotTree(box.home)).toEqual(before);
    expect(await readFile(bashrc)).toEqual(rc);

    await writeFile(bashrc, '');
    const bridge = join(box.stateDir, 'glm-bridge.yaml');
    const yaml = Buffer.concat([await readFile(bridge), Buffer.from('# \xff\n', 'latin1')]);
    await writeFile(bridge, yaml);
    const again = await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey });
    expect(again.exitCode, again.all).toBe(4);
    expect(again.all).toContain(`${bridge} is not valid UTF-8 (byte 0xff`);
    expect(await readFile(bridge)).toEqual(yaml);
  });
});

describe('a config.toml that is not a file', () => {
  for (const kind of ['directory', 'symlink loop'] as const) {
    it(`${kind}: setup exits 4 and doctor prints FAIL naming the path (exit 7), never "This is a bug"`, async () => {
      const box = await sandbox();
      const path = join(box.codexHome, 'config.toml');
      if (kind === 'directory') await mkdir(path);
      else {
        await symlink(join(box.codexHome, 'b.toml'), path);
        await symlink(path, join(box.codexHome, 'b.toml'));
      }
      const before = await snapshotTree(box.home);
      const setup = await runCli(box, SETUP, { env: withKey });
      expect(setup.exitCode, setup.all).toBe(4);
      expect(setup.all).toContain(path);
      expect(setup.all).not.toMatch(/This is a bug/);
      const doctor = await runCli(box, ['doctor']);
      expect(doctor.exitCode, doctor.all).toBe(7);
      expect(doctor.all).toMatch(new RegExp(`FAIL .*${path.replace(/[.]/g, '\\.')}`));
      expect(doctor.all).not.toMatch(/This is a bug/);
      expect(await snapshotTree(box.home)).toEqual(before);
    });
  }
});
