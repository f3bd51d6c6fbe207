/**
 * How the proxy's Python is started (src/runtime/proxy-launch.ts), with real Python: a console script
 * and a `-m` module run exactly as they would alone (the same sys.argv, sys.path[0], __name__ and
 * __file__, the same environment), only with the larger GC threshold. A real LiteLLM started this way
 * is test/integration/proxy.test.ts and every test that starts a proxy.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROXY_GC_THRESHOLD, proxyLaunch, scriptInterpreter } from '../../src/runtime/proxy-launch.js';
import { tempDir } from '../helpers/tmp.js';

const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

const REPORT = `import gc, json, os, sys
print(json.dumps({"argv": sys.argv, "path0": os.path.realpath(sys.path[0] or "."), "name": __name__, "file": __file__, "threshold": gc.get_threshold()[0], "env": os.environ.get("PROBE")}))
`;

function run(file: string, args: string[], cwd: string) {
  return JSON.parse(execFileSync(file, args, { cwd, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', PROBE: 'kept' } })) as Record<string, unknown>;
}

describe('the proxy launch', () => {
  it('runs a console script as `python script args` would, with the larger threshold', async () => {
    const dir = await tempDir('launch-');
    await mkdir(join(dir, 'bin'));
    const script = join(dir, 'bin', 'litellm');
    await writeFile(script, `#!${python}\n${REPORT}`, { mode: 0o755 });
    // Called through a link, as a PATH entry may be: sys.path[0] is the script's real folder either way.
    await symlink(script, join(dir, 'litellm-link'));
    for (const launcher of [script, join(dir, 'litellm-link')]) {
      expect(await scriptInterpreter(launcher)).toBe(python);
      const alone = run(launcher, ['--config', 'x.yaml', '--port', '4000'], dir);
      const launch = await proxyLaunch([launcher], ['--config', 'x.yaml', '--port', '4000']);
      expect(launch.file).toBe(python);
      const launched = run(launch.file, launch.args, dir);
      expect(launched).toEqual({ ...alone, threshold: PROXY_GC_THRESHOLD });
      expect(alone.threshold).toBe(700);
      expect(launched).toMatchObject({ argv: [launcher, '--config', 'x.yaml', '--port', '4000'], path0: join(dir, 'bin'), name: '__main__', env: 'kept' });
    }
  });

  it('runs `python -m module args` the same way', async () => {
    const dir = await tempDir('launch-');
    await mkdir(join(dir, 'pkg'));
    await writeFile(join(dir, 'pkg', '__init__.py'), '');
    await writeFile(join(dir, 'pkg', 'cli.py'), REPORT);
    const alone = run(python, ['-m', 'pkg.cli', '--port', '4000'], dir);
    const launch = await proxyLaunch([python, '-m', 'pkg.cli'], ['--port', '4000']);
    const launched = run(launch.file, launch.args, dir);
    expect(launched).toEqual({ ...alone, threshold: PROXY_GC_THRESHOLD });
    expect(launched).toMatchObject({ argv: [join(dir, 'pkg', 'cli.py'), '--port', '4000'], name: '__main__' });
  });

  it('starts anything whose interpreter is not certain as it is', async () => {
    const dir = await tempDir('launch-');
    const cases: [string, string][] = [
      ['trampoline', "#!/bin/sh\n'''exec' \"/long/venv/bin/python\" \"$0\" \"$@\"\n' '''\n"],
      ['env', '#!/usr/bin/env python3\n'],
      ['relative', '#!python3\n'],
      ['with-flag', `#!${python} -E\n`],
      ['no-shebang', 'import sys\n'],
    ];
    for (const [name, text] of cases) {
      await writeFile(join(dir, name), text, { mode: 0o755 });
      expect(await proxyLaunch([join(dir, name)], ['--port', '4000']), name).toEqual({ file: join(dir, name), args: ['--port', '4000'] });
    }
    expect(await proxyLaunch([join(dir, 'missing')], ['--port', '4000'])).toEqual({ file: join(dir, 'missing'), args: ['--port', '4000'] });
    // A FIFO in the launcher's place is not read (that would wait for a writer forever).
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await proxyLaunch([join(dir, 'fifo')], ['--port', '4000'])).toEqual({ file: join(dir, 'fifo'), args: ['--port', '4000'] });
  });
});
