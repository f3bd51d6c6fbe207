/**
 * Every answer resolves as flag ?? env ?? (interactive ? prompt : stored value ?? default):
 * one code path for both modes.
 */
import { readZaiKeyFile } from '../config/key-file.js';
import { isValidSecretValue, keptMasterKey, normalizeZaiKey } from '../config/secrets.js';
import { UserError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SetupState } from '../inspect/inspect.js';
import { DEFAULT_MODEL, DEFAULT_PORT, ENDPOINTS, resolveEndpoint, validateModel, type Options } from '../options.js';
import type { Prompts } from '../ui/prompts.js';
import type { Answers } from './plan.js';
import { tildify } from '../paths.js';

const CODING_PLAN_NOTE =
  'Z.ai says Coding Plan quotas are meant for its list of approved tools, and Codex is not on it; pay-as-you-go keys (the "general" endpoint) have no such limit.';

export async function resolveZaiKey(options: Options, state: SetupState, ask: Prompts | null, env = process.env): Promise<string> {
  if (env.ZAI_API_KEY) return normalizeZaiKey(env.ZAI_API_KEY, 'the ZAI_API_KEY variable');
  if (options.zaiKeyFile) return normalizeZaiKey(await readZaiKeyFile(options.zaiKeyFile), options.zaiKeyFile);
  const stored = state.secrets.ZAI_API_KEY;
  if (ask) {
    if (stored && (await ask.confirm(`Keep the Z.ai API key stored in ${state.paths.secrets}?`, true))) return stored;
    const entered = await ask.secret('Your Z.ai API key (input hidden)', (value) => {
      const key = value.trim();
      if (!key) return 'The key is required: create one at https://z.ai/manage-apikey/apikey-list';
      return isValidSecretValue(key) ? undefined : 'That does not look like a key: no spaces or quotes.';
    });
    return normalizeZaiKey(entered, 'the prompt');
  }
  if (stored) return stored;
  throw new UserError('key-missing', 'No Z.ai API key: none in the environment, in --zai-key-file, or stored from an earlier run.', {
    exitCode: ExitCode.usage,
    fix: 'Set ZAI_API_KEY=… in the environment, or pass --zai-key-file FILE.',
  });
}

export async function resolveAnswers(
  options: Options,
  state: SetupState,
  ask: Prompts | null,
  env = process.env,
): Promise<Answers> {
  const stored = state.manifest;
  let apiBase = options.endpoint ?? stored.apiBase;
  if (apiBase === undefined && ask) {
    const choice = await ask.select(
      'Which Z.ai endpoint (plan) does your key belong to?',
      [
        { value: 'coding', label: 'Coding Plan', hint: ENDPOINTS.coding },
        { value: 'general', label: 'Pay-as-you-go (general)', hint: ENDPOINTS.general },
        { value: 'china', label: 'China, pay-as-you-go (bigmodel.cn)', hint: ENDPOINTS.china },
        { value: 'china-coding', label: 'China, Coding Plan (bigmodel.cn)', hint: ENDPOINTS['china-coding'] },
        { value: 'custom', label: 'Another URL' },
      ],
      'coding',
    );
    if (choice === 'custom') {
      apiBase = resolveEndpoint(
        await ask.text('Endpoint URL (OpenAI-compatible chat base)', 'https://', (value) => {
          try {
            resolveEndpoint(value);
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        }),
      );
    } else {
      apiBase = ENDPOINTS[choice as keyof typeof ENDPOINTS];
    }
  }
  apiBase ??= ENDPOINTS.coding;

  let model = options.model ?? stored.model;
  if (model === undefined && ask) {
    model = await ask.text('Model id', DEFAULT_MODEL, (value) => {
      try {
        validateModel(value, 'model');
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });
  }
  model ??= DEFAULT_MODEL;

  const zaiKey = await resolveZaiKey(options, state, ask, env);
  let makeDefault = options.makeDefault;
  if (makeDefault === undefined && ask && stored.previousDefault === undefined) {
    makeDefault = (await ask.confirm('Make GLM the default model for every `codex` run (not only `codex --profile glm`)?', false)) || undefined;
  }

  let shellRc = options.shellRc;
  if (shellRc === undefined && ask) {
    shellRc = await ask.confirm(
      `Add a line to your shell startup files (${state.rcFiles.map((rc) => tildify(rc.path)).join(', ')}) so every new terminal can run \`codex --profile glm\`? It sources ${tildify(state.keyEnvFiles.sh.path)} (mode 0600).`,
      true,
    );
  }

  return {
    shellRc: shellRc ?? true,
    litellmPython: stored.litellmPython,
    model,
    apiBase,
    port: options.port ?? stored.port ?? DEFAULT_PORT,
    zaiKey,
    masterKey: keptMasterKey(state.secrets.LITELLM_MASTER_KEY),
    makeDefault,
  };
}

export { CODING_PLAN_NOTE };

export function requireInteractiveTerminal(options: Options, stdinIsTty: boolean): void {
  if (!options.nonInteractive && !stdinIsTty) {
    throw usageError(
      'No terminal to ask questions on (stdin is not a TTY).',
      'Run with --non-interactive and give the answers as flags/env: ZAI_API_KEY or --zai-key-file, --endpoint, --model, --port, --make-default.',
    );
  }
}
