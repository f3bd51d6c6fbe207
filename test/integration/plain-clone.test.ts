/**
 * A plain clone passes: the committed HEAD, cloned into a temporary folder with nothing beside it
 * (so no ../shared), with node_modules linked, passes the unit tests, which build nothing.
 * Where nothing the suite reads sits beside the checkout (a new machine, CI: no ../shared corpus), this
 * run's own unit project has just run as a plain clone would; the clone then runs two unit files, enough
 * to show that the clone is complete and that the unit project builds nothing.
 * Uncommitted changes are not part of what is checked: commit first. (The type-check is not repeated
 * here: `npm test` runs it on the checkout before any test, over the same files plus uncommitted ones;
 * test/unit/self-contained.test.ts finds any path that leaves the repository, type imports included.)
 */
import { readdir, readFile, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { sharedCorpusBeside } from '../helpers/corpus.js';
import { tempDir } from '../helpers/tmp.js';

let clone: string;

beforeAll(async () => {
  const parent = await tempDir('glm-plain-clone-');
  clone = join(parent, 'repo');
  const head = (await execa('git', ['-C', ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
  await execa('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
  await execa('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);
  await symlink(await realpath(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  expect(await readdir(parent)).toEqual(['repo']);
});

// Only the variables a plain shell has: none of the test-suite's own settings leak in.
function plainEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
}

describe('a plain clone with nothing beside it', () => {
  it('passes the unit tests, and they run', async () => {
    const report = join(clone, 'vitest-report.json');
    const all = sharedCorpusBeside();
    const files = all ? ['test/unit'] : ['test/unit/readme.test.ts', 'test/unit/self-contained.test.ts'];
    const result = await execa('npx', ['vitest', 'run', ...files, '--reporter=json', `--outputFile=${report}`], {
      cwd: clone,
      env: plainEnv(),
      extendEnv: false,
      reject: false,
      all: true,
    });
    expect(result.exitCode, result.all.slice(-3000)).toBe(0);
    const json = JSON.parse(await readFile(report, 'utf8')) as { numTotalTestSuites: number; numPassedTests: number; numFailedTests: number; testResults: { name: string }[] };
    expect(json.numFailedTests).toBe(0);
    const unitFiles = all ? (await readdir(join(ROOT, 'test', 'unit'))).filter((name) => name.endsWith('.test.ts')) : files.map((file) => file.split('/').pop()!);
    expect(json.numPassedTests).toBeGreaterThan(all ? 100 : 2);
    expect(json.testResults.map((r) => r.name.split('/').pop()).sort()).toEqual(expect.arrayContaining(unitFiles));
    // They import src/ only: the bundle was not built for them.
    expect(existsSync(join(clone, 'dist'))).toBe(false);
  });
});
