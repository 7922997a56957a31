import { z } from 'zod';
import type { Executor } from './executor.ts';

/** `ping`: answers at once; proves the path from the cloud to where the executor runs. */
export const PingInput = z.object({ payload: z.string().max(1024).optional() });
export type PingInput = z.infer<typeof PingInput>;

export interface PingResult {
  payload: string | undefined;
  receivedAt: string;
}

export function ping(input: PingInput): PingResult {
  return { payload: input.payload, receivedAt: new Date().toISOString() };
}

export const pingExecutor: Executor<PingInput> = {
  kind: 'ping',
  input: PingInput,
  targets: () => [],
  run: async (input) => ({ result: ping(input) }),
};
