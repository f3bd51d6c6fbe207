/**
 * The token reader on session logs in Codex's shape (test/helpers/rollouts.ts): running totals turned
 * into per-day, per-model rows in local time; other providers' sessions, old folders and broken lines
 * left out. The real Codex's own logs are read in test/e2e/usage.test.ts.
 */
import { appendFileSync, utimesSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate, readTokens } from '../../src/usage/sessions.js';
import { writeRollout } from '../helpers/rollouts.js';
import { tempDir } from '../helpers/tmp.js';

const NOW = new Date(2026, 11, 6, 12, 0); // local noon
const day = (offset: number, h: number, m = 0) => new Date(2026, 11, 6 + offset, h, m);
let codexHome: string;

beforeAll(async () => {
  codexHome = await tempDir('glm-usage-sessions-');
  // Across midnight, and a model switch mid-session.
  writeRollout(codexHome, {
    id: 'a',
    provider: 'glm-zai',
    start: day(-1, 23, 50),
    turns: [
      { at: day(-1, 23, 50), model: 'glm-5.2', input: 100, output: 10 },
      { at: day(0, 0, 10), model: 'glm-5.2', input: 200, output: 20, textBytes: 600_000 },
      { at: day(0, 0, 20), model: 'glm-5.3', input: 300, cached: 50, output: 30, reasoning: 5 },
    ],
  });
  // Another provider's session on the same day: not ours.
  writeRollout(codexHome, { id: 'b', provider: 'openai', start: day(0, 9), turns: [{ at: day(0, 9), model: 'gpt-5', input: 5000, output: 500 }] });
  // A --provider-id the user chose.
  writeRollout(codexHome, { id: 'c', provider: 'my-glm', start: day(0, 10), turns: [{ at: day(0, 10), model: 'glm-5.2', input: 1, output: 2 }] });
  // A session from 20 days ago, untouched since: its folder is not even read.
  const old = writeRollout(codexHome, { id: 'd', provider: 'glm-zai', start: day(-20, 8), turns: [{ at: day(-20, 8), model: 'glm-5.2', input: 7000, output: 700 }] });
  utimesSync(old, day(-20, 9), day(-20, 9));
  // A session from 20 days ago resumed today (Codex appended to its file): only today's turn counts.
  const resumed = writeRollout(codexHome, {
    id: 'e',
    provider: 'glm-litellm',
    start: day(-20, 8),
    turns: [
      { at: day(-20, 8), model: 'glm-5.1', input: 4000, output: 400 },
      { at: day(0, 11), model: 'glm-5.1', input: 40, output: 4 },
    ],
  });
  utimesSync(resumed, day(0, 11), day(0, 11));
  // The day just before the window (7 days: today and 6 before): a turn there is the baseline, not counted.
  const edge = writeRollout(codexHome, {
    id: 'f',
    provider: 'glm-gateway',
    start: day(-7, 22),
    turns: [
      { at: day(-7, 22), model: 'glm-5.2', input: 900, output: 90 },
      { at: day(-6, 1), model: 'glm-5.2', input: 10, output: 1 },
    ],
  });
  // A line cut short by a crash, no final newline.
  appendFileSync(edge, '{"timestamp":"2026-12-06T00:00:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_');
});
afterAll(() => undefined);

describe('readTokens', () => {
  it('books each response on its local day and its model; ignores other providers, old folders and a broken line', async () => {
    const report = await readTokens({ codexHome, providerIds: ['glm-litellm', 'glm-zai', 'glm-gateway', 'my-glm'], days: 7, now: NOW });
    expect(report.since).toBe(localDate(day(-6, 0)));
    expect(report.byDay).toEqual([
      { date: localDate(day(-6, 0)), model: 'glm-5.2', input: 10, cachedInput: 0, output: 1, reasoning: 0, total: 11, sessions: 1 },
      { date: localDate(day(-1, 0)), model: 'glm-5.2', input: 100, cachedInput: 0, output: 10, reasoning: 0, total: 110, sessions: 1 },
      { date: localDate(NOW), model: 'glm-5.1', input: 40, cachedInput: 0, output: 4, reasoning: 0, total: 44, sessions: 1 },
      { date: localDate(NOW), model: 'glm-5.2', input: 201, cachedInput: 0, output: 22, reasoning: 0, total: 223, sessions: 2 },
      { date: localDate(NOW), model: 'glm-5.3', input: 300, cachedInput: 50, output: 30, reasoning: 5, total: 330, sessions: 1 },
    ]);
    expect(report.total).toEqual({ input: 651, cachedInput: 50, output: 67, reasoning: 5, total: 718, sessions: 4 });
    // a, b, c, e (resumed) and f: the untouched old file d is never opened.
    expect(report.filesRead).toBe(5);
  });

  it('--days 1 is today only; --days 30 reaches the old sessions; no provider id of ours: nothing', async () => {
    const today = await readTokens({ codexHome, providerIds: ['glm-zai', 'glm-litellm', 'my-glm'], days: 1, now: NOW });
    expect(today.byDay.map((r) => [r.model, r.total])).toEqual([
      ['glm-5.1', 44],
      ['glm-5.2', 223],
      ['glm-5.3', 330],
    ]);
    const month = await readTokens({ codexHome, providerIds: ['glm-zai', 'glm-litellm'], days: 30, now: NOW });
    expect(month.byDay.filter((r) => r.date === localDate(day(-20, 0))).map((r) => [r.model, r.total, r.sessions])).toEqual([
      ['glm-5.1', 4400, 1],
      ['glm-5.2', 7700, 1],
    ]);
    const none = await readTokens({ codexHome, providerIds: ['nobody'], days: 30, now: NOW });
    expect(none.byDay).toEqual([]);
    expect(none.total.sessions).toBe(0);
  });

  it('no sessions folder at all: an empty report', async () => {
    const empty = await tempDir('glm-usage-empty-');
    expect(await readTokens({ codexHome: empty, providerIds: ['glm-zai'], days: 7, now: NOW })).toMatchObject({ byDay: [], total: { total: 0, sessions: 0 }, filesRead: 0 });
  });
});
