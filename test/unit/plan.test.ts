/**
 * The pure core, without a binary or a process: for each starting state, which operations the
 * local mode plans (setup and uninstall), how answers resolve, and what doctor's plan check says.
 */
import { describe, expect, it } from 'vitest';
import { keyEnvFiles } from '../../src/config/shell-env.js';
import { answers, applied, HOME, paths, stateOf, type Files } from '../helpers/plan-state.js';
import { localMode } from '../../src/modes/local.js';
import { directMode } from '../../src/modes/direct.js';
import { gatewayMode } from '../../src/modes/gateway.js';
import type { DirectAnswers, GatewayAnswers } from '../../src/modes/types.js';
import { nonInteractiveCommand, resolveAnswers, resolveMode } from '../../src/plan/answers.js';
import { describeOperation, type Operation } from '../../src/units/operations.js';
import { planChanges, planUndo } from '../../src/plan/plan.js';
import { parseOptions } from '../../src/options.js';
import type { RuntimePlan } from '../../src/runtime/runtime.js';
import type { Prompts } from '../../src/ui/prompts.js';
import { runChecks } from '../../src/doctor/checks.js';

const installNeeded: RuntimePlan = { chosen: null, python: null, found: [], needsInstall: true, version: '1.108.7', warnings: [] };
const summary = (ops: Operation[]) => ops.map((op) => {
  const c = describeOperation(op);
  return op.kind === 'run' ? `run ${op.action}` : `${c.action} ${c.path!.replace(HOME, '~')}`;
});

describe('planning the local mode', () => {
  it('a fresh machine: every file created, then LiteLLM installed and the proxy started, in that order', () => {
    const plan = planChanges(stateOf({}), localMode, answers(), { forceRebuild: false, start: true }, installNeeded);
    expect(summary(plan.operations)).toEqual([
      'create ~/.glm-codex/secrets.env',
      'create ~/.glm-codex/codex-env.sh',
      'create ~/.bashrc',
      'create ~/.profile',
      'create ~/.glm-codex/glm-bridge.yaml',
      'create ~/.glm-codex/glm_codex_hooks.py',
      'create ~/.codex/glm.config.toml',
      'create ~/.codex/config.toml',
      'create ~/.glm-codex/state.json',
      'run install-litellm',
      'run ensure-proxy',
    ]);
    const manifest = JSON.parse((plan.operations[8] as { after: string }).after);
    // Created files are derived from the operations: exactly the ones whose `before` was null.
    expect(manifest.createdFiles).toEqual(plan.operations.filter((op) => op.kind === 'write').map((op) => op.path).filter((p) => p !== paths.manifest).sort());
  });

  it('a second run on what the first wrote plans no file, and --no-start plans no command', () => {
    const first = planChanges(stateOf({}), localMode, answers());
    const files = applied({}, first.operations);
    const second = planChanges(stateOf(files), localMode, answers(), { forceRebuild: false, start: true }, { ...installNeeded, needsInstall: false });
    expect(summary(second.operations)).toEqual(['run ensure-proxy']);
    expect(planChanges(stateOf(files), localMode, answers()).operations).toEqual([]);
  });

  it('Codex 0.133 gets a [profiles.glm] table in config.toml and no profile file', () => {
    const plan = planChanges(stateOf({}, { codex: '0.133.0' }), localMode, answers());
    expect(plan.profileShape).toBe('table');
    const config = plan.operations.find((op) => op.kind === 'write' && op.path === paths.codexConfig) as { after: string };
    expect(config.after).toMatch(/^\[profiles\.glm\]$/m);
    expect(plan.operations.some((op) => op.kind === 'write' && op.path === paths.codexProfile)).toBe(false);
  });

  it('--no-shell-rc writes the key file but no startup file', () => {
    const plan = planChanges(stateOf({}), localMode, answers({ shellRc: false }));
    expect(summary(plan.operations)).not.toContain('create ~/.bashrc');
    expect(summary(plan.operations)).toContain('create ~/.glm-codex/codex-env.sh');
  });

  it('a user config that stops Codex on its own is reported, not edited', () => {
    const user = '[model_providers.old]\nname = "old"\nbase_url = "http://x"\nwire_api = "chat"\n';
    const plan = planChanges(stateOf({ [paths.codexConfig]: user }), localMode, answers());
    expect(plan.problems.join('\n')).toMatch(/wire_api = "chat"/);
    const config = plan.operations.find((op) => op.kind === 'write' && op.path === paths.codexConfig) as { after: string };
    expect(config.after.startsWith(user)).toBe(true);
  });
});

