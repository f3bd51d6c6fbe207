/**
 * templates/compile_ahead.py with the real Python, on a venv of made-up packages: which modules it
 * compiles (those the start's imports reach, as the import system would), that the import system
 * loads its bytecode as written, and that a stop leaves nothing half-written.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PROXY_ENTRY_MODULES } from '../../src/runtime/compile-ahead.js';
import { packageRoot } from '../../src/templates.js';
import { tempDir } from '../helpers/tmp.js';

const SCRIPT = join(packageRoot(), 'templates', 'compile_ahead.py');

let venv: string;
let site: string;
let python: string;

beforeEach(async () => {
  venv = join(await tempDir('glm-compile-ahead-'), 'venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
  python = join(venv, 'bin', 'python');
  site = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
});

async function writeModules(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(site, path)), { recursive: true });
    await writeFile(join(site, path), text);
  }
}

/** Each bytecode file under site-packages, as the source it belongs to (relative, without __pycache__). */
async function compiled(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (dirname(path).endsWith('__pycache__')) found.push(relative(site, join(dirname(dirname(path)), entry.name.replace(/\.cpython-\d+\.pyc$/, '.py'))));
    }
  };
  await walk(site);
  return found.sort();
}

function runScript(...modules: string[]): string {
  // As the tool runs it: isolated, with nothing from the environment.
  return execFileSync(python, ['-I', SCRIPT, ...modules], { encoding: 'utf8', env: {} }).trim();
}

const APP = {
  'app/__init__.py': 'from . import config\nfrom .core import engine\nimport helper\n',
  'app/config.py': 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import typing_only\ntry:\n    import optional_dep\nexcept ImportError:\n    optional_dep = None\n',
  'app/core/__init__.py': '',
  'app/core/engine.py': 'from ..config import TYPE_CHECKING\nfrom . import parts\n\ndef later():\n    import lazy_dep\n    return lazy_dep\n',
  'app/core/parts.py': 'VALUE = 42\n',
  'helper.py': 'import json\n',
  'typing_only.py': 'raise RuntimeError("never imported")\n',
  'optional_dep.py': 'OPTIONAL = True\n',
  'lazy_dep.py': 'LAZY = True\n',
  'unrelated.py': 'UNRELATED = True\n',
};

describe('compile ahead of a start', () => {
  it('compiles what the start will import: parents, relative and `from x import module`, try blocks; not TYPE_CHECKING, function bodies or the rest', async () => {
    await writeModules(APP);
    expect(runScript('app')).toBe('7');
    expect(await compiled()).toEqual(['app/__init__.py', 'app/config.py', 'app/core/__init__.py', 'app/core/engine.py', 'app/core/parts.py', 'helper.py', 'optional_dep.py']);
  });

  it('the import system loads that bytecode as written (nothing recompiled) and the modules behave the same', async () => {
    await writeModules(APP);
    runScript('app');
    const before = new Map<string, { ino: number; mtimeMs: number; mode: number }>();
    for (const source of await compiled()) {
      const info = await stat(pycOf(source));
      before.set(source, { ino: info.ino, mtimeMs: info.mtimeMs, mode: info.mode });
    }
    const out = execFileSync(python, ['-c', 'import app, app.core.engine as e; print(app.core.parts.VALUE, app.config.optional_dep.OPTIONAL, e.later().LAZY)'], { encoding: 'utf8', env: {} });
    expect(out.trim()).toBe('42 True True');
    for (const [source, was] of before) {
      const now = await stat(pycOf(source));
      expect({ source, ino: now.ino, mtimeMs: now.mtimeMs }).toEqual({ source, ino: was.ino, mtimeMs: was.mtimeMs });
    }
    // The import system wrote only what the walk leaves to it (the function-level import), with the same file mode.
    expect((await compiled()).filter((source) => !before.has(source))).toEqual(['lazy_dep.py']);
    expect((await stat(pycOf('lazy_dep.py'))).mode).toBe(before.get('helper.py')!.mode);
  });

  it('a module that already has bytecode is the start\'s: its subtree is left alone, and a warm venv costs one look', async () => {
    await writeModules(APP);
    execFileSync(python, ['-c', 'import app.core.engine'], { env: {} });
    const byImport = await compiled();
    expect(runScript('app')).toBe('0');
    expect(await compiled()).toEqual(byImport);
  });

  it('a module that does not parse, or cannot be found, is skipped; the rest is still compiled', async () => {
    await writeModules({ 'broken.py': 'def (:\n', 'fine.py': 'import broken\nimport missing_module\nimport other\n', 'other.py': '' });
    expect(runScript('fine')).toBe('2');
    expect(await compiled()).toEqual(['fine.py', 'other.py']);
  });

  it('writes nothing outside the venv: not for a module found only on PYTHONPATH, nor through a package linked in from elsewhere', async () => {
    const outside = await tempDir('glm-compile-ahead-outside-');
    await writeFile(join(outside, 'elsewhere.py'), '');
    await mkdir(join(outside, 'linked'));
    await writeFile(join(outside, 'linked', '__init__.py'), '');
    await symlink(join(outside, 'linked'), join(site, 'linked'));
    await writeModules({ 'inside.py': 'import elsewhere\nimport linked\n' });
    execFileSync(python, ['-I', SCRIPT, 'inside'], { env: { PYTHONPATH: outside } });
    expect(existsSync(join(outside, '__pycache__'))).toBe(false);
    expect(existsSync(join(outside, 'linked', '__pycache__'))).toBe(false);
    expect(await compiled()).toEqual(['inside.py']);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stopped mid-walk by %s (the tool once the proxy answers; Ctrl-C): it ends between modules, no temporary file is left', async (signal) => {
    const files: Record<string, string> = { 'many/__init__.py': Array.from({ length: 3000 }, (_, i) => `from . import m${i}`).join('\n') };
    const body = Array.from({ length: 200 }, (_, i) => `def f${i}(x):\n    return [x * ${i} for _ in range(3)]\n`).join('');
    for (let i = 0; i < 3000; i++) files[`many/m${i}.py`] = body;
    await writeModules(files);
    const child = spawn(python, ['-I', SCRIPT, 'many'], { env: {}, stdio: 'ignore' });
    // Stop it once it has written some of the 3,001 files.
    while ((await readdir(join(site, 'many', '__pycache__')).catch(() => [])).length < 50) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const left = await readdir(join(site, 'many', '__pycache__'));
    expect(left.length).toBeLessThan(3001);
    expect(left.filter((name) => !/\.cpython-\d+\.pyc$/.test(name))).toEqual([]);
  });

  it("the start's entry modules are in the tested LiteLLM (a release bump that moves them is caught here)", async () => {
    const { latestVenv } = await import('../helpers/litellm.js');
    const litellmSite = execFileSync(join(latestVenv(), 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
    for (const module of PROXY_ENTRY_MODULES) {
      const base = join(litellmSite, ...module.split('.'));
      expect(existsSync(join(base, '__init__.py')) || existsSync(`${base}.py`), module).toBe(true);
    }
  });
});

function pycOf(source: string): string {
  const path = join(site, source);
  const version = execFileSync(python, ['-c', 'import sys; print(sys.implementation.cache_tag)'], { encoding: 'utf8' }).trim();
  return join(dirname(path), '__pycache__', `${source.split('/').pop()!.replace(/\.py$/, '')}.${version}.pyc`);
}
