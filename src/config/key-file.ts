/**
 * --zai-key-file: a file holding the Z.ai key, either the key alone or an env-file line
 * `ZAI_API_KEY=…` (with `export` and quotes as people write them). Capped in size: a key is a
 * short word, and a wrong path (a log, an image) must not be read into memory and stored.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export const KEY_FILE_LIMIT_BYTES = 4096;

function keyFileError(message: string, fix: string): UserError {
  return new UserError('key-file', message, { exitCode: ExitCode.usage, fix });
}

export interface KeyFileSource {
  fileFlag: string;
  /** The variable a `NAME=…` line may name. */
  env: string;
  label: string;
}

const ZAI: KeyFileSource = { fileFlag: '--zai-key-file', env: 'ZAI_API_KEY', label: 'Z.ai key' };

/** The key text from the file (not yet checked as a key: normalizeSecret does that). */
export async function readZaiKeyFile(path: string): Promise<string> {
  return readKeyFile(path, ZAI);
}

export async function readKeyFile(path: string, source: KeyFileSource): Promise<string> {
  const { fileFlag, env, label } = source;
  let text: string;
  try {
    // Without blocking, then fstat on the same handle: a FIFO, socket or device is refused at once.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        throw keyFileError(`${fileFlag} ${path} is not a regular file (${info.isFIFO() ? 'a FIFO' : info.isDirectory() ? 'a directory' : info.isSocket() ? 'a socket' : 'a device'}); it was not read.`, `Point ${fileFlag} at a file that holds only the key (or a ${env}=… line).`);
      }
      const { size } = info;
      if (size > KEY_FILE_LIMIT_BYTES) {
        throw keyFileError(
          `${fileFlag} ${path} is ${size} bytes; a ${label} is a single short word (at most ${KEY_FILE_LIMIT_BYTES} bytes are read).`,
          `Point ${fileFlag} at a file that holds only the key (or a ${env}=… line).`,
        );
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw keyFileError(`Cannot read ${fileFlag} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, 'Check the path and its permissions.');
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const assignments = lines.map((line) => /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line));
  const ours = assignments.find((match) => match?.[1] === env);
  if (ours) return ours[2]!.replace(/^(['"])(.*)\1$/, '$2');
  const other = assignments.find((match) => match !== null);
  if (other) {
    throw keyFileError(
      `${fileFlag} ${path} holds ${other[1]}=…, not the ${label}: a key file holds the key alone or a ${env}=… line.`,
      `Put the key alone in the file, or name its line ${env}=….`,
    );
  }
  if (lines.length > 1) {
    throw keyFileError(`${fileFlag} ${path} has ${lines.length} lines; a key file holds the key alone.`, 'Put only the key in the file.');
  }
  return lines[0] ?? '';
}
