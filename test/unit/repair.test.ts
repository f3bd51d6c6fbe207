/**
 * Repair is setup, run again, as a table of the planner: from a setup on top of a user's
 * config.toml, each row breaks a file one way; doctor's checks must name the FAIL, a fresh plan must
 * repair it (after it doctor no longer FAILs there and a second plan changes nothing), and the user's
 * part of config.toml stays intact. The states that need the real programs (the proxy, LiteLLM,
 * Codex) stay in test/e2e/repair.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deleteIn, pruneEmptyAncestors, tomlDataEqual } from '../../src/config/toml-data.js';
import { validateToml } from '../../src/config/toml-syntax.js';
import { keyEnvFiles } from '../../src/config/shell-env.js';
import { localMode } from '../../src/modes/local.js';
import { planChanges } from '../../src/plan/plan.js';
import { runChecks } from '../../src/doctor/checks.js';
import { fixture } from '../helpers/corpus.js';
import { answers, applied, HOME, paths, stateOf, type Files } from '../helpers/plan-state.js';

const ORIGINAL = readFileSync(fixture('openrouter-default.toml'), 'utf8');
const setUp = (extra: Partial<Parameters<typeof answers>[0]> = {}) => applied({ [paths.codexConfig]: ORIGINAL }, planChanges(stateOf({ [paths.codexConfig]: ORIGINAL }), localMode, answers(extra)).operations);
const doctor = (files: Files, modes?: Record<string, number>) => runChecks(localMode, { state: stateOf(files, { modes }), litellm: [], proxy: { kind: 'none' }, ready: false, cwd: '/' });
/** What only the real proxy, LiteLLM or Codex can show: not part of these rows. */
const RUNTIME = new Set(['litellm', 'proxy', 'validation', 'plan']);

function userPart(text: string) {
  let data = validateToml(text, 'config.toml');
  for (const path of [['model_providers', 'glm-litellm'], ['profiles', 'glm'], ['profile'], ['model'], ['model_provider']]) data = pruneEmptyAncestors(deleteIn(data, path), path);
  return data;
}

const edit = (files: Files, path: string, change: (text: string) => string): Files => ({ ...files, [path]: change(files[path]!) });
const without = (files: Files, path: string): Files => Object.fromEntries(Object.entries(files).filter(([key]) => key !== path));

interface Row {
  name: string;
  fails: string;
  break(files: Files): Files;
  /** Starts from a setup with these answers (else the defaults). */
  answers?: Parameters<typeof answers>[0];
  modes?: (files: Files) => Record<string, number>;
  /** What the repair says (a repair note) and what it keeps. */
  repairs?: RegExp;
  /** What doctor's FAIL line and its fix say. */
  doctorSays?: RegExp;
  after?(files: Files): void;
}

