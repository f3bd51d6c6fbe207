/** Classification of the answers seen from real LiteLLM releases (see test/integration/diagnosis.test.ts). */
import { describe, expect, it } from 'vitest';
import { classifyFailure, diagnose } from '../../src/verify/diagnose.js';

const base = { model: 'glm-5.2', where: { kind: 'proxy' as const, port: 4000, apiBase: 'https://api.z.ai/api/paas/v4' } };
const litellm = (message: string, code: string) => JSON.stringify({ error: { message, type: null, param: null, code } });

describe('classifyFailure', () => {
  it.each([
    [{ status: 400, body: litellm('No connected db.', '400') }, 'proxy-key-mismatch'],
    [{ status: 401, body: litellm('Authentication Error, Invalid proxy server token passed.', '401') }, 'proxy-key-mismatch'],
    [{ status: 400, body: litellm('/responses: Invalid model name passed in model=glm-9.', '400') }, 'unknown-model-alias'],
    [{ status: 429, body: litellm('litellm.RateLimitError: OpenAIException - Insufficient balance or no resource package. Please recharge.', '429') }, 'zai-no-balance-or-wrong-plan'],
    [{ status: 429, body: litellm('OpenAIException - {"error":{"code":"1113","message":"余额不足"}}', '429') }, 'zai-no-balance-or-wrong-plan'],
    [{ status: 429, body: litellm('High concurrency usage of this API', '429') }, 'zai-rate-limited'],
    [{ status: 400, body: litellm('OpenAIException - Unknown Model, please check the model code.', '400') }, 'zai-unknown-model'],
    [{ status: 403, body: litellm('You do not have permission to access this model.', '403') }, 'zai-no-permission'],
    [{ status: 401, body: litellm('AuthenticationError: OpenAIException - Authorization Token非法', '401') }, 'zai-bad-key'],
    [{ status: 404, body: litellm('NotFoundError: OpenAIException - {"status":404,"error":"Not Found","path":"/api/paas/v4/responses"}', '404') }, 'not-bridging'],
    [{ status: 500, body: litellm('APIConnectionError: Connection error.', '500') }, 'upstream-unreachable'],
    [{ status: 500, body: litellm('Internal Error', '500') }, 'upstream-server-error'],
    [{ networkError: 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:4000' }, 'proxy-not-running'],
    [{ networkError: 'UND_ERR_HEADERS_TIMEOUT Headers Timeout Error' }, 'timeout'],
    [{ status: 200, streamError: '{"message":"APIConnectionError: Network error, error id: 2026"}' }, 'stream-error'],
    [{ status: 200, streamError: '{"message":"Insufficient balance"}' }, 'zai-no-balance-or-wrong-plan'],
  ] as const)('%j -> %s', (input, expected) => {
    expect(classifyFailure({ ...base, ...input })).toBe(expected);
  });
});

describe('classifyFailure for the remote modes', () => {
  const zai = (code: string, message: string) => JSON.stringify({ error: { code, message } });
  const direct = { model: 'glm-5.2', where: { kind: 'zai-responses' as const, url: 'https://api.z.ai/api/v1' } };
  const gateway = { model: 'glm-5.2', where: { kind: 'litellm-gateway' as const, url: 'https://llm.example.com/v1' } };
  const litellm = (message: string, type: string, code: string) => JSON.stringify({ error: { message, type, param: null, code } });

  it.each([
    [{ status: 401, body: zai('1002', 'Authorization Token非法，请确认Authorization Token正确传递。') }, 'zai-bad-key'],
    [{ status: 429, body: zai('1113', 'Insufficient balance or no resource package. Please recharge.') }, 'zai-no-balance-or-wrong-plan'],
    [{ status: 429, body: zai('1302', 'High concurrency usage of this API, please reduce concurrency.') }, 'zai-rate-limited'],
    [{ status: 400, body: zai('1211', 'Unknown Model, please check the model code.') }, 'zai-unknown-model'],
    [{ status: 404, body: '{"status":404,"error":"Not Found","path":"/api/coding/paas/v4/responses"}' }, 'wrong-endpoint'],
    [{ networkError: 'ECONNREFUSED connect ECONNREFUSED 203.0.113.9:443' }, 'endpoint-unreachable'],
    [{ networkError: 'ENOTFOUND getaddrinfo ENOTFOUND api.z.ai' }, 'endpoint-unreachable'],
    // Node 22's undici, https:// against a plain-http server (measured).
    [{ networkError: 'ERR_SSL_WRONG_VERSION_NUMBER 80DCC9ADF27F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n' }, 'plain-http'],
  ] as const)('direct: %j -> %s', (input, expected) => {
    expect(classifyFailure({ ...direct, ...input })).toBe(expected);
  });

  it.each([
    [{ status: 400, body: litellm('No connected db.', 'no_db_connection', '400') }, 'gateway-no-database'],
    [{ status: 401, body: litellm('Authentication Error, Invalid proxy server token passed. Received API Key = sk-...abcd', 'token_not_found_in_db', '401') }, 'gateway-bad-key'],
    [{ status: 401, body: litellm('Authentication Error - key not allowed to access model. This key can only access models=[\'glm-5.1\']. Tried to access glm-5.2', 'key_model_access_denied', '401') }, 'gateway-model-denied'],
    [{ status: 400, body: litellm('Budget has been exceeded! Current cost: 10.2, Max budget: 10.0', 'budget_exceeded', '400') }, 'gateway-budget-exceeded'],
    [{ status: 401, body: 'Unauthorized' }, 'gateway-bad-key'],
    [{ status: 404, body: '{"detail":"Not Found"}' }, 'wrong-endpoint'],
  ] as const)('gateway: %j -> %s', (input, expected) => {
    expect(classifyFailure({ ...gateway, ...input })).toBe(expected);
  });
});

describe('https:// against a plain-http server', () => {
  it('says the server answered plain HTTP and names the http:// URL, not the logs', () => {
    const networkError = 'ERR_SSL_WRONG_VERSION_NUMBER SSL routines:ssl3_get_record:wrong version number';
    const direct = diagnose({ model: 'glm-5.2', where: { kind: 'zai-responses', url: 'https://127.0.0.1:8443/api/v1' }, networkError });
    expect(direct.cause).toContain('answered plain HTTP');
    expect(direct.fix).toContain('--endpoint http://127.0.0.1:8443/api/v1');
    expect(direct.fix).not.toContain('logs');
    const proxied = diagnose({ model: 'glm-5.2', where: { kind: 'proxy', port: 4000, apiBase: 'https://10.0.0.5/v4' }, status: 500, body: litellm('APIConnectionError: OpenAIException - [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)', '500') });
    expect(proxied.code).toBe('plain-http');
    expect(proxied.fix).toContain('--endpoint http://10.0.0.5/v4');
  });
});
