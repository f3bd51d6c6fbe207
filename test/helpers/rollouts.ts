/**
 * Codex session logs (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local time>-<id>.jsonl`) in the shape
 * Codex 0.169 writes them (seen in a real `codex exec` run against the stand-in): a `session_meta` first
 * line with `model_provider` and the long base instructions, then per turn a `turn_context` (the model),
 * the messages as `response_item`s, and an `event_msg` `token_count` whose `info.total_token_usage` holds
 * the session's running totals. For the `usage` tests and the benchmark's year of logs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TurnSpec {
  at: Date;
  /** Writes a turn_context naming this model (Codex writes one every turn). */
  model: string;
  input: number;
  cached?: number;
  output: number;
  reasoning?: number;
  /** Bytes of assistant text (a long answer, a tool output). */
  textBytes?: number;
}

export interface RolloutSpec {
  id: string;
  provider: string;
  start: Date;
  turns: TurnSpec[];
  /** Bytes of base instructions in session_meta (Codex's prompt is about 20 KB). */
  instructionsBytes?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const localParts = (d: Date) => ({ y: String(d.getFullYear()), m: pad(d.getMonth() + 1), d: pad(d.getDate()), time: `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}` });
const filler = (bytes: number) => 'lorem ipsum "quoted" \\ dolor '.repeat(Math.ceil(bytes / 30)).slice(0, bytes);

export function rolloutText(spec: RolloutSpec): string {
  let ordinal = 0;
  const lines: string[] = [];
  const line = (at: Date, type: string, payload: Record<string, unknown>) => lines.push(JSON.stringify({ timestamp: at.toISOString(), ordinal: ordinal++, type, payload }));
  line(spec.start, 'session_meta', {
    session_id: spec.id,
    id: spec.id,
    timestamp: spec.start.toISOString(),
    cwd: '/home/dev/project',
    originator: 'codex_exec',
    cli_version: '0.169.0',
    source: 'exec',
    model_provider: spec.provider,
    base_instructions: { text: filler(spec.instructionsBytes ?? 20_000) },
  });
  const totals = { input_tokens: 0, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
  spec.turns.forEach((turn, index) => {
    const turnId = `${spec.id}-t${index}`;
    line(turn.at, 'event_msg', { type: 'task_started', turn_id: turnId });
    line(turn.at, 'turn_context', { turn_id: turnId, cwd: '/home/dev/project', approval_policy: 'never', model: turn.model, collaboration_mode: { mode: 'default', settings: { model: turn.model } }, summary: 'none' });
    // A user message that mentions the event names must not confuse the reader.
    line(turn.at, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: `turn ${index}: {"type":"token_count","info":{"total_token_usage":{"input_tokens":999999}}}` }] });
    line(turn.at, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: filler(turn.textBytes ?? 200) }] });
    const last = { input_tokens: turn.input, cached_input_tokens: turn.cached ?? 0, cache_write_input_tokens: 0, output_tokens: turn.output, reasoning_output_tokens: turn.reasoning ?? 0, total_tokens: turn.input + turn.output };
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += last[key];
    line(turn.at, 'event_msg', { type: 'token_count', info: { total_token_usage: { ...totals }, last_token_usage: last, model_context_window: 950_000 }, rate_limits: { limit_id: 'codex', primary: null, secondary: null } });
    line(turn.at, 'event_msg', { type: 'task_complete', turn_id: turnId, last_agent_message: 'done' });
  });
  return `${lines.join('\n')}\n`;
}

/** Writes the rollout where Codex would (the folder of the session's local start day); returns its path. */
export function writeRollout(codexHome: string, spec: RolloutSpec): string {
  const p = localParts(spec.start);
  const dir = join(codexHome, 'sessions', p.y, p.m, p.d);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `rollout-${p.y}-${p.m}-${p.d}T${p.time}-${spec.id}.jsonl`);
  writeFileSync(path, rolloutText(spec));
  return path;
}