describe('glm-bridge.yaml follows the model list', () => {
  it('a model dropped from the list leaves glm-bridge.yaml; the user\'s own entries stay', () => {
    const two = applied({}, planChanges(stateOf({}), localMode, answers({ model: 'glm-5.2', models: ['glm-5.2', 'glm-5.3'] })).operations);
    const own = '  - model_name: my-own\n    litellm_params:\n      model: openai/my-own\n      api_base: http://127.0.0.1:9/v1\n';
    const withOwn = { ...two, [paths.bridgeConfig]: two[paths.bridgeConfig]!.replace('model_list:\n', `model_list:\n${own}`) };
    expect(withOwn[paths.bridgeConfig]).toContain('model_name: "glm-5.3"');
    const one = applied(withOwn, planChanges(stateOf(withOwn), localMode, answers({ model: 'glm-5.2', models: ['glm-5.2'] })).operations);
    expect(one[paths.bridgeConfig]).not.toContain('glm-5.3');
    expect(one[paths.bridgeConfig]).toContain('model_name: "glm-5.2"');
    expect(one[paths.bridgeConfig]).toContain('model_name: my-own');
  });
});

describe('units return data; order only where declared', () => {
  it('the mode\'s order holds except where a unit runs after another', async () => {
    const { orderUnits } = await import('../../src/plan/plan.js');
    const ids = (units: { id: string }[]) => units.map((u) => u.id);
    expect(ids(orderUnits([{ id: 'a' }, { id: 'b', runsAfter: ['c'] }, { id: 'c' }, { id: 'd' }]))).toEqual(['a', 'c', 'b', 'd']);
    expect(ids(orderUnits(localMode.units))).toEqual(ids(localMode.units));
    expect(() => orderUnits([{ id: 'a', runsAfter: ['b'] }, { id: 'b', runsAfter: ['a'] }])).toThrow(/cycle/);
  });
});

describe('uninstall plans each unit\'s undo', () => {
  it('stops the running proxy first, removes what the tool created, gives config.toml back byte for byte, rewrites state.json last', () => {
    const user = '# mine\nmodel = "o3"\n';
    const files = applied({ [paths.codexConfig]: user }, planChanges(stateOf({ [paths.codexConfig]: user }), localMode, answers({ makeDefault: true })).operations);
    const ops = planUndo(stateOf(files, { proxyPid: 4242 }));
    expect(summary(ops)[0]).toBe('run stop-proxy');
    expect(summary(ops).at(-1)).toBe('update ~/.glm-codex/state.json');
    const after = applied(files, ops);
    expect(after[paths.codexConfig]).toBe(user);
    expect(after[paths.codexProfile]).toBeUndefined();
    expect(after[`${HOME}/.bashrc`]).toBeUndefined();
    expect(after[paths.secrets]).toBeDefined();
  });

  it('undo works from what was recorded and every candidate: a ~/.profile the tool created is removed after a ~/.bash_profile appears', () => {
    const files = applied({}, planChanges(stateOf({}), localMode, answers({ codexAuth: 'env' })).operations);
    expect(files[`${HOME}/.profile`]).toContain('glm-codex-setup');
    // The user adds ~/.bash_profile: bash now reads it instead of ~/.profile, and detection follows.
    const later = { ...files, [`${HOME}/.bash_profile`]: '. ~/.bashrc\n' };
    const after = applied(later, planUndo(stateOf(later, { login: '.bash_profile' })));
    expect(after[`${HOME}/.profile`]).toBeUndefined();
    expect(after[`${HOME}/.bashrc`]).toBeUndefined();
    expect(after[`${HOME}/.bash_profile`]).toBe('. ~/.bashrc\n');
  });

  it('the folders made for the fish startup file go with it, deepest first, each only when empty', () => {
    const fish = `${HOME}/.config/fish/conf.d/glm-codex-setup.fish`;
    const made = [`${HOME}/.config/fish/conf.d`, `${HOME}/.config/fish`];
    const fresh = stateOf({});
    fresh.rcFiles.push({ path: fish, kind: 'fish', shell: 'fish', text: null, missingDirs: made });
    const files = applied({}, planChanges(fresh, localMode, answers({ codexAuth: 'env' })).operations);
    expect(files[fish]).toContain('glm-codex-setup');
    expect(JSON.parse(files[paths.manifest]!).createdDirs).toEqual([...made].sort());
    const undo = planUndo(stateOf(files));
    const at = undo.findIndex((op) => op.kind === 'delete' && op.path === fish);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(undo.at(-1)).toMatchObject({ kind: 'run', action: 'remove-empty-dirs', dirs: made });
  });

  it('plans nothing on a machine the tool never touched', () => {
    expect(planUndo(stateOf({ [paths.codexConfig]: 'model = "o3"\n' }))).toEqual([]);
  });
});

