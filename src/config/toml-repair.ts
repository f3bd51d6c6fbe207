/**
 * Repairing a config.toml that does not parse. Only two ways, both after a backup:
 * - the error lies inside the tool's own section: drop that section (the merge writes it anew);
 * - --force-rebuild: keep every section that still parses, drop the others, and say which.
 */
import type { ProviderSpec } from './provider.js';
import { validateToml, type TomlSyntaxProblem } from './toml-syntax.js';

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;

interface Section {
  header: string | null;
  startLine: number;
  lines: string[];
}

function splitSections(text: string): Section[] {
  const lines = text.split('\n');
  const sections: Section[] = [{ header: null, startLine: 1, lines: [] }];
  lines.forEach((line, index) => {
    const match = HEADER.exec(line.replace(/\r$/, ''));
    if (match) sections.push({ header: match[1]!, startLine: index + 1, lines: [line] });
    else sections[sections.length - 1]!.lines.push(line);
  });
  return sections;
}

function headerPath(header: string): string {
  return header.replace(/\s*\.\s*/g, '.').replace(/"([^"]*)"|'([^']*)'/g, (_, a: string | undefined, b: string | undefined) => a ?? b ?? '');
}

export function isOwnSection(header: string | null, own: Pick<ProviderSpec, 'id' | 'profile'>): boolean {
  if (header === null) return false;
  const path = headerPath(header);
  return [`model_providers.${own.id}`, `profiles.${own.profile}`].some((section) => path === section || path.startsWith(`${section}.`));
}

function parses(text: string, file: string): boolean {
  try {
    validateToml(text, file);
    return true;
  } catch {
    return false;
  }
}

/** The text without the tool's own section that holds the error, when that alone makes it parse. */
export function dropBrokenOwnSection(
  text: string,
  file: string,
  problem: TomlSyntaxProblem,
  own: Pick<ProviderSpec, 'id' | 'profile'>,
): { text: string; section: string } | null {
  const sections = splitSections(text);
  const holder = [...sections].reverse().find((s) => s.startLine <= problem.line);
  if (!holder || !isOwnSection(holder.header, own)) return null;
  const kept = sections.filter((s) => s !== holder && !isOwnSection(s.header, own));
  const candidate = kept.flatMap((s) => s.lines).join('\n');
  return parses(candidate, file) ? { text: candidate, section: `[${holder.header}] (line ${holder.startLine})` } : null;
}

/** Keeps, in order, every section that still parses with the ones kept before it. */
export function rebuildParsable(text: string, file: string): { text: string; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const section of splitSections(text)) {
    const candidate = [...kept, ...section.lines].join('\n');
    if (parses(candidate, file)) kept.push(...section.lines);
    else dropped.push(section.header === null ? `the top-level keys (lines ${section.startLine}-${section.startLine + section.lines.length - 1})` : `[${section.header}] (line ${section.startLine})`);
  }
  return { text: kept.join('\n'), dropped };
}
