import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/**
 * The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or -1 when all of it is well-formed.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += length;
  }
  return -1;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as text; a file that is not UTF-8 is refused (decoding it would turn bytes into U+FFFD and lose them on write). */
export function decodeUtf8Strict(bytes: Uint8Array, path: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const offset = Math.max(0, firstInvalidUtf8Offset(bytes));
    const byte = bytes[offset] ?? 0;
    throw new UserError('not-utf8', `${path} is not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}); it was not changed.`, {
      exitCode: ExitCode.config,
      fix: `Convert it to UTF-8 (for example: iconv -f latin1 -t utf-8 ${path}), then run again.`,
    });
  }
}

/** The error for a path that cannot be read as a file, or null when the error is not about the path itself. */
export function unreadablePathError(path: string, error: unknown): UserError | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') {
    return new UserError('not-a-file', `${path} is a directory, not a file; nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Move ${path} out of the way (glm-codex-setup expects a file there), then run again.`,
    });
  }
  if (code === 'ELOOP') {
    return new UserError('symlink-loop', `${path}: too many levels of symbolic links (a symlink loop); nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Point ${path} at a real file, then run again.`,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError('unreadable', `${path} cannot be read (permission denied); nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Check the permissions of ${path} and its folders, then run again.`,
    });
  }
  if (code === 'ENXIO' || code === 'EOPNOTSUPP') {
    return new UserError('not-a-regular-file', `${path} is a socket or a device, not a regular file; nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Move ${path} out of the way and put a regular file there (or none), then run again.`,
    });
  }
  if (code === 'ENOTDIR') {
    return new UserError('not-a-file', `${path}: a part of this path is a file, not a folder; nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Check the folders on the way to ${path}, then run again.`,
    });
  }
  return null;
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * The bytes of a regular file, and only of one: opened without blocking (a FIFO with no writer would
 * otherwise hang the read, and the locks held with it), then checked with fstat on the same handle
 * (no race with a swap), so a FIFO, socket or device is refused at once. Errors keep readFile's codes.
 */
export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      if (info.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
      throw new UserError('not-a-regular-file', `${path} is ${kindOf(info)}, not a regular file; nothing was changed.`, {
        exitCode: ExitCode.config,
        fix: `Move ${path} out of the way and put a regular file there (or none), then run again.`,
      });
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** readRegularFile as UTF-8 text (lenient, like readFile(path, 'utf8')). */
export async function readRegularText(path: string): Promise<string> {
  return (await readRegularFile(path)).toString('utf8');
}

/** The file's text (strict UTF-8), or null when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | null> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof UserError) throw error;
    throw unreadablePathError(path, error) ?? error;
  }
  return decodeUtf8Strict(bytes, path);
}
