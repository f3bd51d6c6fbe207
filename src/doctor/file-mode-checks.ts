/**
 * doctor: modes of the tool's files and folders. Key files must be 0600, the state and backups
 * folders not open to other users, and no file Codex or LiteLLM reads writable by everyone
 * (anyone could point Codex at another server or LiteLLM at another upstream). Reads only.
 */
import { stat } from 'node:fs/promises';
import { cli } from '../invocation.js';
import { keyEnvFiles } from '../config/shell-env.js';
import { tildify, type Paths } from '../paths.js';
import type { Check } from '../verify/check.js';
import { stateDirProblems } from '../fs/state-dir-trust.js';

async function modeOf(path: string): Promise<number | null> {
  return stat(path).then(
    (info) => info.mode & 0o777,
    () => null,
  );
}

const octal = (mode: number) => mode.toString(8).padStart(3, '0');

export async function fileModeChecks(paths: Paths): Promise<Check[]> {
  const checks: Check[] = [];
  const envFiles = keyEnvFiles(paths.stateDir);
  for (const file of [envFiles.sh, envFiles.fish]) {
    const mode = await modeOf(file);
    if (mode !== null && mode !== 0o600) {
      checks.push({ id: 'file-modes', status: 'FAIL', message: `${tildify(file)} (the proxy key) has mode ${octal(mode)}, expected 600.`, fix: `Run \`${cli()}\` to repair it.` });
    }
  }
  for (const dir of [paths.stateDir, paths.backups]) {
    const mode = await modeOf(dir);
    if (mode !== null && (mode & 0o077) !== 0) {
      checks.push({ id: 'file-modes', status: 'FAIL', message: `${tildify(dir)} has mode ${octal(mode)}: other users can ${mode & 0o022 ? 'change' : 'list'} what is in it (keys, backups).`, fix: `chmod 700 ${dir}` });
    }
  }
  // Owners too (a mode alone says nothing about a folder another user owns), the app copy and the venv launcher.
  for (const problem of await stateDirProblems(paths.stateDir, { app: true, venv: true }).catch(() => [])) {
    if (problem.path === paths.stateDir && problem.why.startsWith('is writable')) continue; // reported above
    checks.push({ id: 'file-modes', status: 'FAIL', message: `${tildify(problem.path)} ${problem.why}: another user could change what runs as you.`, fix: problem.fix });
  }
  for (const path of [paths.codexHome, paths.codexConfig, paths.codexProfile, paths.bridgeConfig]) {
    const mode = await modeOf(path);
    if (mode !== null && (mode & 0o002) !== 0) {
      checks.push({ id: 'file-modes', status: 'FAIL', message: `${tildify(path)} is writable by every user (mode ${octal(mode)}).`, fix: `chmod o-w ${path}` });
    }
  }
  if (checks.length === 0) checks.push({ id: 'file-modes', status: 'PASS', message: 'File modes: key files 600, state and backups folders private, configs not world-writable' });
  return checks;
}
