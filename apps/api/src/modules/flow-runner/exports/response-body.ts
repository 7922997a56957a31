/** The most of a response body read into memory: a page bigger than this is refused. */
export const MAX_PAGE_BYTES = 64 * 1024 * 1024;
const EXCERPT_BYTES = 2048;
const EXCERPT_CHARS = 300;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the response body is larger than ${Math.round(limit / (1024 * 1024))} MiB`);
  }
}

/** The whole body as text, or `BodyTooLarge` past `maxBytes` (the rest is not read). */
export async function readText(
  body: AsyncIterable<Uint8Array> | undefined,
  maxBytes = MAX_PAGE_BYTES,
): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new BodyTooLarge(maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The start of a body, for an error message; the rest is not read. */
export async function excerpt(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= EXCERPT_BYTES) break;
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** Reads a body that is not needed to its end (a small one), or stops it (a big one). */
export async function discard(body: AsyncIterable<Uint8Array> | undefined): Promise<void> {
  if (!body) return;
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > 1024 * 1024) break;
  }
}
