/**
 * Turns a failed validation (HTTP status, body, network error) into a cause and a fix.
 * Z.ai's business codes travel inside LiteLLM's error message as `"code":"1113"`.
 */

export type DiagnosisCode =
  | 'proxy-not-running'
  | 'proxy-key-mismatch'
  | 'unknown-model-alias'
  | 'zai-bad-key'
  | 'zai-no-balance-or-wrong-plan'
  | 'zai-rate-limited'
  | 'zai-window-spent'
  | 'zai-plan-expired'
  | 'zai-model-not-in-plan'
  | 'zai-overloaded'
  | 'zai-no-permission'
  | 'zai-unknown-model'
  | 'not-bridging'
  | 'upstream-unreachable'
  | 'upstream-server-error'
  | 'stream-error'
  | 'timeout'
  | 'endpoint-unreachable'
  | 'plain-http'
  | 'wrong-endpoint'
  | 'gateway-bad-key'
  | 'gateway-no-database'
  | 'gateway-model-denied'
  | 'gateway-budget-exceeded'
  | 'unexpected';
import { cli } from '../invocation.js';
import { localClock, readZaiRefusal } from './zai-refusal.js';

export interface Diagnosis {
  code: DiagnosisCode;
  cause: string;
  fix: string;
}

/** Where the validation request went: the local proxy (in front of Z.ai), Z.ai itself, or a team gateway. */
export type Where = { kind: 'proxy'; port: number; apiBase: string } | { kind: 'zai-responses'; url: string } | { kind: 'litellm-gateway'; url: string };

export interface FailureInput {
  status?: number | undefined;
  body?: string | undefined;
  networkError?: string | undefined;
  streamError?: string | undefined;
  model: string;
  where: Where;
}

const upstreamOf = (where: Where) => (where.kind === 'proxy' ? where.apiBase : where.url);
const portOf = (where: Where) => (where.kind === 'proxy' ? where.port : 0);

