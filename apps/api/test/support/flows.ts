import type { FlowRun, FlowRunRecordError } from '@outpost/protocol/rest/runs';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** A request as the signed-up owner: `as('POST', '/v1/flows', body)`. */
export type As = (method: string, url: string, body?: unknown) => Promise<LightMyRequestResponse>;

/** Creates a resource over REST (connection, export, import, script, flow) and returns its id. */
export async function create(as: As, url: string, body: unknown): Promise<string> {
  const response = await as('POST', url, body);
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

/** Run now: the run's id, queued. */
export async function runNow(as: As, flowId: string): Promise<string> {
  const response = await as('POST', `/v1/flows/${flowId}/runs`);
  expect(response.statusCode, response.body).toBe(202);
  const run = response.json() as { id: string; status: string };
  return run.id;
}

export async function getRun(as: As, runId: string): Promise<FlowRun> {
  const response = await as('GET', `/v1/runs/${runId}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as FlowRun;
}

const ENDED = ['succeeded', 'failed', 'cancelled'];

/** Polls the run until it has ended (or `until` holds) and returns it. */
export async function waitForRun(
  as: As,
  runId: string,
  options: { timeoutMs?: number; until?: (run: FlowRun) => boolean } = {},
): Promise<FlowRun> {
  const until = options.until ?? ((run: FlowRun) => ENDED.includes(run.status));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const run = await getRun(as, runId);
    if (until(run)) return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} is still ${run.status} (${run.pagesDone} pages):\n${run.logs.map((line) => line.message).join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every record error of a run, oldest first. */
export async function runErrors(as: As, runId: string): Promise<FlowRunRecordError[]> {
  const errors: FlowRunRecordError[] = [];
  let cursor: string | null = null;
  do {
    const response = await as(
      'GET',
      `/v1/runs/${runId}/errors?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { items: FlowRunRecordError[]; nextCursor: string | null };
    errors.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return errors;
}