/** Astro-style fake prompts: answers by question text, and a record of what was asked. */
function fakePrompts(answersByText: Record<string, unknown>) {
  const asked: string[] = [];
  const reply = async (message: string, fallback: unknown) => {
    asked.push(message);
    const key = Object.keys(answersByText).find((text) => message.includes(text));
    return (key === undefined ? fallback : answersByText[key]) as never;
  };
  const prompts: Prompts = {
    secret: (message) => reply(message, 'zai-typed-0123456789'),
    text: (message, initial) => reply(message, initial),
    select: (message, _choices, initial) => reply(message, initial),
    multiselect: (message, _choices, initial) => reply(message, initial),
    confirm: (message, initial) => reply(message, initial),
  };
  return { prompts, asked };
}

describe('answers resolve from one question table', () => {
  const env = { ZAI_API_KEY: 'zai-env-0123456789' };

  it('flags and environment win; nothing is asked for them', async () => {
    const { prompts, asked } = fakePrompts({});
    const options = parseOptions(['--endpoint', 'general', '--model', 'glm-5.1', '--models', 'glm-5.3', '--port', '4100', '--no-shell-rc', '--make-default'], {});
    const { answers: resolved } = await resolveAnswers({ options: { ...options, start: false }, prompts }, stateOf({}), localMode, null, env);
    expect(resolved).toMatchObject({ apiBase: 'https://api.z.ai/api/paas/v4', model: 'glm-5.1', models: ['glm-5.1', 'glm-5.3'], port: 4100, shellRc: false, makeDefault: true, zaiKey: env.ZAI_API_KEY });
    expect(asked).toEqual([]);
  });

  it('interactive: asks endpoint, model, default and shell files, in that order', async () => {
    const { prompts, asked } = fakePrompts({ 'Which Z.ai endpoint': 'china', 'Model id': 'glm-5.3' });
    const { answers: resolved } = await resolveAnswers({ options: { ...parseOptions([], {}), start: false }, prompts }, stateOf({}), localMode, null, env);
    expect(asked.map((m) => m.slice(0, 20))).toEqual(['Which Z.ai endpoint ', 'Model id', 'More models to switc', 'Make GLM the default', 'Add a line to your s']);
    expect(resolved).toMatchObject({ apiBase: 'https://open.bigmodel.cn/api/paas/v4', model: 'glm-5.3' });
  });

  it('non-interactive: the stored answers of the last run, else the defaults; no key is an error naming both ways', async () => {
    const stored = { [paths.manifest]: JSON.stringify({ version: 1, model: 'glm-5.1', apiBase: 'https://api.z.ai/api/paas/v4', port: 4300 }) };
    const { answers: resolved } = await resolveAnswers({ options: { ...parseOptions([], {}), start: false }, prompts: null }, stateOf(stored), localMode, null, env);
    expect(resolved).toMatchObject({ model: 'glm-5.1', port: 4300, shellRc: true });
    await expect(resolveAnswers({ options: { ...parseOptions([], {}), start: false }, prompts: null }, stateOf({}), localMode, null, {})).rejects.toThrow(/ZAI_API_KEY.*--zai-key-file|--zai-key-file/s);
  });

  it('a mode switch comes back to the answers of the mode left: local (own endpoint, port) -> direct -> local without flags', async () => {
    const plain = { options: { ...parseOptions([], {}), start: false }, prompts: null };
    const ownLocal = answers({ apiBase: 'https://glm.example.com/chat/v4', port: 4317, model: 'glm-5.1', models: ['glm-5.1', 'glm-5.3'] });
    const afterLocal = applied({}, planChanges(stateOf({}), localMode, ownLocal).operations);
    const toDirect = await resolveAnswers({ options: { ...parseOptions(['--mode', 'direct', '--model', 'glm-5.2'], {}), start: false }, prompts: null }, stateOf(afterLocal), directMode, null, env);
    expect(toDirect.answers).toMatchObject({ apiBase: 'https://api.z.ai/api/v1', model: 'glm-5.2' });
    const afterDirect = applied(afterLocal, planChanges(stateOf(afterLocal), directMode, toDirect.answers, { forceRebuild: false, start: false }, null).operations);
    const back = await resolveAnswers(plain, stateOf(afterDirect), localMode, null, env);
    expect(back.answers).toMatchObject({ apiBase: 'https://glm.example.com/chat/v4', port: 4317, model: 'glm-5.1', models: ['glm-5.1', 'glm-5.3'] });
    // And direct again comes back to direct's own answers.
    const afterBack = applied(afterDirect, planChanges(stateOf(afterDirect), localMode, back.answers).operations);
    const direct = await resolveAnswers(plain, stateOf(afterBack), directMode, null, env);
    expect(direct.answers).toMatchObject({ apiBase: 'https://api.z.ai/api/v1', model: 'glm-5.2' });
    expect(JSON.parse(afterBack[paths.manifest]!).modes).toEqual({ direct: { apiBase: 'https://api.z.ai/api/v1', model: 'glm-5.2', models: toDirect.answers.models } });
  });

  it('the mode question marks the mode in use on a re-run, and the default on a first run', async () => {
    const shown: { labels: string[]; initial: unknown }[] = [];
    const prompts = { select: async (_m: string, choices: { label: string }[], initial: unknown) => (shown.push({ labels: choices.map((c) => c.label), initial }), initial) } as unknown as Prompts;
    const options = { ...parseOptions([], {}), start: false };
    const direct = stateOf({ [paths.manifest]: JSON.stringify({ version: 1, mode: 'direct', model: 'glm-5.2', apiBase: 'https://api.z.ai/api/v1' }) });
    expect((await resolveMode({ options, prompts, revisit: true }, direct)).id).toBe('direct');
    expect(shown[0]).toEqual({ labels: ['Local LiteLLM bridge', 'Z.ai directly (in use)', 'A team gateway'], initial: 'direct' });
    await resolveMode({ options, prompts }, stateOf({}));
    expect(shown[1]!.labels).toEqual(['Local LiteLLM bridge (default)', 'Z.ai directly', 'A team gateway']);
  });

  it('the next-time command is generated from the same table, and never holds the key', () => {
    const line = nonInteractiveCommand(localMode, { mode: 'local', endpoint: 'https://api.z.ai/api/paas/v4', gatewayUrl: '', gatewayKey: '', model: 'glm-5.2', models: ['glm-5.2', 'glm-5.3'], port: 4000, zaiKey: 'zai-secret', makeDefault: true, shellRc: false, providerId: undefined, autostart: false, codexAuth: 'command', migrateProfiles: false });
    expect(line).toBe('glm-codex-setup --non-interactive --mode local --endpoint general --model glm-5.2 --models glm-5.2,glm-5.3 --port 4000 --make-default --codex-auth command --no-shell-rc --no-autostart');
    expect(line).not.toContain('zai-secret');
  });
});

