/**
 * Binary frames carry body chunks without JSON or base64: one byte of kind, four bytes of request
 * id (big-endian), then the bytes of the chunk.
 */
export const BinaryKind = { REQUEST_BODY: 1, RESPONSE_BODY: 2 } as const;
export type BinaryKind = (typeof BinaryKind)[keyof typeof BinaryKind];

export const BINARY_HEADER_BYTES = 5;

export function encodeChunk(kind: BinaryKind, id: number, chunk: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(BINARY_HEADER_BYTES + chunk.byteLength);
  frame[0] = kind;
  frame.writeUInt32BE(id, 1);
  frame.set(chunk, BINARY_HEADER_BYTES);
  return frame;
}

export interface DecodedChunk {
  kind: BinaryKind;
  id: number;
  chunk: Buffer;
}

/** Null for a frame that is too short or of an unknown kind. */
export function decodeChunk(frame: Buffer): DecodedChunk | null {
  if (frame.length < BINARY_HEADER_BYTES) return null;
  const kind = frame[0];
  if (kind !== BinaryKind.REQUEST_BODY && kind !== BinaryKind.RESPONSE_BODY) return null;
  const id = frame.readUInt32BE(1);
  if (id === 0) return null;
  return { kind, id, chunk: frame.subarray(BINARY_HEADER_BYTES) };
}
