import v8 from 'node:v8';
import { cli } from '../invocation.js';
import vm from 'node:vm';
import { parse as parseData, TomlError } from 'smol-toml';
import { parseTOML, type AST } from 'toml-eslint-parser';
import { ExitCode } from '../exit-codes.js';
import { UserError } from '../errors.js';

export type TomlData = Record<string, unknown>;

/** Where a TOML document failed to parse, 1-based, as editors and Codex report it. */
export interface TomlSyntaxProblem {
  file: string;
  line: number;
  column: number;
  reason: string;
}

export class TomlSyntaxError extends UserError {
  readonly problem: TomlSyntaxProblem;

  constructor(problem: TomlSyntaxProblem) {
    super(
      'toml-invalid',
      `${problem.file}:${problem.line}:${problem.column}: ${problem.reason}. The file was not changed.`,
      {
        exitCode: ExitCode.config,
        fix: `Fix the TOML at line ${problem.line} of ${problem.file} (or run \`${cli('doctor')}\` for help), then run ${cli()} again.`,
      },
    );
    this.problem = problem;
  }
}

const BOM = '\uFEFF';
/** Above this many characters, a data parse is followed by a collection (reclaimParserMemory). */
const LARGE_PARSE = 1_000_000;

/**
 * How much TOML each parser was given in this process (characters and calls). The cost of a command
 * on a large config.toml is these figures; `GLM_CODEX_TRACE=1` prints them at exit, and a test holds
 * them to one data parse per read and no syntax tree of the whole file.
 */
export const tomlParseStats = { treeCalls: 0, treeChars: 0, dataCalls: 0, dataChars: 0 };
let traceHooked = false;
function count(kind: 'tree' | 'data', chars: number): void {
  tomlParseStats[`${kind}Calls`] += 1;
  tomlParseStats[`${kind}Chars`] += chars;
  if (!traceHooked && process.env.GLM_CODEX_TRACE) {
    traceHooked = true;
    process.on('exit', () => process.stderr.write(`toml-parses ${JSON.stringify(tomlParseStats)}\n`));
  }
}

export function splitBom(text: string): { bom: string; body: string } {
  return text.startsWith(BOM) ? { bom: BOM, body: text.slice(1) } : { bom: '', body: text };
}

/** Parses with the CST parser (source ranges for lossless edits). `body` must have no BOM. */
export function parseTree(body: string, file: string): AST.TOMLProgram {
  count('tree', body.length);
  try {
    const program = parseTOML(body, { tomlVersion: '1.0' });
    // The edits use node ranges only; the token list is half the tree's memory (about 55 bytes per byte of TOML).
    program.tokens = [];
    return program;
  } catch (error) {
    const e = error as { message?: string; lineNumber?: number; column?: number };
    throw new TomlSyntaxError({
      file,
      line: e.lineNumber ?? 1,
      column: (e.column ?? 0) + 1,
      reason: cleanReason(e.message ?? 'invalid TOML'),
    });
  }
}

/**
 * Parses to plain data with a second, independent parser. Using both means an edit is only
 * written when two TOML 1.0 implementations agree on what the file says.
 */
export function parseTomlData(body: string, file: string): TomlData {
  count('data', body.length);
  try {
    const data = parseData(body, { integersAsBigInt: 'asNeeded' }) as TomlData;
    // The parser leaves about twice the data's size as garbage, which V8 keeps until the heap has grown:
    // collected now, the next parse (the edit's check) or write starts from the data alone.
    if (body.length > LARGE_PARSE) reclaimParserMemory();
    return data;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new TomlSyntaxError({ file, line: error.line, column: error.column, reason: cleanReason(error.message) });
    }
    throw error;
  }
}

/** Both parsers must accept the text; returns the data. */
export function validateToml(text: string, file: string): TomlData {
  const { body } = splitBom(text);
  parseTree(body, file);
  return parseTomlData(body, file);
}

function cleanReason(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/^Invalid TOML document:\s*/i, '').replace(/\.$/, '');
}

let collect: (() => void) | null | undefined;

/**
 * Frees a dropped syntax tree before the next one is built. V8 grows the heap rather than collect
 * garbage this young, so two parses in a row of a 10 MB file would peak at two trees (2.2 GB instead
 * of 1.1 GB). Used only for large documents; a no-op where the flag cannot be set.
 */
export function reclaimParserMemory(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