describe('doctor: a fresh plan would change nothing', () => {
  it('passes on what a setup wrote, and warns with the file when a re-run would change one', async () => {
    const files = applied({}, planChanges(stateOf({}), localMode, answers()).operations);
    const input = { litellm: [], proxy: { kind: 'none' as const }, ready: false, cwd: '/' };
    const healthy = await runChecks(localMode, { ...input, state: stateOf(files) });
    expect(healthy.find((c) => c.id === 'plan')).toMatchObject({ status: 'PASS' });
    const edited = { ...files, [paths.codexConfig]: files[paths.codexConfig]!.replace(/^request_max_retries = 4\n/m, '') };
    const pending = await runChecks(localMode, { ...input, state: stateOf(edited) });
    expect(pending.find((c) => c.id === 'plan')).toMatchObject({ status: 'WARN' });
    expect(pending.find((c) => c.id === 'plan')!.message).toContain('config.toml');
  });
});

describe('doctor without codex on its PATH', () => {
  it('judges a command-auth setup by what it wrote (Codex 0.160+), says so, and fails nothing a Codex run would not', async () => {
    const files = applied({}, planChanges(stateOf({}, { codex: '0.171.0' }), localMode, answers({ codexAuth: 'command' })).operations);
    expect(files[paths.codexConfig]).toContain('auth-token');
    const input = { litellm: [], proxy: { kind: 'none' as const }, ready: false, cwd: '/' };
    const failing = (checks: { id: string; status: string }[]) => checks.filter((c) => c.status === 'FAIL').map((c) => c.id).sort();
    const withCodex = await runChecks(localMode, { ...input, state: stateOf(files, { codex: '0.171.0' }) });
    const without = await runChecks(localMode, { ...input, state: stateOf(files, { codex: null }) });
    expect(failing(without)).toEqual(failing(withCodex));
    expect(without.find((c) => c.id === 'plan')).toMatchObject({ status: 'PASS' });
    expect(without.find((c) => c.id === 'codex')).toMatchObject({ status: 'WARN' });
    expect(without.find((c) => c.id === 'codex')!.message).toMatch(/not found on this PATH .* judged by what it wrote/);
  });
});

