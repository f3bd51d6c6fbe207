/**
 * Values a legacy `[profiles.x]` table could hold that a newer Codex refuses in any config file, so
 * a profile moved into `x.config.toml` as it was would still not load. Measured with Codex 0.169.0
 * and 0.171.0 over every key a legacy profile took (approval_policy, sandbox_mode, reasoning, verbosity,
 * tools, features, ...): the only refusal is `approval_policy = "untrusted"` (retired in 0.149.0),
 * "approval_policy = "untrusted" is no longer supported; remove this setting".
 */
import { getIn } from './toml-data.js';
import { codexAtLeast } from './codex-release.js';
import { editToml } from './toml-edit.js';
import { parseTomlData, splitBom, type TomlData } from './toml-syntax.js';

/** Codex's own words for the refusal (stderr of any start that loads the file). */
export const UNTRUSTED_REFUSAL = 'approval_policy = "untrusted" is no longer supported; remove this setting';

/** A refused line, and what it becomes (null: no faithful replacement, the line is kept). */
export interface RetiredSetting {
  /** 1-based, in the text that was examined. */
  line: number;
  from: string;
  to: string | null;
  why: string;
}

/** Codex retired "untrusted" in 0.149.0; an unknown version is taken as the newest. */
export function refusesUntrusted(codexVersion: string | null): boolean {
  return !codexVersion || codexAtLeast(codexVersion, 149);
}

const UNTRUSTED_LINE = /^[ \t]*(?:approval_policy|"approval_policy"|'approval_policy')[ \t]*=[ \t]*(?:"untrusted"|'untrusted')/;

/** 1-based line of the top-level `approval_policy = "untrusted"` (before the first table header), or null. */
export function untrustedLine(text: string): number | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^[ \t]*\[/.test(line)) return null;
    if (UNTRUSTED_LINE.test(line)) return i + 1;
  }
  return null;
}

const firstChangedLine = (before: string, after: string): number => {
  const a = before.split('\n');
  const b = after.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1;
};

/**
 * The refused values in a profile file's text, each rewritten to the value Codex's fix leads to
 * where that keeps the profile's meaning, else kept and explained.
 * `baseSandbox`: config.toml's top-level sandbox_mode, which the profile inherits when it sets none.
 */
export function fixRetiredSettings(text: string, file: string, baseSandbox: string | null, codexVersion: string | null): { text: string; settings: RetiredSetting[] } {
  if (!refusesUntrusted(codexVersion) || !text.includes('untrusted')) return { text, settings: [] };
  let data: TomlData;
  try {
    data = parseTomlData(splitBom(text).body, file);
  } catch {
    return { text, settings: [] };
  }
  if (getIn(data, ['approval_policy']) !== 'untrusted') return { text, settings: [] };
  const own = getIn(data, ['sandbox_mode']);
  const sandbox = typeof own === 'string' ? own : baseSandbox;
  const from = 'approval_policy = "untrusted"';
  if (sandbox === 'danger-full-access') {
    // Outside any sandbox "on-request" never asks: that would drop every approval the profile asked for.
    return {
      text,
      settings: [
        {
          line: untrustedLine(text) ?? 0,
          from,
          to: null,
          why: `With sandbox_mode = "danger-full-access"${typeof own === 'string' ? '' : ' (from config.toml)'} no accepted value asks before every command as "untrusted" did ("on-request" would never ask): choose yourself: remove the line, or pair approval_policy = "on-request" with sandbox_mode = "workspace-write" or "read-only"`,
        },
      ],
    };
  }
  const after = editToml(text, [{ op: 'set', path: ['approval_policy'], value: 'on-request' }], file, { data }).text;
  return {
    text: after,
    settings: [
      {
        line: firstChangedLine(text, after),
        from,
        to: 'approval_policy = "on-request"',
        why: `Codex ${codexVersion ?? '0.149+'} refuses "untrusted" (it says: ${UNTRUSTED_REFUSAL}). Removing the line would let this profile take config.toml's approval_policy (which may be "never"), so "on-request" is written in its place. Codex now asks before a command leaves the sandbox (${sandbox === null ? "Codex's default sandbox" : `sandbox_mode = "${sandbox}"`}), no longer before every command`,
      },
    ],
  };
}
