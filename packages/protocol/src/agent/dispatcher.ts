import type { z } from 'zod';
import { type DecodedChunk, decodeChunk } from './binary.ts';
import { MAX_FRAME_BYTES } from './frames.ts';

type Frame = { type: string };
type Handlers<F extends Frame> = { [T in F['type']]: (frame: Extract<F, { type: T }>) => void };
type RawMessage = Buffer | ArrayBuffer | Buffer[];

export interface DispatcherOptions<F extends Frame> {
  /** The union of frames this side accepts. */
  schema: z.ZodType<F>;
  handlers: Handlers<F>;
  onChunk: (chunk: DecodedChunk) => void;
  /** A frame that must close the socket; handlers never see it. */
  onProtocolError: (reason: string) => void;
}

type Decoded<F> = { frame: F } | { chunk: DecodedChunk } | { error: string };

/** Size, JSON, schema and kind: everything a raw message must pass before a handler sees it. */
export function decodeMessage<F extends Frame>(
  schema: z.ZodType<F>,
  data: RawMessage,
  isBinary: boolean,
): Decoded<F> {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (buffer.length > MAX_FRAME_BYTES)
    return { error: `frame of ${buffer.length} bytes exceeds ${MAX_FRAME_BYTES}` };
  if (isBinary) {
    const chunk = decodeChunk(buffer);
    return chunk ? { chunk } : { error: 'malformed binary frame' };
  }
  let json: unknown;
  try {
    json = JSON.parse(buffer.toString('utf8'));
  } catch {
    return { error: 'frame is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const type = typeof json === 'object' && json && 'type' in json ? asText(json.type).slice(0, 40) : '?';
  return { error: `invalid "${type}" frame: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}` };
}

/**
 * A value as text for a message. `String()` throws for an object whose `toString` is not a
 * function, which JSON can carry (`{"type":{"toString":0}}`) and a handler can throw.
 */
function asText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The one place that turns raw WebSocket messages into typed frames for handlers. A handler that
 * throws is reported as a protocol error too, so that no frame can crash the process.
 */
export function createDispatcher<F extends Frame>(options: DispatcherOptions<F>) {
  const { schema, handlers, onChunk, onProtocolError } = options;
  return (data: RawMessage, isBinary: boolean): void => {
    try {
      const decoded = decodeMessage(schema, data, isBinary);
      if ('error' in decoded) onProtocolError(decoded.error);
      else if ('chunk' in decoded) onChunk(decoded.chunk);
      else (handlers[decoded.frame.type as F['type']] as (frame: F) => void)(decoded.frame);
    } catch (error) {
      onProtocolError(`frame handler failed: ${error instanceof Error ? error.message : asText(error)}`);
    }
  };
}
