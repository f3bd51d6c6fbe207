/**
 * Every answer read from a network peer is bounded: read chunk by chunk and abandoned past the cap,
 * so a peer sending 500 MB costs at most the cap in memory, never the whole body.
 */
export const ANSWER_CAPS = {
  /** A gateway's key answer: a few hundred bytes of JSON. */
  gatewayKey: 64 * 1024,
  /** A readiness probe's JSON. */
  health: 64 * 1024,
  /** A validation turn: a short reply, streamed or not, plus its events. */
  validation: 4 * 1024 * 1024,
} as const;

export class AnswerTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the answer is larger than ${Math.round(limit / 1024)} KB; it was not read further`);
  }
}

/** The body as UTF-8 text, or AnswerTooLargeError once it passes `limit` bytes (the stream is destroyed). */
export async function readCapped(body: AsyncIterable<Uint8Array | string> & { destroy?: (error?: Error) => unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += buffer.length;
    if (size > limit) {
      body.destroy?.();
      throw new AnswerTooLargeError(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Printable ASCII only (no spaces, no control or escape codes), bounded: what a key may be before it is printed or stored. */
export function isPrintableToken(value: unknown, maxLength = 512): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && /^[\x21-\x7e]+$/.test(value);
}
