import { afterAll } from 'vitest';
import { runCli, sandbox, type Sandbox } from './cli.js';
import { venvBin } from './litellm.js';

const started: Sandbox[] = [];

/** A sandbox whose PATH has the given LiteLLM venv; its proxy is stopped after the file's tests. */
export async function proxySandbox(venv: string, options: { codexOnPath?: boolean } = {}): Promise<Sandbox> {
  const box = await sandbox({ extraPath: [venvBin(venv)], ...options });
  started.push(box);
  return box;
}

afterAll(async () => {
  await Promise.all(started.splice(0).map((box) => runCli(box, ['stop'])));
});
