import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isProcessAlive } from '../system.js';

/** An exclusive lock file holding our pid; a lock left by a dead process is taken over. */
export async function acquireLock(path: string): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new UserError('locked', `Another glm-codex-setup (pid ${holder}) is changing this setup right now.`, {
          exitCode: ExitCode.config,
          fix: `Wait for it to finish. If no such run exists, delete ${path}.`,
        });
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new UserError('locked', `Could not take the lock ${path}.`, { exitCode: ExitCode.config, fix: `Delete ${path} and run again.` });
}
