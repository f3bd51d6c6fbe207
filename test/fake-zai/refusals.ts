/**
 * Z.ai's account refusals, as its API answers them on Chat Completions and on its Responses endpoint:
 * HTTP status plus `{"error":{"code":"<business code>","message":...}}`. Quota and overload refusals are
 * HTTP 429 (codes 1113, 1302-1313), a bad key HTTP 401 (1000-1004). Reset times are written the way
 * Z.ai writes them, `YYYY-MM-DD HH:MM:SS` in China Standard Time (UTC+8), with no zone named.
 */
import type { ZaiError } from './server.js';

export const REFUSAL_CODES = ['1000', '1001', '1002', '1003', '1004', '1113', '1302', '1303', '1304', '1305', '1308', '1309', '1310', '1311', '1312', '1313'] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  /** When the spent window resets (1304, 1308, 1310); default: 2 h 13 min from the request. */
  resetsAt?: Date;
}

/** A time as Z.ai's messages write it: China Standard Time, no zone. */
export function zaiClock(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3_600_000);
  return china.toISOString().slice(0, 19).replace('T', ' ');
}

export function refusalError(refusal: Refusal, now = Date.now()): ZaiError {
  const reset = zaiClock(refusal.resetsAt ?? new Date(now + (2 * 60 + 13) * 60_000));
  const { code } = refusal;
  switch (code) {
    case '1000':
      return { status: 401, code, message: 'Authentication Failure' };
    case '1001':
      return { status: 401, code, message: 'Header中未收到Authorization参数，无法进行身份验证。' };
    case '1002':
      return { status: 401, code, message: 'Authorization Token非法，请确认Authorization Token正确传递。' };
    case '1003':
      return { status: 401, code, message: 'Authorization Token已过期，请重新生成/获取。' };
    case '1004':
      return { status: 401, code, message: 'Authentication failed via the Authorization Token.' };
    case '1113':
      return { status: 429, code, message: 'Insufficient balance or no resource package. Please recharge.' };
    case '1302':
      return { status: 429, code, message: 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits.' };
    case '1303':
      return { status: 429, code, message: 'High frequency usage of this API, please reduce frequency or contact customer service to increase limits.' };
    case '1304':
      return { status: 429, code, message: `The daily call limit for this API has been reached. Your limit will reset at ${reset}` };
    case '1305':
      return { status: 429, code, message: 'The service may be temporarily overloaded, please try again later.' };
    case '1308':
      return { status: 429, code, message: `Usage limit reached for 5 hour. Your limit will reset at ${reset}` };
    case '1309':
      return { status: 429, code, message: 'Your GLM Coding Plan package has expired. Please renew it to continue.' };
    case '1310':
      return { status: 429, code, message: `Weekly/Monthly Limit Exhausted. Your limit will reset at ${reset}` };
    case '1311':
      return { status: 429, code, message: 'Your current subscription plan does not include access to this model.' };
    case '1312':
      return { status: 429, code, message: 'The model is currently experiencing high traffic. Please try again later.' };
    case '1313':
      return { status: 429, code, message: 'Your account has triggered fair use restrictions. Please try again later.' };
  }
}