const ROWS: Row[] = [
  {
    name: 'config.toml broken inside the tool\'s own table',
    fails: 'config-toml',
    break: (f) => edit(f, paths.codexConfig, (t) => t.replace(/(\[model_providers\.glm-litellm\]\n)/, '$1wire_api = "responses"\n')),
    repairs: /in the tool's own \[model_providers\.glm-litellm\]/,
  },
  { name: 'the legacy [profiles.glm] table and profile = "glm"', fails: 'legacy-profile', break: (f) => edit(f, paths.codexConfig, (t) => `profile = "glm"\n${t}\n[profiles.glm]\nmodel = "glm-5.2"\nmodel_provider = "glm-litellm"\n`) },
  { name: 'wire_api = "chat" in the provider table', fails: 'provider', break: (f) => edit(f, paths.codexConfig, (t) => t.replace(/(\[model_providers\.glm-litellm\][\s\S]*?)wire_api = "responses"/, '$1wire_api = "chat"')) },
  {
    name: 'the provider table lost name and base_url',
    fails: 'provider',
    break: (f) => edit(f, paths.codexConfig, (t) => t.replace(/^name = "GLM via LiteLLM[^\n]*\n/m, '').replace(/^base_url = "http:\/\/127\.0\.0\.1[^\n]*\n/m, '')),
  },
  {
    name: 'the provider written as dotted keys, with a stale port',
    fails: 'provider',
    break: (f) =>
      edit(f, paths.codexConfig, (t) => {
        const table = /\n\[model_providers\.glm-litellm\]\n[\s\S]*?(?=\n\[|$)/.exec(t)![0];
        const dotted = table.trim().split('\n').slice(1).map((line) => `model_providers.glm-litellm.${line.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1')}`).join('\n');
        return `${dotted}\n${t.replace(table, '')}`;
      }),
    after: (f) => expect(f[paths.codexConfig]).toMatch(/^model_providers\.glm-litellm\.base_url = "http:\/\/127\.0\.0\.1:4000\/v1"$/m),
  },
  {
    name: 'the default points at the tool\'s provider, whose table is gone',
    fails: 'default-provider',
    answers: { makeDefault: true },
    break: (f) => edit(f, paths.codexConfig, (t) => t.replace(/\n\[model_providers\.glm-litellm\]\n[\s\S]*?(?=\n\[|$)/, '')),
  },
  { name: 'the profile file is gone', fails: 'profile', break: (f) => without(f, paths.codexProfile) },
  { name: 'glm-bridge.yaml hand-broken (invalid YAML)', fails: 'bridge', break: (f) => edit(f, paths.bridgeConfig, (t) => `${t}\n  - broken: [unclosed\n`), repairs: /written anew/ },
  {
    // Issue 21's newcomer trial: the position once, no stray ":." from yaml's own message, in doctor and in the repair note.
    name: 'glm-bridge.yaml with an unclosed quote',
    fails: 'bridge',
    break: (f) => edit(f, paths.bridgeConfig, (t) => t.replace(/model_name: "glm-5\.2"/, 'model_name: "glm-5.2')),
    repairs: /glm-bridge\.yaml:\d+:\d+: Missing closing "quote: written anew \(/,
    doctorSays: /glm-bridge\.yaml:6:\d+: Missing closing "quote\.\n.* to repair it \(the broken file is backed up first\)\.$/,
  },
  {
    name: 'glm-bridge.yaml edited: the user\'s model stays, the tool\'s entry is fixed',
    fails: 'bridge',
    break: (f) =>
      edit(f, paths.bridgeConfig, (t) => `${t.replace('api_key: "os.environ/ZAI_API_KEY"', 'api_key: hardcoded')}# my own model\n`.replace('model_list:\n', 'model_list:\n  - model_name: my-local\n    litellm_params:\n      model: ollama/qwen\n')),
    after: (f) => {
      expect(f[paths.bridgeConfig]).toContain('model_name: my-local');
      expect(f[paths.bridgeConfig]).toContain('# my own model');
      expect(f[paths.bridgeConfig]).toContain('api_key: "os.environ/ZAI_API_KEY"');
    },
  },
  { name: 'secrets.env readable by everyone', fails: 'secrets', break: (f) => f, modes: () => ({ [paths.secrets]: 0o644 }), repairs: /mode 644: set back to 600/ },
  { name: 'secrets.env deleted: a new proxy key for the proxy and Codex alike', fails: 'secrets', break: (f) => without(f, paths.secrets) },
  { name: 'the key Codex sends differs from the proxy\'s', fails: 'codex-key', break: (f) => ({ ...f, [keyEnvFiles(paths.stateDir).sh]: "export LITELLM_API_KEY='sk-some-other-key'\n" }) },
  {
    name: 'the shell block was removed from the startup files',
    fails: 'shell',
    break: (f) => ['.bashrc', '.profile'].reduce((files, rc) => ({ ...files, [`${HOME}/${rc}`]: '# mine\n' }), f),
    after: (f) => expect(f[`${HOME}/.bashrc`]).toMatch(/^# mine\n\n# >>> glm-codex-setup >>>/),
  },
];

describe('broken states, each repaired by planning setup again', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const healthy = setUp(row.answers);
      const broken = row.break(healthy);
      const modes = row.modes?.(broken);
      const sick = await doctor(broken, modes);
      expect(sick.filter((c) => c.status === 'FAIL').map((c) => c.id)).toContain(row.fails);
      if (row.doctorSays) expect(sick.filter((c) => c.id === row.fails).map((c) => `${c.message}\n${c.fix}`).join('\n')).toMatch(row.doctorSays);

      const plan = planChanges(stateOf(broken, { modes }), localMode, answers({ ...row.answers, masterKey: stateOf(broken).secrets.LITELLM_MASTER_KEY ?? answers().masterKey }));
      if (row.repairs) expect(plan.repairs.join('\n')).toMatch(row.repairs);
      const repaired = applied(broken, plan.operations);
      const after = await doctor(repaired);
      expect(after.filter((c) => c.status === 'FAIL' && !RUNTIME.has(c.id)).map((c) => `${c.id}: ${c.message}`)).toEqual([]);
      expect(planChanges(stateOf(repaired), localMode, answers({ ...row.answers, masterKey: stateOf(repaired).secrets.LITELLM_MASTER_KEY! })).operations).toEqual([]);
      expect(tomlDataEqual(userPart(repaired[paths.codexConfig]!), userPart(ORIGINAL))).toBe(true);
      row.after?.(repaired);
    });
  }
});
