/**
 * The argv that starts LiteLLM. Its start is mostly the import of about 3,800 modules, and meanwhile
 * CPython's cyclic garbage collector runs a pass every 700 new objects. With a first-generation
 * threshold of 50,000 the import takes about 15% less time at the same peak memory (LiteLLM 1.108.7,
 * Python 3.11, four alternated runs on a quiet host: 5.24-5.28 s against 6.06-6.37 s; 323 MB either
 * way; 200,000 or no collection at all gained nothing more measurable). Python reads no setting
 * for it from the environment, so the launcher runs under its own interpreter with `-c`: the code
 * sets the threshold, then runs the launcher's console script (or module) as `__main__`, unchanged,
 * with its usual sys.argv and sys.path[0].
 * Only where the interpreter is certain: a console script whose first line is `#!` and an absolute
 * Python (what pip and uv write), or `python -m module`. Anything else (pip's shell trampoline for
 * long paths, a wrapper, a .exe) starts as it is.
 */
import { basename, isAbsolute } from 'node:path';
import { readShebangLine } from '../process/info.js';

export const PROXY_GC_THRESHOLD = 50_000;

const SET_THRESHOLD = ['import gc, os, runpy, sys', `gc.set_threshold(${PROXY_GC_THRESHOLD}, 10, 10)`, 'del sys.argv[0]'];
/** `python -c RUN_SCRIPT <script> args...`: as `python <script> args...` (sys.path[0] is the script's real folder). */
const RUN_SCRIPT = [
  ...SET_THRESHOLD,
  "if sys.path[:1] == ['']: sys.path[0] = os.path.dirname(os.path.realpath(sys.argv[0]))",
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join('\n');
/** `python -c RUN_MODULE <module> args...`: as `python -m <module> args...`. */
const RUN_MODULE = [...SET_THRESHOLD, "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"].join('\n');

/** The absolute Python a console script's first line names (and nothing after it), else null. */
export async function scriptInterpreter(script: string): Promise<string | null> {
  const python = /^(\S+)[ \t\r]*$/.exec((await readShebangLine(script)) ?? '')?.[1];
  return python && isAbsolute(python) && /^python(\d+(\.\d+)*)?$/.test(basename(python)) ? python : null;
}

/** What to spawn for `launcher` followed by `args`. */
export async function proxyLaunch(launcher: readonly string[], args: readonly string[]): Promise<{ file: string; args: string[] }> {
  const [first, ...rest] = launcher;
  if (process.platform !== 'win32' && first) {
    if (rest.length === 2 && rest[0] === '-m') return { file: first, args: ['-c', RUN_MODULE, rest[1]!, ...args] };
    if (rest.length === 0) {
      const python = await scriptInterpreter(first);
      if (python) return { file: python, args: ['-c', RUN_SCRIPT, first, ...args] };
    }
  }
  return { file: first!, args: [...rest, ...args] };
}
