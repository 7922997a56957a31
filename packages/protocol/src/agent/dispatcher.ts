import type { z } from 'zod';
import { type DecodedChunk, decodeChunk } from './binary.ts';
import { MAX_FRAME_BYTES } from './frames.ts';

type Frame = { type: string };
type Handlers<F extends Frame> = { [T in F['type']]: (frame: Extract<F, { type: T }>) => void };

export interface DispatcherOptions<F extends Frame> {
  /** The union of frames this side accepts. */
  schema: z.ZodType<F>;
  handlers: Handlers<F>;
  onChunk: (chunk: DecodedChunk) => void;
  /** A frame that must close the socket; handlers never see it. */
  onProtocolError: (reason: string) => void;
}

/**
 * The one place that turns raw WebSocket messages into typed frames: size, JSON, schema and kind
 * are checked here, so handlers only ever see valid frames. A handler that throws is reported as
 * a protocol error too, so that no frame can crash the process.
 */
export function createDispatcher<F extends Frame>(options: DispatcherOptions<F>) {
  const { schema, handlers, onChunk, onProtocolError } = options;
  return (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
    const buffer = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (buffer.length > MAX_FRAME_BYTES)
      return onProtocolError(`frame of ${buffer.length} bytes exceeds ${MAX_FRAME_BYTES}`);
    try {
      if (isBinary) {
        const chunk = decodeChunk(buffer);
        if (!chunk) return onProtocolError('malformed binary frame');
        return onChunk(chunk);
      }
      let json: unknown;
      try {
        json = JSON.parse(buffer.toString('utf8'));
      } catch {
        return onProtocolError('frame is not JSON');
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const type =
          typeof json === 'object' && json && 'type' in json
            ? String((json as { type: unknown }).type).slice(0, 40)
            : '?';
        return onProtocolError(
          `invalid "${type}" frame: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}`,
        );
      }
      const frame = parsed.data;
      const handler = handlers[frame.type as F['type']] as (frame: F) => void;
      handler(frame);
    } catch (error) {
      onProtocolError(`frame handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
