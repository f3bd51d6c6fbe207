/**
 * The tokens Codex spent on GLM, from Codex's own session logs: `$CODEX_HOME/sessions/YYYY/MM/DD/
 * rollout-*.jsonl`. A file counts when its `session_meta` names one of this tool's provider ids. Each
 * `token_count` event carries the session's running totals; the difference to the previous one is what
 * that response spent, booked on the local day of the event and the model of the last `turn_context`
 * (so a session across midnight, or one that switched models, lands in the right rows).
 *
 * Files are streamed and most lines are never decoded: only a line whose first bytes say `turn_context`
 * or `token_count` is parsed. Day folders before the window are not read unless a file in them was
 * written to inside the window (`codex resume` appends to the session's first file).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TokenCounts {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  total: number;
  sessions: number;
}

export interface DayModelTokens extends TokenCounts {
  /** Local date, YYYY-MM-DD. */
  date: string;
  model: string;
}

export interface TokenReport {
  days: number;
  /** First day of the window (local), YYYY-MM-DD. */
  since: string;
  total: TokenCounts;
  byDay: DayModelTokens[];
  /** Rollout files opened (for the benchmark and --json readers who wonder). */
  filesRead: number;
}

type Usage = [input: number, cachedInput: number, output: number, reasoning: number, total: number];
const USAGE_FIELDS = ['input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'] as const;
const ZERO: Usage = [0, 0, 0, 0, 0];
/** How far into a line its kind is named: `{"timestamp":"…","ordinal":N,"type":"event_msg","payload":{"type":"token_count"`. */
const HEAD_BYTES = 256;
const READERS = 8;

export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight `days - 1` days before `now`'s day. */
export function windowStart(now: Date, days: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
}

interface Bucket {
  date: string;
  model: string;
  usage: Usage;
  sessions: Set<number>;
}

export interface ReadTokensInput {
  codexHome: string;
  providerIds: readonly string[];
  days: number;
  now?: Date;
}

export async function readTokens(input: ReadTokensInput): Promise<TokenReport> {
  const now = input.now ?? new Date();
  const start = windowStart(now, input.days);
  const providers = new Set(input.providerIds);
  const buckets = new Map<string, Bucket>();
  const files = rolloutFiles(join(input.codexHome, 'sessions'), start);
  // A few files at a time: the reads wait on the disk far more than on this process.
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const session = next++;
      await readRollout(files[session]!, { providers, start, end: now, session, buckets });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READERS, files.length) }, worker));
  const byDay = [...buckets.values()]
    .sort((a, b) => (a.date === b.date ? a.model.localeCompare(b.model) : a.date.localeCompare(b.date)))
    .map((b) => ({ date: b.date, model: b.model, ...counts(b.usage, b.sessions.size) }));
  const all = new Set<number>();
  const sum: Usage = [...ZERO];
  for (const b of buckets.values()) {
    b.sessions.forEach((s) => all.add(s));
    b.usage.forEach((n, i) => (sum[i] = sum[i]! + n));
  }
  return { days: input.days, since: localDate(start), total: counts(sum, all.size), byDay, filesRead: files.length };
}

function counts(u: Usage, sessions: number): TokenCounts {
  return { input: u[0], cachedInput: u[1], output: u[2], reasoning: u[3], total: u[4], sessions };
}

// The walk is synchronous on purpose: a year holds a few thousand files, and one stat each through the
// thread pool costs more in round trips (measured: 0.7 s on a loaded machine) than the calls themselves.
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const number = (name: string, digits: number) => (new RegExp(`^\\d{${digits}}$`).test(name) ? Number(name) : null);

/** The rollout files that may hold events inside the window, oldest first. */
function rolloutFiles(root: string, start: Date): string[] {
  // A folder is named by the session's start in local time; a day's margin covers a clock or zone change.
  const margin = new Date(start.getFullYear(), start.getMonth(), start.getDate() - 1);
  const firstDay = margin.getFullYear() * 10_000 + (margin.getMonth() + 1) * 100 + margin.getDate();
  const found: string[] = [];
  for (const year of listDir(root).sort()) {
    const y = number(year, 4);
    if (y === null) continue;
    for (const month of listDir(join(root, year)).sort()) {
      const m = number(month, 2);
      if (m === null) continue;
      for (const day of listDir(join(root, year, month)).sort()) {
        const d = number(day, 2);
        if (d === null) continue;
        const dir = join(root, year, month, day);
        const recent = y * 10_000 + m * 100 + d >= firstDay;
        for (const name of listDir(dir).sort()) {
          if (!name.startsWith('rollout-') || !name.endsWith('.jsonl')) continue;
          const path = join(dir, name);
          if (recent) found.push(path);
          else {
            // An older session resumed inside the window: Codex appended to its file.
            const info = statSync(path, { throwIfNoEntry: false });
            if (info && info.mtimeMs >= start.getTime()) found.push(path);
          }
        }
      }
    }
  }
  return found;
}

