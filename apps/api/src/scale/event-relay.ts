import type { Redis } from 'ioredis';
import type { EventRelay } from '../modules/agents/events.ts';

/** The agent event bus across instances: one Redis pub/sub channel per deployment. */
export function redisEventRelay(publisher: Redis, subscriber: Redis, channel: string): EventRelay {
  return {
    publish(message) {
      publisher.publish(channel, message).catch(() => {
        // Redis is down: /readyz says so; the event is lost like any other in-flight message.
      });
    },
    subscribe(onMessage) {
      void subscriber.subscribe(channel).catch(() => undefined);
      subscriber.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
    },
  };
}
