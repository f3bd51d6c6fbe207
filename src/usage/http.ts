/** A small GET for the usage APIs: one deadline for connection, headers and body, and a cap on the body's size. */
import { request } from 'undici';

export type CappedAnswer = { ok: true; status: number; text: string } | { ok: false; error: { kind: 'unreachable'; detail: string } };

/** GET with one deadline for connection, headers and body, reading at most `maxBytes`. */
export async function getCapped(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<CappedAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const host = new URL(url).host;
  try {
    const response = await request(url, { method: 'GET', headers, signal });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        return { ok: false, error: { kind: 'unreachable', detail: `${host} sent more than ${Math.round(maxBytes / 1024)} KB: not the answer expected` } };
      }
      chunks.push(chunk);
    }
    return { ok: true, status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (signal.aborted) return { ok: false, error: { kind: 'unreachable', detail: `${host} did not answer within ${Math.round(timeoutMs / 1000)} s` } };
    const code = (error as { code?: string }).code;
    return { ok: false, error: { kind: 'unreachable', detail: `${host}: ${code ?? (error as Error).message}` } };
  }
}