const DIAGNOSES: Record<DiagnosisCode, (i: FailureInput) => Omit<Diagnosis, 'code'>> = {
  'proxy-not-running': (i) => ({
    cause: `Nothing answers on 127.0.0.1:${portOf(i.where)}: the LiteLLM proxy is not running.`,
    fix: `Run \`${cli('start')}\` (or \`${cli()}\` to repair), then \`${cli('logs')}\` if it stops again.`,
  }),
  'proxy-key-mismatch': () => ({
    cause: 'The proxy rejected the key: the key Codex sends (LITELLM_API_KEY) is not the proxy master key.',
    fix: `Run \`${cli()}\` to restart the proxy with the key in secrets.env, then open a new terminal.`,
  }),
  'unknown-model-alias': (i) => ({
    cause: `The proxy has no model named "${i.model}" in glm-bridge.yaml.`,
    fix: `Run \`${cli(`--model ${i.model}`)}\` to add it, or pick a model the proxy lists.`,
  }),
  'zai-bad-key': (i) => ({
    cause: `Z.ai rejected the API key (invalid, expired, revoked or missing; codes 1000-1004)${said(i)}.`,
    fix: `Create a key at https://z.ai/manage-apikey/apikey-list and run \`ZAI_API_KEY=… ${cli()}\` (setup again, with the new key).`,
  }),
  'zai-window-spent': (i) => {
    const { code, resetsAt } = refusalOf(i);
    const window = code === 1310 ? 'weekly' : code === 1304 ? 'daily' : code === 1308 ? '5-hour' : 'usage';
    return {
      cause: `The GLM Coding Plan's ${window} window is used up (code ${code ?? '1308/1310'})${said(i)}.`,
      fix: resetsAt
        ? `Wait until ${localClock(resetsAt)} (your local time), when the window resets; \`${cli('usage')}\` shows both windows; a bigger plan raises the limits.`
        : `Wait for the window to reset (\`${cli('usage')}\` shows when); a bigger plan raises the limits.`,
    };
  },
  'zai-plan-expired': (i) => ({
    cause: `The GLM Coding Plan has expired (code 1309)${said(i)}.`,
    fix: 'Renew the plan in the Z.ai console (https://z.ai/subscribe), or use a pay-as-you-go key with --endpoint general.',
  }),
  'zai-model-not-in-plan': (i) => ({
    cause: `The plan does not include "${i.model}" (code 1311)${said(i)}.`,
    fix: `Pick a model the plan includes (\`${cli('--model glm-5.2')}\`), or upgrade the plan.`,
  }),
  'zai-overloaded': (i) => ({
    cause: `Z.ai is overloaded or throttling this account for now (code ${refusalOf(i).code ?? '1305'})${said(i)}.`,
    fix: `Try again in a minute (\`${cli('doctor')}\` re-checks); it passes by itself.`,
  }),
  'zai-no-balance-or-wrong-plan': (i) => ({
    cause: `Z.ai refused for billing reasons (code 1113): no balance, or a key for another plan than ${upstreamOf(i.where)}${said(i)}.`,
    fix: 'Top up the account, or match the endpoint to the key: Coding Plan keys use --endpoint coding, pay-as-you-go keys --endpoint general.',
  }),
  'zai-rate-limited': (i) => ({
    cause: `Z.ai is rate limiting this key (HTTP 429: too many requests or concurrent requests)${said(i)}.`,
    fix: `Wait a minute and run \`${cli('doctor')}\`; check the plan's limits in the Z.ai console.`,
  }),
  'zai-no-permission': (i) => ({
    cause: `The key has no permission for "${i.model}" (code 1220).`,
    fix: 'Pick a model your plan includes with --model, or upgrade the plan.',
  }),
  'zai-unknown-model': (i) => ({
    cause: `Z.ai does not know the model "${i.model}" (code 1211).`,
    fix: 'Use an id from Z.ai\'s model list, e.g. --model glm-5.2.',
  }),
  'not-bridging': () => ({
    cause: 'LiteLLM sent the request to Z.ai\'s /responses route, which does not exist: this LiteLLM is not bridging Responses to Chat Completions.',
    fix: `Run \`${cli()}\` to install a LiteLLM that bridges (>= 1.83.14) and rewrite glm-bridge.yaml for it.`,
  }),
  'upstream-unreachable': (i) => ({
    cause: `The proxy could not reach ${upstreamOf(i.where)} (DNS, network or a wrong endpoint URL).`,
    fix: `Check the network and the endpoint (${cli('--endpoint coding|general|china|URL')}).`,
  }),
  'upstream-server-error': () => ({
    cause: 'Z.ai answered with a server error (5xx).',
    fix: 'Try again later; https://status.z.ai shows incidents.',
  }),
  'stream-error': (i) => ({
    cause: `The answer stream broke off with an error: ${i.streamError ?? 'unknown'}.`,
    fix: `Try again; if it repeats, see \`${cli('logs')}\`.`,
  }),
  timeout: () => ({
    cause: 'No answer in time from the proxy or from Z.ai.',
    fix: `Check the network and the endpoint; \`${cli('logs')}\` shows what the proxy is waiting for.`,
  }),
  'endpoint-unreachable': (i) => ({
    cause: `${upstreamOf(i.where)} could not be reached (DNS, network, a proxy in between, or a wrong URL).`,
    fix: i.where.kind === 'litellm-gateway' ? 'Check the gateway URL (--gateway-url) and that you are on the network it serves.' : 'Check the network and the endpoint (--endpoint coding|china-coding|URL).',
  }),
  'plain-http': (i) => {
    const url = upstreamOf(i.where);
    const plain = url.replace(/^https:/i, 'http:');
    const flag = i.where.kind === 'litellm-gateway' ? '--gateway-url' : '--endpoint';
    return {
      cause: `The server at ${url} answered plain HTTP, not HTTPS (TLS: "wrong version number").`,
      fix: `Use http://…: \`${cli(`${flag} ${plain}`)}\` (only where plain HTTP is what you mean: the key then travels unencrypted).`,
    };
  },
  'wrong-endpoint': (i) => ({
    cause: `${upstreamOf(i.where)}/responses does not exist (HTTP 404): the URL is not a Responses endpoint.`,
    fix: i.where.kind === 'litellm-gateway' ? 'Use the gateway\'s base URL, e.g. --gateway-url https://llm.example.com (without a path).' : 'Use Z.ai\'s Responses base: --endpoint coding (https://api.z.ai/api/v1) or china-coding.',
  }),
  'gateway-bad-key': () => ({
    cause: 'The gateway does not know your virtual key (invalid, expired or deleted).',
    fix: `Ask the gateway's operator for a key (${cli('gateway key create')}), save it to a file, and run ${cli('--mode gateway --gateway-key-file FILE')}.`,
  }),
  'gateway-no-database': () => ({
    cause: 'The gateway has no database, so it cannot check virtual keys: it answered no_db_connection (it only accepts its master key).',
    fix: `Ask the operator to start the gateway with its Postgres database (DATABASE_URL); see the README that \`${cli('gateway init')}\` wrote.`,
  }),
  'gateway-model-denied': (i) => ({
    cause: `Your virtual key may not use "${i.model}" on this gateway.`,
    fix: 'Ask the operator to add the model to your key, or pick one your key allows with --model.',
  }),
  'gateway-budget-exceeded': () => ({
    cause: 'Your budget on the gateway is used up.',
    fix: 'Ask the operator to raise the budget of your key (or wait for it to reset).',
  }),
  unexpected: (i) => ({
    cause: `Unexpected answer${i.status ? ` (HTTP ${i.status})` : ''}: ${(i.body ?? i.networkError ?? '').slice(0, 300)}`,
    fix: `See \`${cli('logs')}\`; run \`${cli('doctor')}\` for a full check.`,
  }),
};

function refusalOf(i: FailureInput) {
  return readZaiRefusal(`${i.body ?? ''}\n${i.streamError ?? ''}`);
}

