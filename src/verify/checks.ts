/**
 * doctor's checks: each looks at the machine as inspect() saw it and says PASS, WARN or FAIL,
 * with the fix for every FAIL. Nothing here writes.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bridgeEntry, MASTER_KEY_REFERENCE, parseBridgeYaml, ZAI_KEY_REFERENCE } from '../config/bridge-yaml.js';
import { bridgeYaml11Problems } from '../config/bridge-yaml11.js';
import { isOwnLegacyProfile, profileShapeFor, userConfigProblems } from '../config/codex-config.js';
import { WEAK_KEY_WHY, weakMasterKeyReason } from '../config/secrets.js';
import { hasBlock, renderKeyEnv } from '../config/shell-env.js';
import { getIn } from '../config/toml-data.js';
import { parseTomlData, splitBom, TomlSyntaxError, type TomlData } from '../config/toml-syntax.js';
import type { SetupState } from '../inspect/inspect.js';
import { KEY_ENV, PROFILE_NAME, PROVIDER_ID, tildify } from '../paths.js';
import type { LiteLLMInstall } from '../runtime/litellm.js';
import { configHash, type ProxyProcessState } from '../runtime/proxy.js';
import { diagnose } from './diagnose.js';
import { validateProxy } from './validate.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

const REPAIR = 'Run `glm-codex-setup` to repair it.';
const pass = (id: string, message: string): Check => ({ id, status: 'PASS', message });
const warn = (id: string, message: string, fix?: string): Check => ({ id, status: 'WARN', message, ...(fix ? { fix } : {}) });
const fail = (id: string, message: string, fix = REPAIR): Check => ({ id, status: 'FAIL', message, fix });

const BUILTIN_PROVIDERS = new Set(['openai', 'ollama', 'lmstudio', 'oss']);

export interface DoctorInput {
  state: SetupState;
  litellm: LiteLLMInstall[];
  proxy: ProxyProcessState;
  ready: boolean;
  cwd: string;
}

function parseConfig(state: SetupState, checks: Check[]): TomlData | null {
  const { path, text } = state.codexConfig;
  if (text === null) {
    checks.push(fail('config-toml', `${tildify(path)} does not exist.`));
    return null;
  }
  try {
    const data = parseTomlData(splitBom(text).body, path);
    checks.push(pass('config-toml', `${tildify(path)} parses`));
    return data;
  } catch (error) {
    if (error instanceof TomlSyntaxError) {
      checks.push(fail('config-toml', error.message.replace(/ The file was not changed\.$/, ''), `Fix that line, or run \`glm-codex-setup\` (it repairs its own part; --force-rebuild keeps a backup and rebuilds the file).`));
      return null;
    }
    throw error;
  }
}

export async function runChecks(input: DoctorInput): Promise<Check[]> {
  const { state, proxy } = input;
  const checks: Check[] = [];
  const port = state.manifest.port;
  const model = state.manifest.model;
  const shape = profileShapeFor(state.codex.version);

  // Codex's configuration.
  const data = parseConfig(state, checks);
  if (data) {
    const provider = getIn(data, ['model_providers', PROVIDER_ID]) as Record<string, unknown> | undefined;
    if (!provider) checks.push(fail('provider', `[model_providers.${PROVIDER_ID}] is missing from config.toml.`));
    else {
      const wrong: string[] = [];
      if (typeof provider.name !== 'string' || provider.name === '') wrong.push('name is missing (Codex refuses an empty provider name)');
      if (provider.base_url !== `http://127.0.0.1:${port}/v1`) wrong.push(`base_url is ${JSON.stringify(provider.base_url ?? null)}, expected "http://127.0.0.1:${port}/v1"`);
      if (provider.wire_api !== 'responses') wrong.push(`wire_api is ${JSON.stringify(provider.wire_api ?? null)}, Codex needs "responses"`);
      if (provider.env_key !== KEY_ENV) wrong.push(`env_key is ${JSON.stringify(provider.env_key ?? null)}, expected "${KEY_ENV}"`);
      checks.push(wrong.length === 0 ? pass('provider', `[model_providers.${PROVIDER_ID}] points at 127.0.0.1:${port}`) : fail('provider', `[model_providers.${PROVIDER_ID}]: ${wrong.join('; ')}.`));
    }

    if (shape === 'file') {
      if (isOwnLegacyProfile(data)) checks.push(fail('legacy-profile', `config.toml has a [profiles.${PROFILE_NAME}] table, which Codex ${state.codex.version ?? '>= 0.134'} refuses.`));
      if (getIn(data, ['profile']) === PROFILE_NAME) checks.push(fail('legacy-profile', `config.toml has profile = "${PROFILE_NAME}", which stops every Codex start.`));
    }
    for (const problem of userConfigProblems(data, tildify(state.codexConfig.path), shape)) {
      checks.push(fail('user-config', problem, 'Edit that line of config.toml (the tool does not change your own settings).'));
    }
    const defaultProvider = getIn(data, ['model_provider']);
    if (typeof defaultProvider === 'string' && !BUILTIN_PROVIDERS.has(defaultProvider) && getIn(data, ['model_providers', defaultProvider]) === undefined) {
      checks.push(
        fail(
          'default-provider',
          `The default model_provider = "${defaultProvider}" names a provider that is not defined.`,
          defaultProvider === PROVIDER_ID ? REPAIR : `Define [model_providers.${defaultProvider}], or run \`glm-codex-setup --make-default\`.`,
        ),
      );
    }
  }

  // The profile.
  if (shape === 'file') {
    const text = state.codexProfile.text;
    let profile: TomlData | null = null;
    try {
      profile = text === null ? null : parseTomlData(splitBom(text).body, state.codexProfile.path);
    } catch (error) {
      checks.push(fail('profile', (error as Error).message));
    }
    if (text === null) checks.push(fail('profile', `${tildify(state.codexProfile.path)} is missing: \`codex --profile glm\` would silently use OpenAI's defaults.`));
    else if (profile) {
      const ok = profile.model_provider === PROVIDER_ID && (model === undefined || profile.model === model);
      checks.push(ok ? pass('profile', `profile "glm" (${tildify(state.codexProfile.path)}) uses ${String(profile.model)} via ${PROVIDER_ID}`) : fail('profile', `${tildify(state.codexProfile.path)} has model = ${JSON.stringify(profile.model ?? null)}, model_provider = ${JSON.stringify(profile.model_provider ?? null)}.`));
    }
  } else if (data) {
    checks.push(isOwnLegacyProfile(data) ? pass('profile', `[profiles.glm] in config.toml (Codex ${state.codex.version})`) : fail('profile', `Codex ${state.codex.version} needs a [profiles.glm] table in config.toml; there is none.`));
  }
  if (!state.codex.version) checks.push(warn('codex', 'Codex is not installed (or `codex --version` does not answer).', 'npm install -g @openai/codex'));

  // A project-level config that tries to set providers is ignored by Codex.
  for (let dir = input.cwd, depth = 0; depth < 30; depth++) {
    const projectConfig = join(dir, '.codex', 'config.toml');
    if (projectConfig !== state.codexConfig.path) {
      const text = await readFile(projectConfig, 'utf8').catch(() => null);
      if (text !== null && /^\s*(model_providers|model_provider)\b|^\s*\[model_providers/m.test(text)) {
        checks.push(warn('project-config', `${projectConfig} sets model providers; Codex ignores providers in project configs.`, `Move them to ${tildify(state.codexConfig.path)}.`));
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }

  // Secrets and the key Codex sends.
  const { secrets, secretsFile } = state;
  if (secretsFile.text === null) checks.push(fail('secrets', `${tildify(secretsFile.path)} is missing.`));
  else {
    const problems: string[] = [];
    if (!secrets.ZAI_API_KEY) problems.push('no ZAI_API_KEY');
    if (!secrets.LITELLM_MASTER_KEY?.startsWith('sk-')) problems.push('no LITELLM_MASTER_KEY starting with sk-');
    else if (weakMasterKeyReason(secrets.LITELLM_MASTER_KEY)) problems.push(`the proxy key is weak (${weakMasterKeyReason(secrets.LITELLM_MASTER_KEY)}): ${WEAK_KEY_WHY}`);
    if (secretsFile.mode !== null && (secretsFile.mode & 0o077) !== 0) problems.push(`mode ${secretsFile.mode.toString(8)} lets other users read it (expected 600)`);
    checks.push(problems.length === 0 ? pass('secrets', `${tildify(secretsFile.path)} holds both keys, mode 600`) : fail('secrets', `${tildify(secretsFile.path)}: ${problems.join('; ')}.`));
  }
  const keyFile = state.keyEnvFiles.sh;
  if (secrets.LITELLM_MASTER_KEY && keyFile.text !== renderKeyEnv('sh', secrets.LITELLM_MASTER_KEY)) {
    checks.push(fail('codex-key', `${tildify(keyFile.path)} does not hold the proxy's key: Codex would send a key the proxy rejects.`));
  } else if (secrets.LITELLM_MASTER_KEY) {
    checks.push(pass('codex-key', `${KEY_ENV} for Codex matches the proxy's master key`));
  }
  const rcPaths = state.manifest.rcFiles ?? [];
  if (rcPaths.length > 0) {
    const missing = state.rcFiles.filter((rc) => rcPaths.includes(rc.path) && !hasBlock(rc.text));
    checks.push(missing.length === 0 ? pass('shell', `New shells load ${KEY_ENV} (${rcPaths.map((p) => tildify(p)).join(', ')})`) : fail('shell', `The key block is missing from ${missing.map((rc) => tildify(rc.path)).join(', ')}: new terminals cannot use the profile.`));
  } else {
    checks.push(warn('shell', `No shell startup file loads ${KEY_ENV}: run \`. ${tildify(keyFile.path)}\` in each terminal before \`codex --profile glm\`.`, 'Run glm-codex-setup without --no-shell-rc.'));
  }

  // LiteLLM and its configuration.
  const bridgeText = state.bridge.text;
  if (bridgeText === null) checks.push(fail('bridge', `${tildify(state.bridge.path)} is missing.`));
  else {
    try {
      const doc = parseBridgeYaml(bridgeText, state.bridge.path);
      const entry = model ? bridgeEntry(doc, model) : null;
      const params = (entry?.litellm_params ?? {}) as Record<string, unknown>;
      const general = doc.toJS() as { general_settings?: { master_key?: string } };
      const problems: string[] = [];
      if (!entry) problems.push(`no model_list entry for ${model}`);
      else {
        if (params.api_key !== ZAI_KEY_REFERENCE) problems.push(`api_key is not ${ZAI_KEY_REFERENCE}`);
        if (params.model !== `openai/${model}` || params.use_chat_completions_api !== true) problems.push(`the entry does not bridge (needs model: openai/${model} and use_chat_completions_api: true)`);
      }
      if (general.general_settings?.master_key !== MASTER_KEY_REFERENCE) problems.push(`general_settings.master_key is not ${MASTER_KEY_REFERENCE}`);
      // LiteLLM reads YAML 1.1 (PyYAML): check the file as it will, with its own Python when there is one.
      if (problems.length === 0) problems.push(...(await bridgeYaml11Problems(bridgeText, model, input.litellm.find((f) => f.verdict.kind === 'bridges' && f.proxyExtras)?.python ?? null)));
      checks.push(problems.length === 0 ? pass('bridge', `${tildify(state.bridge.path)} routes ${model} to ${String(params.api_base)}`) : fail('bridge', `${tildify(state.bridge.path)}: ${problems.join('; ')}.`));
    } catch (error) {
      checks.push(fail('bridge', (error as Error).message.replace(/ The file was not changed\.$/, ''), `${REPAIR} (the broken file is backed up first)`));
    }
  }
  for (const found of input.litellm) {
    if (found.verdict.kind === 'compromised') {
      checks.push(fail('litellm-security', `LiteLLM ${found.version} (${found.python}) is a compromised release (credential stealer).`, 'Uninstall it, rotate your keys, and run glm-codex-setup to install a safe LiteLLM.'));
    }
  }
  const usable = input.litellm.find((f) => f.verdict.kind === 'bridges' && f.proxyExtras);
  if (usable) {
    checks.push(pass('litellm', `LiteLLM ${usable.version} (${usable.source}) bridges`));
  } else {
    const seen = input.litellm.map((f) => `${f.version} (${f.verdict.kind}${f.proxyExtras ? '' : ', no proxy extras'})`).join(', ');
    checks.push(fail('litellm', seen ? `No LiteLLM that bridges: found ${seen}.` : `LiteLLM is not installed (the venv in ${tildify(state.paths.venv)} is missing or broken).`));
  }

  // The proxy.
  if (proxy.kind === 'none') checks.push(fail('proxy', 'The proxy is not running.', 'glm-codex-setup start (or glm-codex-setup to repair)'));
  else if (proxy.kind === 'stale') checks.push(fail('proxy', `The proxy is not running (stale pid file: pid ${proxy.record.pid} is gone or is another program).`, 'glm-codex-setup start'));
  else {
    const { record } = proxy;
    if (record.port !== port) checks.push(fail('proxy', `The proxy runs on port ${record.port}, but Codex is configured for ${port}.`));
    else if (!input.ready) checks.push(fail('proxy', `The proxy (pid ${record.pid}) does not answer on 127.0.0.1:${record.port}.`, 'glm-codex-setup stop && glm-codex-setup start; see glm-codex-setup logs'));
    else if (usable && bridgeText !== null && record.configHash !== configHash(bridgeText, secrets, usable.launcher)) {
      checks.push(fail('proxy', `The proxy (pid ${record.pid}) runs an older configuration than the files describe.`, 'glm-codex-setup start restarts it; or re-run glm-codex-setup.'));
    } else checks.push(pass('proxy', `The proxy is running (pid ${record.pid}) and ready on 127.0.0.1:${record.port}`));
  }

  // The validation request, when there is something to ask.
  if (proxy.kind === 'running' && input.ready && secrets.LITELLM_MASTER_KEY && model) {
    const result = await validateProxy({ port: proxy.record.port, masterKey: secrets.LITELLM_MASTER_KEY, model, apiBase: state.manifest.apiBase ?? '' }, 'non-streaming');
    const diagnosis = result.diagnosis ?? diagnose({ port: proxy.record.port, model, apiBase: state.manifest.apiBase ?? '' });
    checks.push(result.ok ? pass('validation', `The validation request answered "${(result.reply ?? '').trim().slice(0, 40)}" in ${result.roundTripMs} ms`) : fail('validation', diagnosis.cause, diagnosis.fix));
  }
  return checks;
}
