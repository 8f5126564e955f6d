/**
 * The small slice of HTTP the SNS layer needs: an injectable `fetch` and a body reader that
 * stops at a byte cap instead of buffering whatever a server sends.
 */

/** What we need from `fetch`; the global one fits, and tests inject doubles. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Thrown by readCappedBody when a response is larger than allowed. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response body exceeds ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a response body, refusing more than `maxBytes`: checks Content-Length first (cheap)
 * and then counts while streaming, since the header may be absent or wrong.
 */
export async function readCappedBody(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Discards a body we will not read, so the connection can be reused or closed. */
export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}