interface RolloutContext {
  providers: Set<string>;
  start: Date;
  end: Date;
  session: number;
  buckets: Map<string, Bucket>;
}

/** Streams one rollout file; stops at the first line when it is another provider's session. */
async function readRollout(path: string, ctx: RolloutContext): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let first = true;
  let ours = false;
  let model = 'unknown';
  let previous: Usage = [...ZERO];
  // A line is gathered only while it may be one we parse; a long line of another kind is skipped to its end.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let done = false;

  const handleLine = (line: string): void => {
    if (first) {
      first = false;
      const meta = parse(line);
      const payload = meta?.type === 'session_meta' ? (meta.payload as Record<string, unknown> | undefined) : undefined;
      ours = typeof payload?.model_provider === 'string' && ctx.providers.has(payload.model_provider);
      if (!ours) done = true;
      return;
    }
    const event = parse(line);
    if (!event) return;
    const payload = event.payload as Record<string, unknown> | undefined;
    if (!payload) return;
    if (event.type === 'turn_context') {
      if (typeof payload.model === 'string' && payload.model) model = payload.model;
      return;
    }
    if (event.type !== 'event_msg' || payload.type !== 'token_count') return;
    const totals = usageOf((payload.info as Record<string, unknown> | null | undefined)?.total_token_usage);
    if (!totals) return;
    // Running totals only grow; a smaller one starts a new count (a session rebuilt from history).
    const restarted = totals.some((n, i) => n < previous[i]!);
    const delta = totals.map((n, i) => (restarted ? n : n - previous[i]!)) as Usage;
    previous = totals;
    const when = typeof event.timestamp === 'string' ? new Date(event.timestamp) : null;
    if (!when || Number.isNaN(when.getTime()) || when < ctx.start || when > ctx.end) return;
    if (delta.every((n) => n === 0)) return;
    const date = localDate(when);
    const key = `${date}\u0000${model}`;
    let bucket = ctx.buckets.get(key);
    if (!bucket) ctx.buckets.set(key, (bucket = { date, model, usage: [...ZERO], sessions: new Set() }));
    delta.forEach((n, i) => (bucket.usage[i] = bucket.usage[i]! + n));
    bucket.sessions.add(ctx.session);
  };

  const wanted = (head: string): boolean => first || head.includes('"type":"turn_context"') || (head.includes('"type":"event_msg"') && head.includes('"type":"token_count"'));

  const take = (piece: Buffer, ended: boolean): void => {
    if (skipping) {
      if (ended) skipping = false;
      return;
    }
    pending.push(piece);
    pendingBytes += piece.length;
    if (!ended && pendingBytes < HEAD_BYTES) return;
    const whole = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    if (!ended) {
      if (!wanted(whole.subarray(0, HEAD_BYTES).toString('utf8'))) {
        skipping = true;
        pending = [];
        pendingBytes = 0;
        return;
      }
      pending = [whole];
      return;
    }
    pending = [];
    pendingBytes = 0;
    const head = whole.subarray(0, HEAD_BYTES).toString('utf8');
    if (wanted(head)) handleLine(whole.toString('utf8'));
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const newline = chunk.indexOf(10, from);
        if (newline === -1) {
          if (from < chunk.length) take(chunk.subarray(from), false);
          break;
        }
        take(chunk.subarray(from, newline), true);
        from = newline + 1;
        if (done) break;
      }
      if (done) break;
    }
    if (!done && (pendingBytes > 0 || pending.length > 0)) take(Buffer.alloc(0), true);
  } catch {
    // A file that vanished or cannot be read mid-way: what was read counts.
  } finally {
    stream.destroy();
  }
}

function parse(line: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // A line cut short by a crash, or a partial last line still being written.
  }
}

function usageOf(value: unknown): Usage | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const out = USAGE_FIELDS.map((field) => {
    const n = record[field];
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
  }) as Usage;
  return out;
}
