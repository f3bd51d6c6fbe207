/** Can this machine reach a URL's host at all? DNS, then a TCP connect, within one short total deadline. */
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';

/** Null when the host answered a TCP connect; else why not ("DNS: ENOTFOUND", "connect: ECONNREFUSED", "no answer in 3 s"). */
export async function probeHost(url: string, deadlineMs = 3_000): Promise<string | null> {
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  let timer: NodeJS.Timeout | undefined;
  let socket: import('node:net').Socket | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${deadlineMs / 1000} s`), deadlineMs);
  });
  let over = false;
  const attempt = (async () => {
    let address: string;
    try {
      address = (await lookup(host)).address;
    } catch (error) {
      return `DNS lookup of ${host} failed (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (over) return null;
    return new Promise<string | null>((resolve) => {
      socket = connect({ host: address, port });
      socket.once('connect', () => resolve(null));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(`cannot connect to ${host}:${port} (${error.code ?? error.message})`));
    });
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    over = true;
    clearTimeout(timer);
    socket?.destroy();
  }
}
