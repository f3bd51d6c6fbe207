/**
 * The user's own legacy profiles in config.toml (`[profiles.x]` tables, a top-level `profile = "x"`),
 * which Codex 0.134+ refuses: `codex --profile x` fails while `[profiles.x]` exists, and the selector
 * stops every start. Migrated on request: each table into `$CODEX_HOME/x.config.toml`, byte for
 * byte, and the selector removed (`codex --profile x` gives the same default).
 */
import { join } from 'node:path';
import { getIn } from './toml-data.js';
import { editToml, moveTableOut } from './toml-edit.js';
import { parseTomlData, splitBom, type TomlData } from './toml-syntax.js';
import { splitTopLevel } from './toml-segments.js';
import { fixRetiredSettings, type RetiredSetting } from './retired-settings.js';

export interface LegacyProfiles {
  /** `[profiles.<name>]` tables other than the tool's own profile. */
  names: string[];
  /** A top-level `profile = "<name>"` naming another profile than the tool's own. */
  selector: string | null;
}

/** The profile every mode writes (modes/local.ts PROFILE); never a legacy profile of the user's. */
export const OWN_PROFILE = 'glm';

/** A profile name that is safe as a file name in CODEX_HOME. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function legacyProfilesIn(data: TomlData, ownProfile: string): LegacyProfiles {
  const tables = getIn(data, ['profiles']);
  const names = tables && typeof tables === 'object' && !Array.isArray(tables) ? Object.keys(tables).filter((name) => name !== ownProfile) : [];
  const selector = getIn(data, ['profile']);
  return { names, selector: typeof selector === 'string' && selector !== ownProfile ? selector : null };
}

/** The same, from config.toml's text (none when it does not parse: that is reported elsewhere). */
export function legacyProfilesInText(text: string | null, file: string, ownProfile: string): LegacyProfiles {
  // Without the word, no [profiles.*] table and no `profile` key (a large file is then not parsed here a second time).
  if (text === null || !text.includes('profile')) return { names: [], selector: null };
  try {
    return legacyProfilesIn(parseTomlData(profilesExcerpt(splitBom(text).body), file), ownProfile);
  } catch {
    return { names: [], selector: null };
  }
}

/**
 * The only parts of a document that can hold `profiles` or the top-level `profile`: the root keys and
 * the `[profiles...]` tables, in their order (a large config.toml is then not parsed whole a second
 * time; the plan parses it once). The whole body when the segment scan is unsure.
 */
function profilesExcerpt(body: string): string {
  const segments = splitTopLevel(body);
  if (!segments) return body;
  return segments
    .filter((segment) => segment.path === null || segment.path[0] === 'profiles')
    .map((segment) => body.slice(segment.start, segment.end))
    .join('');
}

export const hasLegacyProfiles = (legacy: LegacyProfiles): boolean => legacy.names.length > 0 || legacy.selector !== null;

export function profileFilePath(codexHome: string, name: string): string {
  return join(codexHome, `${name}.config.toml`);
}

export interface ProfileMigration {
  /** config.toml after the move. */
  text: string;
  /** The files to create: one per moved table, with the values a newer Codex refuses (rewritten or kept). */
  files: { name: string; path: string; text: string; retired: RetiredSetting[] }[];
  /** What was not moved, and why (for people). */
  kept: { name: string; why: string }[];
  /** The selector that was removed. */
  selectorRemoved: string | null;
}

/** What the move needs to know of Codex: its version, and config.toml's sandbox_mode the profiles inherit. */
export interface MigrationContext {
  codexVersion: string | null;
  baseSandbox: string | null;
}

/**
 * Moves each legacy table out of `text` into its own file, unless that file exists (it is never
 * overwritten) or the table cannot be moved losslessly; removes the selector. A value this Codex
 * refuses in any config file is rewritten where that keeps its meaning (retired-settings.ts).
 */
export function migrateLegacyProfiles(
  text: string,
  file: string,
  codexHome: string,
  legacy: LegacyProfiles,
  existing: Record<string, string | null>,
  tildify: (path: string) => string,
  context: MigrationContext = { codexVersion: null, baseSandbox: null },
): ProfileMigration {
  const result: ProfileMigration = { text, files: [], kept: [], selectorRemoved: null };
  for (const name of legacy.names) {
    const path = profileFilePath(codexHome, name);
    if (!SAFE_NAME.test(name)) {
      result.kept.push({ name, why: `"${name}" cannot be a file name in ${tildify(codexHome)}; rename the profile` });
      continue;
    }
    if (existing[name] !== null && existing[name] !== undefined) {
      result.kept.push({ name, why: `${tildify(path)} already exists and is never overwritten; merge [profiles.${name}] into it by hand, then delete the table` });
      continue;
    }
    const move = moveTableOut(result.text, ['profiles', name], file);
    if (!move) {
      result.kept.push({ name, why: 'it is written with dotted keys or an inline table, which cannot be moved without changing its text; move it by hand' });
      continue;
    }
    const eol = move.moved.includes('\r\n') ? '\r\n' : '\n';
    const fixed = fixRetiredSettings(move.moved, path, context.baseSandbox, context.codexVersion);
    const rewritten = fixed.settings.filter((s) => s.to !== null);
    const offset = 1 + rewritten.length;
    const notes = rewritten.map((s) => `# ${s.from} became ${s.to} (line ${s.line + offset}): Codex ${context.codexVersion ?? '0.149+'} refuses "untrusted".${eol}`);
    const header = `# Moved here from [profiles.${name}] in ${tildify(file)} by glm-codex-setup: \`codex --profile ${name}\` reads it.${eol}${notes.join('')}`;
    result.files.push({ name, path, text: header + fixed.text, retired: fixed.settings.map((s) => ({ ...s, line: s.line === 0 ? 0 : s.line + offset })) });
    result.text = move.rest;
  }
  if (legacy.selector !== null) {
    result.text = editToml(result.text, [{ op: 'delete-key', path: ['profile'] }], file).text;
    result.selectorRemoved = legacy.selector;
  }
  return result;
}
