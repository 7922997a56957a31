/** One server-sent event: `event:` (default "message") and its `data:` lines joined by newlines. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * An incremental parser of a `text/event-stream` body (the WHATWG rules that matter here: CR, LF
 * or CRLF line ends, `:` comments, several `data:` lines, a blank line ends an event). Chunks may
 * split anywhere, even between a CR and its LF.
 */
export class EventStreamParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  /** The reconnection delay the server asked for (`retry:`), in milliseconds. */
  retryMs: number | undefined;

  /** Feeds decoded text; answers the events it completed. */
  push(text: string): ServerSentEvent[] {
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event =
      this.#data.length > 0 ? { event: this.#event || 'message', data: this.#data.join('\n') } : undefined;
    this.#event = '';
    this.#data = [];
    return event;
  }
}
