/**
 * Reading generated service files the way their service managers do, so tests can run what they say:
 * systemd's command-line splitting and EnvironmentFile= format, and Python's plistlib for launchd.
 */
import { execa } from 'execa';

/** The value of each `Key=` line in a unit (last one wins, as systemd does for these keys). */
export function unitSettings(unit: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of unit.split('\n')) {
    if (/^\s*[#;[]/.test(line) || !line.includes('=')) continue;
    const index = line.indexOf('=');
    settings.set(line.slice(0, index).trim(), line.slice(index + 1).trim());
  }
  return settings;
}

/** systemd's `%` specifiers: only `%%` may appear in our files (anything else would be expanded). */
function resolveSpecifiers(value: string): string {
  return value.replace(/%(.)/g, (_, char: string) => {
    if (char !== '%') throw new Error(`unexpected systemd specifier %${char} in ${value}`);
    return '%';
  });
}

/** ExecStart= split as systemd does: whitespace, double quotes with C escapes, then `$$` -> `$`. */
export function splitExecStart(value: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  const escapes: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'", ' ': ' ' };
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\') {
      const next = value[++i] ?? '';
      if (!(next in escapes)) throw new Error(`unsupported escape \\${next}`);
      current += escapes[next];
      inWord = true;
    } else if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (/\s/.test(char) && !quoted) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quoted) throw new Error('unterminated quote in ExecStart');
  if (inWord) words.push(current);
  return words.map((word) => {
    if (/\$(?!\$)/.test(word.replace(/\$\$/g, ''))) throw new Error(`variable expansion in ${word}`);
    return resolveSpecifiers(word).replace(/\$\$/g, '$');
  });
}

/** `NAME=value` lines as systemd's EnvironmentFile= reads them (comments, blank lines, quotes). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(line)) continue;
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`not an assignment: ${line}`);
    env[match[1]!] = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** Environment= assignments (space separated, each may be quoted). */
export function parseEnvironmentSetting(value: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of splitExecStart(value)) {
    const index = word.indexOf('=');
    env[word.slice(0, index)] = word.slice(index + 1);
  }
  return env;
}

/** A plist as Python's plistlib reads it, returned as JSON (booleans stay booleans). */
export async function readPlist(path: string): Promise<Record<string, unknown>> {
  const script = 'import json, plistlib, sys\nwith open(sys.argv[1], "rb") as f:\n    print(json.dumps(plistlib.load(f)))';
  const result = await execa('python3', ['-c', script, path], { reject: false });
  if (result.exitCode !== 0) throw new Error(`plistlib could not read ${path}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Parses an XML file with Python's ElementTree (from bytes, so the UTF-16 declaration is honoured). */
export async function xmlSummary(path: string, script: string): Promise<unknown> {
  const program = `import json, sys, xml.etree.ElementTree as ET\nroot = ET.parse(sys.argv[1]).getroot()\n${script}`;
  const result = await execa('python3', ['-c', program, path], { reject: false });
  if (result.exitCode !== 0) throw new Error(`ElementTree could not parse ${path}: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}
