/** probeHost: DNS then a TCP connect, within one deadline; a reason when the host cannot be reached. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeHost } from '../../src/inspect/reach.js';

describe('probeHost', () => {
  it('null for a host that accepts a connection; the cause for a closed port or an unknown name', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await probeHost(`http://127.0.0.1:${port}/api/paas/v4`)).toBeNull();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probeHost(`http://127.0.0.1:${port}/api/paas/v4`)).toMatch(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(await probeHost('https://nonexistent.invalid/v4')).toMatch(/DNS lookup of nonexistent\.invalid failed|no answer within/);
  });
});