/** `: "<Z.ai's message>"`, when the answer carries one. */
function said(i: FailureInput): string {
  const message = refusalOf(i).message?.replace(/^(?:litellm\.\w+: )?(?:\w+Error: )?(?:\w+Exception - )?/, '').replace(/\s+/g, ' ').trim();
  return message ? `: "${message.slice(0, 240)}"` : '';
}

/**
 * Z.ai's failure classes, from its business code when LiteLLM passes the body through, else from
 * Z.ai's documented message texts: LiteLLM (1.108) keeps only the upstream `message`.
 */
function zaiFailure(text: string, status: number | undefined): DiagnosisCode | null {
  const code = readZaiRefusal(text).code ?? Number.NaN;
  if ((code >= 1000 && code <= 1004) || /Authorization Token|身份验证|Authentication Failure|令牌已过期|token has expired/i.test(text)) return 'zai-bad-key';
  if (code === 1113 || /Insufficient balance|no resource package|arrears|余额不足|欠费/i.test(text)) return 'zai-no-balance-or-wrong-plan';
  if (code === 1304 || code === 1308 || code === 1310 || /Usage limit reached for|Weekly\/Monthly Limit|daily call limit|usage_limit_reached/i.test(text)) return 'zai-window-spent';
  if (code === 1309 || /(plan|package)[^"]{0,40}expired/i.test(text)) return 'zai-plan-expired';
  if (code === 1311 || /plan does not include|zai_model_not_in_plan/i.test(text)) return 'zai-model-not-in-plan';
  if (code === 1305 || code === 1312 || code === 1313 || /temporarily overloaded|high traffic|fair use/i.test(text)) return 'zai-overloaded';
  if (code === 1211 || /Unknown Model|模型不存在/i.test(text)) return 'zai-unknown-model';
  if (code === 1220 || /do not have permission|无权访问/i.test(text)) return 'zai-no-permission';
  if (code === 1302 || code === 1303 || /High concurrency|rate limit|too many requests|并发/i.test(text) || status === 429) return 'zai-rate-limited';
  return null;
}

export function classifyFailure(input: FailureInput): DiagnosisCode {
  const body = input.body ?? '';
  const local = input.where.kind === 'proxy';
  // https:// against a server that speaks plain HTTP: OpenSSL's "wrong version number", seen by us or by the proxy.
  if (/WRONG_VERSION_NUMBER|wrong version number/i.test(`${input.networkError ?? ''}\n${body}`)) return 'plain-http';
  if (input.networkError) {
    if (/ECONNREFUSED|ECONNRESET|socket hang up/i.test(input.networkError)) return local ? 'proxy-not-running' : 'endpoint-unreachable';
    if (!local && /ENOTFOUND|EAI_AGAIN|getaddrinfo|EHOSTUNREACH|ENETUNREACH|certificate|CERT_/i.test(input.networkError)) return 'endpoint-unreachable';
    if (/timeout|timed out/i.test(input.networkError)) return 'timeout';
    return 'unexpected';
  }
  if (input.streamError) {
    // After a 200 the stream itself broke: only a recognisable Z.ai cause is more specific.
    return zaiFailure(input.streamError, undefined) ?? 'stream-error';
  }
  if (input.where.kind === 'litellm-gateway') {
    if (/no_db_connection|No connected db/i.test(body)) return 'gateway-no-database';
    if (/token_not_found_in_db|Invalid proxy server token|Authentication Error,/i.test(body)) return 'gateway-bad-key';
    if (/budget.*exceeded|ExceededBudget|budget_exceeded/i.test(body)) return 'gateway-budget-exceeded';
    if (/not allowed to access model|key_model_access_denied|team_model_access_denied/i.test(body)) return 'gateway-model-denied';
  }
  if (/no_db_connection|No connected db|token_not_found_in_db|Invalid proxy server token/i.test(body)) return 'proxy-key-mismatch';
  if (/Invalid model name passed in model/i.test(body)) return 'unknown-model-alias';
  const zai = zaiFailure(body, input.status);
  if (zai) return zai;
  if (!local && input.status === 404) return 'wrong-endpoint';
  if (/\/responses/.test(body) && (input.status === 404 || /NotFound|404/.test(body))) return 'not-bridging';
  if (/APIConnectionError|Connection error|getaddrinfo|ENOTFOUND|Name or service not known|Cannot connect/i.test(body)) return 'upstream-unreachable';
  if (/Timeout/i.test(body) || input.status === 408) return 'timeout';
  if (input.status !== undefined && input.status >= 500) return 'upstream-server-error';
  if (input.status === 401) return input.where.kind === 'litellm-gateway' ? 'gateway-bad-key' : 'zai-bad-key';
  return 'unexpected';
}

export function diagnose(input: FailureInput): Diagnosis {
  const code = classifyFailure(input);
  return { code, ...DIAGNOSES[code](input) };
}
