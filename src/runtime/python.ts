/** Finding a usable Python (>= 3.9) without guessing: each candidate is asked for its own version. */
import { runner } from '../process/run.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export const MIN_PYTHON: [number, number] = [3, 9];

export interface PythonInstall {
  /** argv prefix that runs it, e.g. ["python3"] or ["py", "-3"]. */
  command: string[];
  executable: string;
  version: string;
}

const PROBE = 'import sys, json; print(json.dumps({"v": list(sys.version_info[:3]), "exe": sys.executable}))';

export async function probePython(command: string[]): Promise<PythonInstall | null> {
  try {
    const result = await runner.run(command[0]!, [...command.slice(1), '-c', PROBE], { timeoutMs: 20_000 });
    if (result.exitCode !== 0) return null;
    const data = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { v?: number[]; exe?: string };
    if (!Array.isArray(data.v) || !data.exe) return null;
    return { command, executable: data.exe, version: data.v.join('.') };
  } catch {
    return null;
  }
}

export function isSupportedPython(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

export function pythonCandidates(explicit: string | undefined, platform = process.platform): string[][] {
  if (explicit) return [[explicit]];
  const candidates = [['python3'], ['python']];
  if (platform === 'win32') candidates.push(['py', '-3']);
  return candidates;
}

export function installHint(platform = process.platform): string {
  if (platform === 'darwin') return 'brew install python@3.12   (or download it from https://www.python.org/downloads/)';
  if (platform === 'win32') return 'winget install Python.Python.3.12   (or download it from https://www.python.org/downloads/)';
  return 'sudo apt install python3 python3-venv   (Debian/Ubuntu; Fedora: sudo dnf install python3)';
}

/** The first candidate that runs and is new enough; a clear error otherwise. */
export async function findPython(explicit: string | undefined): Promise<PythonInstall> {
  const found: PythonInstall[] = [];
  for (const command of pythonCandidates(explicit)) {
    const python = await probePython(command);
    if (python && isSupportedPython(python.version)) return python;
    if (python) found.push(python);
  }
  const fix = `Install Python ${MIN_PYTHON.join('.')} or newer: ${installHint()}; or point --python at one.`;
  if (found.length > 0) {
    const list = found.map((p) => `${p.command.join(' ')} is ${p.version}`).join(', ');
    throw new UserError('python-too-old', `Python is too old (${list}); LiteLLM needs ${MIN_PYTHON.join('.')} or newer.`, { exitCode: ExitCode.prerequisite, fix });
  }
  const what = explicit ? `--python ${explicit} does not run` : 'No Python found (tried python3, python)';
  throw new UserError('python-missing', `${what}.`, { exitCode: ExitCode.prerequisite, fix });
}