describe('direct and gateway modes are data: the same planner, other units and provider', () => {
  const direct: DirectAnswers = { mode: 'direct', providerId: undefined, codexAuth: 'command', model: 'glm-5.2', models: ['glm-5.2'], apiBase: 'https://api.z.ai/api/v1', zaiKey: 'zai-key-0123456789', makeDefault: undefined, shellRc: true, migrateProfiles: false };
  const gateway: GatewayAnswers = { mode: 'gateway', providerId: undefined, codexAuth: 'command', model: 'glm-5.2', models: ['glm-5.2'], gatewayUrl: 'https://llm.example.com', gatewayKey: 'sk-virtual-0123456789', makeDefault: undefined, shellRc: true, migrateProfiles: false };

  it('direct: no LiteLLM config, no command; the provider points at Z.ai\'s Responses base with its own key variable', () => {
    const plan = planChanges(stateOf({}), directMode, direct, { forceRebuild: false, start: true }, null);
    expect(summary(plan.operations)).toEqual([
      'create ~/.glm-codex/secrets.env',
      'create ~/.glm-codex/codex-env.sh',
      'create ~/.bashrc',
      'create ~/.profile',
      'create ~/.codex/glm.config.toml',
      'create ~/.codex/config.toml',
      'create ~/.glm-codex/state.json',
    ]);
    const files = applied({}, plan.operations);
    expect(files[paths.codexConfig]).toContain('[model_providers.glm-zai]\nname = "GLM direct from Z.ai (glm-codex-setup)"\nbase_url = "https://api.z.ai/api/v1"\nenv_key = "GLM_CODEX_ZAI_KEY"');
    expect(files[paths.secrets]).toMatch(/^ZAI_API_KEY='zai-key-0123456789'$/m);
    expect(files[paths.secrets]).not.toMatch(/LITELLM_MASTER_KEY/);
    expect(files[keyEnvFiles(paths.stateDir).sh]).toContain("export GLM_CODEX_ZAI_KEY='zai-key-0123456789'");
    expect(JSON.parse(files[paths.manifest]!)).toMatchObject({ mode: 'direct', apiBase: 'https://api.z.ai/api/v1' });
    expect(planChanges(stateOf(files), directMode, direct).operations).toEqual([]);
  });

  it('gateway: the provider is the gateway\'s /v1 with the virtual key; uninstall gives config.toml back', () => {
    const user = '[mcp_servers.docs]\ncommand = "docs"\n';
    const files = applied({ [paths.codexConfig]: user }, planChanges(stateOf({ [paths.codexConfig]: user }), gatewayMode, gateway).operations);
    expect(files[paths.codexConfig]).toContain('base_url = "https://llm.example.com/v1"\nenv_key = "GLM_CODEX_GATEWAY_KEY"');
    expect(files[paths.secrets]).toMatch(/^GLM_CODEX_GATEWAY_KEY='sk-virtual-0123456789'$/m);
    expect(files[paths.bridgeConfig]).toBeUndefined();
    expect(applied(files, planUndo(stateOf(files)))[paths.codexConfig]).toBe(user);
  });

  it('switching local -> direct stops the proxy first and replaces the provider; back to local restores it', () => {
    const user = '# mine\nmodel = "o3"\n';
    const local = applied({ [paths.codexConfig]: user }, planChanges(stateOf({ [paths.codexConfig]: user }), localMode, answers({ makeDefault: true })).operations);
    const toDirect = planChanges(stateOf(local, { proxyPid: 777 }), directMode, direct);
    expect(summary(toDirect.operations)[0]).toBe('run stop-proxy');
    const directFiles = applied(local, toDirect.operations);
    expect(directFiles[paths.codexConfig]).not.toContain('glm-litellm');
    // The default GLM took follows GLM to the new provider.
    expect(directFiles[paths.codexConfig]).toMatch(/^model_provider = "glm-zai"$/m);
    expect(JSON.parse(directFiles[paths.manifest]!).mode).toBe('direct');

    const back = applied(directFiles, planChanges(stateOf(directFiles), localMode, answers()).operations);
    expect(back[paths.codexConfig]).not.toContain('glm-zai');
    expect(back[paths.codexConfig]).toMatch(/^model_provider = "glm-litellm"$/m);
    expect(JSON.parse(back[paths.manifest]!).mode).toBeUndefined();
    // And uninstall from there still gives the user's file back byte for byte.
    expect(applied(back, planUndo(stateOf(back)))[paths.codexConfig]).toBe(user);
  });

  it('the mode resolves first: flag, else the last run\'s, else asked; its questions follow', async () => {
    const { prompts, asked } = fakePrompts({ 'How should Codex reach GLM': 'gateway', 'Gateway URL': 'https://llm.example.com/v1' });
    const options = { ...parseOptions([], {}), start: false };
    const mode = await resolveMode({ options, prompts }, stateOf({}), {});
    expect(mode.id).toBe('gateway');
    const { answers: resolved } = await resolveAnswers({ options, prompts }, stateOf({}), mode, null, { GLM_CODEX_GATEWAY_KEY: 'sk-virtual-0123456789' });
    expect(resolved).toMatchObject({ mode: 'gateway', gatewayUrl: 'https://llm.example.com', gatewayKey: 'sk-virtual-0123456789' });
    expect(asked.some((m) => m.includes('Z.ai endpoint'))).toBe(false);
    const stored = stateOf({ [paths.manifest]: JSON.stringify({ version: 1, mode: 'direct', model: 'glm-5.2', apiBase: 'https://api.z.ai/api/v1' }) });
    expect((await resolveMode({ options, prompts: null }, stored, {})).id).toBe('direct');
    expect((await resolveMode({ options: { ...parseOptions(['--mode', 'local'], {}), start: false }, prompts: null }, stored, {})).id).toBe('local');
  });

  it('switching back to local does not take the direct mode\'s Responses URL as its chat endpoint', async () => {
    const stored = stateOf({ [paths.manifest]: JSON.stringify({ version: 1, mode: 'direct', model: 'glm-5.2', apiBase: 'https://api.z.ai/api/v1' }) });
    const options = { ...parseOptions(['--mode', 'local'], {}), start: false };
    const { answers: resolved } = await resolveAnswers({ options, prompts: null }, stored, localMode, null, { ZAI_API_KEY: 'zai-env-0123456789' });
    expect(resolved).toMatchObject({ apiBase: 'https://api.z.ai/api/coding/paas/v4' });
  });

  it('--endpoint coding means each mode\'s own coding endpoint; a plan name the mode lacks is refused', async () => {
    const options = { ...parseOptions(['--endpoint', 'coding'], {}), start: false };
    const env = { ZAI_API_KEY: 'zai-env-0123456789' };
    expect((await resolveAnswers({ options, prompts: null }, stateOf({}), directMode, null, env)).answers).toMatchObject({ apiBase: 'https://api.z.ai/api/v1' });
    expect((await resolveAnswers({ options, prompts: null }, stateOf({}), localMode, null, env)).answers).toMatchObject({ apiBase: 'https://api.z.ai/api/coding/paas/v4' });
    const general = { ...parseOptions(['--endpoint', 'general'], {}), start: false };
    await expect(resolveAnswers({ options: general, prompts: null }, stateOf({}), directMode, null, env)).rejects.toThrow(/no direct endpoint/);
  });
});

