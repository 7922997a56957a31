import { BinaryKind } from '@outpost/protocol/agent/binary';
import { createDispatcher } from '@outpost/protocol/agent/dispatcher';
import { batchThisTurn } from '@outpost/protocol/agent/write-batch';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { IncomingBody, OutgoingBody } from '../modules/hub/bodies.ts';
import { AgentNotHere } from '../modules/hub/errors.ts';
import type { AgentSession } from '../modules/hub/session.ts';
import { toLinkError } from './link-errors.ts';
import { CallerFrame, type HolderFrame, LINK_PROTOCOL_ERROR, type LinkRequest } from './link-frames.ts';

/** How long a shutting-down holder waits for its callers to close their links. */
const LINK_CLOSE_WAIT_MS = 2_000;

/**
 * Shutdown: asks every caller to stop sending on its link and to close it once its requests have
 * their answers; closes whatever link is still open after a short wait.
 */
export async function closeLinks(sockets: Iterable<WebSocket>): Promise<void> {
  const open = [...sockets].filter((socket) => socket.readyState === socket.OPEN);
  await Promise.all(
    open.map(
      (socket) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            socket.close(1001, 'instance shutting down');
            resolve();
          }, LINK_CLOSE_WAIT_MS);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.send(JSON.stringify({ type: 'goaway' } satisfies HolderFrame));
        }),
    ),
  );
}

export interface LinkServerDeps {
  /** The live session of an agent on this instance that takes new requests. */
  localSession(agentId: string): AgentSession | undefined;
  log: FastifyBaseLogger;
  /** Counts a request served here for another instance. */
  onRouted?: () => void;
}

interface Call {
  abort: AbortController;
  /** The request body arriving from the caller. */
  body?: IncomingBody;
  /** The response body going back to the caller. */
  outgoing?: OutgoingBody;
}

/**
 * The holder's end of one link from another instance: runs each request on the agent's local
 * session and streams the answer back, with credit both ways. A frame it refuses closes this link
 * only; the requests it carried are cancelled.
 */
export function serveLink(socket: WebSocket, deps: LinkServerDeps): void {
  const calls = new Map<number, Call>();
  let closed = false;

  // Frames of one turn (a response, a small body, its end) leave in one write.
  const send = (frame: HolderFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    batchThisTurn(socket);
    socket.send(JSON.stringify(frame));
  };
  const sendBinary = (frame: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return reject(new Error('the link closed'));
      batchThisTurn(socket);
      socket.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve()));
    });
  const finish = (id: number) => calls.delete(id);
  const protocolError = (reason: string) => {
    if (closed) return;
    deps.log.warn({ reason }, 'protocol error on an instance link; closing it');
    socket.close(LINK_PROTOCOL_ERROR, `protocol error: ${reason}`.slice(0, 120));
    shutDown();
  };
  const shutDown = () => {
    if (closed) return;
    closed = true;
    for (const call of calls.values()) call.abort.abort();
    calls.clear();
  };

  const onRequest = (frame: LinkRequest) => {
    const { id } = frame;
    if (calls.has(id)) return protocolError(`request ${id} is already in flight`);
    const session = deps.localSession(frame.agentId);
    if (!session) {
      send({ type: 'response', id, ok: false, error: toLinkError(new AgentNotHere()) });
      return;
    }
    deps.onRouted?.();
    const { streamsBody, ...op } = frame.op;
    const call: Call = { abort: new AbortController() };
    if (streamsBody)
      call.body = new IncomingBody((bytes) => calls.has(id) && send({ type: 'credit', id, bytes }));
    calls.set(id, call);
    session
      .request(op, {
        deadline: frame.deadline,
        signal: call.abort.signal,
        ...(call.body ? { body: call.body } : {}),
      })
      .then(
        ({ result, body }) => {
          if (calls.get(id) !== call) return body?.destroy();
          send({ type: 'response', id, ok: true, result, ...(body ? { streamsBody: true } : {}) });
          if (!body) return finish(id);
          const outgoing = new OutgoingBody(id, sendBinary, BinaryKind.RESPONSE_BODY);
          call.outgoing = outgoing;
          call.abort.signal.addEventListener('abort', () => body.destroy(), { once: true });
          outgoing.pump(body, call.abort.signal).then(
            () => {
              if (calls.get(id) === call && !call.abort.signal.aborted) send({ type: 'body.end', id });
              finish(id);
            },
            (error: unknown) => {
              if (calls.get(id) === call) send({ type: 'body.end', id, error: toLinkError(error) });
              finish(id);
            },
          );
        },
        (error: unknown) => {
          call.body?.destroy();
          if (calls.get(id) === call) send({ type: 'response', id, ok: false, error: toLinkError(error) });
          finish(id);
        },
      );
  };

  const dispatch = createDispatcher<CallerFrame>({
    schema: CallerFrame,
    handlers: {
      request: onRequest,
      cancel: ({ id }) => {
        const call = calls.get(id);
        finish(id);
        call?.abort.abort();
      },
      credit: ({ id, bytes }) => calls.get(id)?.outgoing?.addCredit(bytes),
      'body.end': ({ id, error }) =>
        calls.get(id)?.body?.finish(error ? new Error(error.message) : undefined),
    },
    onChunk: ({ kind, id, chunk }) => {
      if (kind !== BinaryKind.REQUEST_BODY) return protocolError('callers send only request bodies');
      const call = calls.get(id);
      if (!call) return; // a late chunk of a finished request
      if (!call.body) return protocolError(`body chunk for request ${id}, which has no body`);
      if (!call.body.receive(chunk)) protocolError(`request ${id} sent beyond its credit`);
    },
    onProtocolError: protocolError,
  });

  socket.on('message', (data, isBinary) => {
    if (!closed) dispatch(data as Buffer, isBinary);
  });
  socket.on('close', shutDown);
  socket.on('error', (error) => deps.log.info({ err: error }, 'instance link error'));
}
