/**
 * "Adding a mode is one file in src/modes/ plus its questions", done the way a developer would: a copy
 * of src/ gets test/fixtures/fourth-mode/fourth.ts.txt as src/modes/fourth.ts, its line in
 * src/modes/index.ts and its row in src/questions.ts, and nothing else. The copy type-checks (the
 * answer types, state.json's mode, the modes list accept it), and its own modules take the new mode
 * through flags, answers, the planner, uninstall, doctor, the mode facts, a lost state.json's recovery
 * and inspect. No ports, no proxy: plain files and the TypeScript compiler.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/imports.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);

/** The edits besides the new file, as a developer types them (anchored on the lines they follow). */
const QUESTIONS_ROW =
  "  fourth: { label: 'A fourth way', hint: 'a throwaway mode a test adds', endpoints: { urls: { coding: 'https://fourth.example/api/v1' }, labels: { coding: 'Coding Plan (fourth)' }, fits: (url) => url.startsWith('https://fourth.example/'), example: 'https://fourth.example/api/v1' }, authKey: 'ZAI_API_KEY', localProxy: false, zaiApi: 'responses' },\n";

function edit(text: string, anchor: string, replacement: string): string {
  expect(text.split(anchor)).toHaveLength(2);
  return text.replace(anchor, replacement);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

let copy: string;

beforeAll(async () => {
  copy = await tempDir('glm-fourth-mode-');
  await cp(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
  await mkdir(join(copy, 'test', 'helpers'), { recursive: true });
  await cp(join(ROOT, 'test', 'helpers', 'plan-state.ts'), join(copy, 'test', 'helpers', 'plan-state.ts'));
  // What the sources find beside them: the dependencies, the templates, package.json (an ES module package).
  for (const shared of ['node_modules', 'templates', 'package.json']) await symlink(join(ROOT, shared), join(copy, shared));
  const tsconfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
  await writeFile(join(copy, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src', 'test/helpers/plan-state.ts'] }));

  await cp(join(ROOT, 'test', 'fixtures', 'fourth-mode', 'fourth.ts.txt'), join(copy, 'src', 'modes', 'fourth.ts'));
  const index = join(copy, 'src', 'modes', 'index.ts');
  let text = await readFile(index, 'utf8');
  text = edit(text, "import { localMode } from './local.js';\n", "import { localMode } from './local.js';\nimport { fourthMode } from './fourth.js';\n");
  text = edit(text, 'gateway: gatewayMode };', 'gateway: gatewayMode, fourth: fourthMode };');
  await writeFile(index, text);
  const questions = join(copy, 'src', 'questions.ts');
  await writeFile(questions, edit(await readFile(questions, 'utf8'), "});\n\ndeclare module './config/manifest.js'", `${QUESTIONS_ROW}});\n\ndeclare module './config/manifest.js'`));
}, 60_000);

describe('a fourth mode: one file in src/modes/, its line in the modes list, its row in questions.ts', () => {
  it('touches only those three files', async () => {
    const before = await filesUnder(join(ROOT, 'src'));
    const after = await filesUnder(join(copy, 'src'));
    expect(after.filter((f) => !before.includes(f))).toEqual(['modes/fourth.ts']);
    const changed: string[] = [];
    for (const file of before) {
      if ((await readFile(join(ROOT, 'src', file), 'utf8')) !== (await readFile(join(copy, 'src', file), 'utf8'))) changed.push(file);
    }
    expect(changed).toEqual(['modes/index.ts', 'questions.ts']);
  });

  it('type-checks: the answer types, state.json\'s mode and the modes list take it with no other file changed', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '--listFiles', '-p', join(copy, 'tsconfig.json')], { cwd: copy, maxBuffer: 16 << 20 }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, out: error.stdout }),
    );
    expect(result.out.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
    expect(result.code).toBe(0);
    // The compiler did read the new mode, and the modes list that types each mode by its answers.
    expect(result.out).toContain(join(copy, 'src', 'modes', 'fourth.ts'));
    expect(result.out).toContain(join(copy, 'src', 'modes', 'index.ts'));
  }, 180_000);

  it('flags, answers, plan, uninstall, doctor, mode facts, recovery and inspect take it', async () => {
    const load = <T>(path: string) => import(join(copy, path)) as Promise<T>;
    const { parseOptions } = await load<typeof import('../../src/options.js')>('src/options.ts');
    const { helpText } = await load<typeof import('../../src/help.js')>('src/help.ts');
    const { MODES, storedMode, toolProviderIds } = await load<typeof import('../../src/modes/index.js')>('src/modes/index.ts');
    const { resolveAnswers, resolveMode } = await load<typeof import('../../src/plan/answers.js')>('src/plan/answers.ts');
    const { planChanges, planUndo } = await load<typeof import('../../src/plan/plan.js')>('src/plan/plan.ts');
    const { runChecks } = await load<typeof import('../../src/doctor/checks.js')>('src/doctor/checks.ts');
    const { modeFacts } = await load<typeof import('../../src/config/mode-registry.js')>('src/config/mode-registry.ts');
    const { recoverManifest } = await load<typeof import('../../src/inspect/manifest-recovery.js')>('src/inspect/manifest-recovery.ts');
    const { inspect } = await load<typeof import('../../src/inspect/inspect.js')>('src/inspect/inspect.ts');
    const { resolvePaths } = await load<typeof import('../../src/paths.js')>('src/paths.ts');
    const { wantsSupervisor } = await load<typeof import('../../src/runtime/supervisor.js')>('src/runtime/supervisor.ts');
    const { applied, HOME, paths, stateOf } = await load<typeof import('../helpers/plan-state.js')>('test/helpers/plan-state.ts');
    const fourth = (MODES as Record<string, (typeof MODES)['local']>).fourth!;

    // --help and the flag parser know it from its row; --mode fourth picks its file.
    expect(helpText()).toContain('local | direct | gateway | fourth');
    const options = { ...parseOptions(['--mode', 'fourth', '--endpoint', 'https://fourth.example/api/v1', '--provider-id', 'my-glm'], {}), start: false };
    const env = { ZAI_API_KEY: 'zai-key-0123456789' };
    const mode = await resolveMode({ options, prompts: null }, stateOf({}), env);
    expect(mode).toBe(fourth);
    const { answers } = await resolveAnswers({ options, prompts: null }, stateOf({}), mode, null, env);
    expect(answers).toMatchObject({ mode: 'fourth', apiBase: 'https://fourth.example/api/v1', zaiKey: 'zai-key-0123456789', providerId: 'my-glm' });

    // The planner writes its provider and state.json; a second plan changes nothing; uninstall gives config.toml back.
    const user = '[mcp_servers.docs]\ncommand = "docs"\n';
    const files = applied({ [paths.codexConfig]: user }, planChanges(stateOf({ [paths.codexConfig]: user }), mode, answers).operations);
    expect(files[paths.codexConfig]).toContain('[model_providers.my-glm]\nname = "GLM a fourth way (glm-codex-setup)"\nbase_url = "https://fourth.example/api/v1"');
    expect(JSON.parse(files[paths.manifest]!)).toMatchObject({ mode: 'fourth', providerId: 'my-glm', apiBase: 'https://fourth.example/api/v1' });
    expect(storedMode(stateOf(files))).toBe(fourth);
    expect(planChanges(stateOf(files), mode, answers).operations).toEqual([]);
    expect(applied(files, planUndo(stateOf(files)))[paths.codexConfig]).toBe(user);
    expect(toolProviderIds({})).toEqual(['glm-litellm', 'glm-zai', 'glm-gateway', 'glm-fourth']);

    // doctor: its plan check passes on its own files; the facts the fast paths read come from its row.
    const checks = await runChecks(mode, { litellm: [], proxy: { kind: 'none' }, ready: false, cwd: '/', state: stateOf(files) });
    expect(checks.find((c) => c.id === 'plan')).toMatchObject({ status: 'PASS' });
    expect(modeFacts('fourth')).toMatchObject({ authKey: 'ZAI_API_KEY', localProxy: false, zaiApi: 'responses' });

    // state.json lost: read back from its provider table (a custom id: by its fits()), and by inspect itself.
    const secrets = { ZAI_API_KEY: 'zai-key-0123456789' };
    expect(recoverManifest(files[paths.codexConfig]!, paths.stateDir, secrets)).toEqual({ version: 1, mode: 'fourth', ownsProvider: true, providerId: 'my-glm', apiBase: 'https://fourth.example/api/v1' });
    const home = await tempDir('glm-fourth-home-');
    for (const [path, text] of Object.entries(files)) {
      if (path === paths.manifest) continue;
      const target = join(home, relative(HOME, path));
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, text.split(HOME).join(home), { mode: 0o600 });
    }
    const real = resolvePaths({}, { HOME: home });
    const state = await inspect(real, 'skip');
    expect(state.manifest).toMatchObject({ mode: 'fourth', providerId: 'my-glm', apiBase: 'https://fourth.example/api/v1' });
    expect(storedMode(state)).toBe(fourth);
    await writeFile(real.manifest, files[paths.manifest]!);
    expect(await wantsSupervisor(real, {})).toBe(false);
  }, 120_000);
});
