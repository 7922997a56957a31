/** The TCP socket under a `ws` WebSocket (`_socket`: not in its types, stable across ws 8). */
interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

const corked = new Set<Corkable>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) {
    try {
      socket.uncork();
    } catch {
      // A socket that failed is closing; the others must still be flushed.
    }
  }
}

/**
 * Frames sent within one turn of the event loop leave in one TCP write: the first send of a turn
 * corks the socket under the WebSocket, and every socket corked in the turn is uncorked once its
 * callbacks and microtasks are done (one `setImmediate` for all). A response head, a small body
 * and its end then reach the other side in one segment, read in one wake-up, instead of three.
 * Call it before each send on `webSocket`; it keeps nothing per socket between turns.
 */
export function batchThisTurn(webSocket: object): void {
  const socket = (webSocket as { _socket?: Corkable | null })._socket;
  if (!socket || socket.destroyed || corked.has(socket) || typeof socket.cork !== 'function') return;
  socket.cork();
  corked.add(socket);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}