describe('a provider table of the user\'s under the tool\'s id', () => {
  const mine = '[model_providers.glm-litellm]\nname = "mine"\nbase_url = "http://10.0.0.1/v1"\n';

  it('is refused, naming its line; --provider-id writes the tool\'s table under another id beside it', () => {
    expect(() => planChanges(stateOf({ [paths.codexConfig]: mine }), localMode, answers())).toThrow(/config\.toml:1: \[model_providers\.glm-litellm\] is your own table/);
    const files = applied({ [paths.codexConfig]: mine }, planChanges(stateOf({ [paths.codexConfig]: mine }), localMode, answers({ providerId: 'glm-codex' })).operations);
    expect(files[paths.codexConfig]!.startsWith(mine)).toBe(true);
    expect(files[paths.codexConfig]).toContain('[model_providers.glm-codex]');
    expect(files[paths.codexProfile]).toMatch(/^model_provider = "glm-codex"$/m);
    expect(JSON.parse(files[paths.manifest]!)).toMatchObject({ providerId: 'glm-codex', ownsProvider: true });
    // Uninstall takes the tool's table away and leaves the user's.
    expect(applied(files, planUndo(stateOf(files)))[paths.codexConfig]).toBe(mine);
  });
});

describe('the model catalog unit', () => {
  const PROMPT = 'You are Codex, captured from the installed binary.';

  it('writes the catalog with Codex\'s prompt, has Codex check it before the profile names it, and keeps the profile\'s window in step', () => {
    const plan = planChanges(stateOf({}, { prompt: PROMPT, codex: '0.169.0' }), localMode, answers());
    const order = summary(plan.operations);
    expect(order.indexOf('run validate-catalog')).toBe(order.indexOf('create ~/.glm-codex/glm-models.json') + 1);
    expect(order.indexOf('run validate-catalog')).toBeLessThan(order.indexOf('create ~/.codex/glm.config.toml'));
    const files = applied({}, plan.operations);
    const catalog = JSON.parse(files[paths.catalog]!);
    expect(catalog.models.map((m: { slug: string }) => m.slug)).toEqual(['glm-5.2']);
    expect(catalog.models[0]).toMatchObject({ base_instructions: PROMPT, context_window: 1_000_000 });
    expect(files[paths.codexProfile]).toContain(`model_catalog_json = "${paths.catalog}"`);
    expect(files[paths.codexProfile]).toMatch(/^model_context_window = 1000000$/m);
    expect(JSON.parse(files[paths.manifest]!).catalogCodexVersion).toBe('0.169.0');
    expect(planChanges({ ...stateOf(files, { prompt: PROMPT, codex: '0.169.0' }), appCopy: 'current' }, localMode, answers()).operations).toEqual([]);
  });

  it('models with different windows: the profile carries none (it would cap them all), the bridge routes each', () => {
    const old = applied({}, planChanges(stateOf({}), localMode, answers()).operations);
    expect(old[paths.codexProfile]).toMatch(/^model_context_window = 200000$/m);
    const files = applied(old, planChanges(stateOf(old, { prompt: PROMPT, codex: '0.169.0' }), localMode, answers({ models: ['glm-5.2', 'glm-5.3', 'glm-5.1'] })).operations);
    expect(files[paths.codexProfile]).not.toMatch(/model_context_window|model_auto_compact_token_limit/);
    expect(JSON.parse(files[paths.catalog]!).models.map((m: { slug: string }) => m.slug)).toEqual(['glm-5.2', 'glm-5.3', 'glm-5.1']);
    for (const model of ['glm-5.2', 'glm-5.3', 'glm-5.1']) expect(files[paths.bridgeConfig]).toContain(`model: "openai/${model}"`);
  });

  it('no catalog for Codex 0.133 (no profile file), nor without a prompt (said, not silent); uninstall removes it', () => {
    expect(summary(planChanges(stateOf({}, { prompt: PROMPT, codex: '0.133.0' }), localMode, answers()).operations)).not.toContain('create ~/.glm-codex/glm-models.json');
    const none = planChanges(stateOf({}, { codex: '0.169.0' }), localMode, answers());
    expect(none.problems.join('\n')).toMatch(/No model catalog: Codex's base prompt could not be read/);
    const files = applied({}, planChanges(stateOf({}, { prompt: PROMPT, codex: '0.169.0' }), localMode, answers()).operations);
    expect(applied(files, planUndo(stateOf(files)))[paths.catalog]).toBeUndefined();
  });
});

describe('command-backed auth (Codex 0.160 and newer)', () => {
  it('the provider runs the tool\'s own copy instead of reading an environment variable; no shell file is touched', () => {
    const plan = planChanges(stateOf({}, { codex: '0.169.0' }), localMode, answers());
    const order = summary(plan.operations);
    expect(order).not.toContain('create ~/.bashrc');
    expect(order).not.toContain('create ~/.glm-codex/codex-env.sh');
    expect(order.indexOf('run install-app-copy')).toBeLessThan(order.indexOf('create ~/.codex/config.toml'));
    const config = applied({}, plan.operations)[paths.codexConfig]!;
    expect(config).toContain('[model_providers.glm-litellm.auth]');
    expect(config).toContain(`args = ["${paths.stateDir}/app/bin/glm-codex-setup.js", "auth-token", "--state-dir", "${paths.stateDir}"]`);
    expect(config).not.toMatch(/env_key/);
  });

  it('--codex-auth env keeps the key in the environment (shell files) even where Codex could run a command', () => {
    const files = applied({}, planChanges(stateOf({}, { codex: '0.169.0' }), localMode, answers({ codexAuth: 'env' })).operations);
    expect(files[paths.codexConfig]).toMatch(/^env_key = "LITELLM_API_KEY"$/m);
    expect(files[paths.codexConfig]).not.toContain('.auth]');
    expect(files[`${HOME}/.bashrc`]).toContain('codex-env.sh');
    expect(JSON.parse(files[paths.manifest]!).codexAuth).toBe('env');
  });

  it('a Codex without command auth (0.159) keeps the environment even when command is asked for', () => {
    const files = applied({}, planChanges(stateOf({}), localMode, answers({ codexAuth: 'command' })).operations);
    expect(files[paths.codexConfig]).toMatch(/^env_key = "LITELLM_API_KEY"$/m);
  });

  it('an earlier setup through the environment is migrated: env_key, the shell blocks and key files go; uninstall removes the copy', () => {
    const before = applied({}, planChanges(stateOf({}), localMode, answers()).operations);
    expect(before[`${HOME}/.bashrc`]).toContain('glm-codex-setup');
    const migrated = applied(before, planChanges(stateOf(before, { codex: '0.169.0' }), localMode, answers()).operations);
    expect(migrated[`${HOME}/.bashrc`]).toBeUndefined();
    expect(migrated[keyEnvFiles(paths.stateDir).sh]).toBeUndefined();
    expect(migrated[paths.codexConfig]).not.toMatch(/env_key/);
    expect(migrated[paths.codexConfig]).toContain('refresh_interval_ms = 60000');
    expect(JSON.parse(migrated[paths.manifest]!).rcFiles).toEqual([]);
    const state = { ...stateOf(migrated, { codex: '0.169.0' }), appCopy: 'current' as const };
    expect(planChanges(state, localMode, answers()).operations).toEqual([]);
    expect(summary(planUndo(state))).toContain('run remove-app-copy');
    expect(applied(migrated, planUndo(state))[paths.codexConfig]).toBeUndefined();
  });
});

describe('--autostart (local mode)', () => {
  const unit = `${HOME}/.config/systemd/user/glm-codex-proxy.service`;
  const withSystemd = (files: Files) => ({ ...stateOf(files, { codex: '0.169.0' }), serviceManager: { available: true, manager: 'systemd' as const, reason: 'systemd user manager (running)' } });

  it.runIf(process.platform === 'linux')('with a systemd user manager: the unit is written, then enabled for the next login; --no-autostart disables and removes it', () => {
    const plan = planChanges(withSystemd({}), localMode, answers({ autostart: true, litellmLauncher: ['/opt/venv/bin/litellm'] }));
    const order = summary(plan.operations);
    expect(order.slice(-2)).toEqual(['create ~/.config/systemd/user/glm-codex-proxy.service', 'run service']);
    const files = applied({}, plan.operations);
    expect(files[unit]).toContain('ExecStart=/opt/venv/bin/litellm --config');
    expect(files[unit]).toContain(`EnvironmentFile=${paths.secrets}`);
    const enable = plan.operations.at(-1) as { argvs: string[][] };
    expect(enable.argvs).toEqual([['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', 'glm-codex-proxy.service']]);
    // state.json is planned last, from every unit: it lists the service file as the tool's, though it is written after it.
    expect(JSON.parse(files[paths.manifest]!).createdFiles).toContain(unit);
    const off = planChanges(withSystemd(files), localMode, answers({ autostart: false, litellmLauncher: ['/opt/venv/bin/litellm'] }));
    expect(summary(off.operations)).toEqual(expect.arrayContaining(['run service', 'delete ~/.config/systemd/user/glm-codex-proxy.service']));
  });

  it('without a service manager: nothing is written, and the run says the proxy starts on demand', () => {
    const plan = planChanges(stateOf({}, { codex: '0.169.0' }), localMode, answers({ autostart: true }));
    expect(summary(plan.operations).some((op) => op.includes('systemd'))).toBe(false);
    expect(plan.problems.join('\n')).toMatch(/--autostart: PID 1 is not systemd.*starts on demand/);
  });
});
