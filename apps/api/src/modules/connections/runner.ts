import { AbortReason, abortError, ExecutorError, parseInput } from '@outpost/connectors/executor';
import { registry } from '@outpost/connectors/registry';
import { cloudGuard, type PrivateTargets } from '../../lib/ssrf/guard.ts';
import { HubError } from '../hub/errors.ts';
import type { AgentHub } from '../hub/hub.ts';

/** Where a connection's work runs: the API itself (Cloud) or its agent (On-premise). */
export interface RunTarget {
  mode: 'CLOUD' | 'ON_PREMISE';
  agent: { id: string; name: string } | null;
}

export interface RunnerDeps {
  hub: AgentHub;
  privateTargets: PrivateTargets;
}

export interface RunOptions {
  deadline: number;
  signal?: AbortSignal;
  /** A request body to stream to the executor. */
  body?: AsyncIterable<Uint8Array>;
}

export interface RunOutput {
  result: unknown;
  body?: AsyncIterable<Uint8Array>;
}

/** Why a connection's work failed, wherever it ran: an executor code, or the hub's. */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';

  constructor(
    /** An executor code (`dns_failed`, `ssrf_blocked`, `policy_denied`…), or `agent_offline`, `no_agent`… */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One executor, two places to run it: Cloud runs it here under the SSRF guard; On-premise sends
 * the same operation to the connection's agent, which runs it under its local policy.
 */
export async function runOperation(
  deps: RunnerDeps,
  target: RunTarget,
  op: { kind: string; input: unknown },
  options: RunOptions,
): Promise<RunOutput> {
  if (target.mode === 'ON_PREMISE') return runOnAgent(deps, target, op, options);
  return runInCloud(deps, op, options);
}

async function runOnAgent(
  deps: RunnerDeps,
  target: RunTarget,
  op: { kind: string; input: unknown },
  options: RunOptions,
): Promise<RunOutput> {
  const agent = target.agent;
  if (!agent) throw new ConnectionFailure('no_agent', 'This On-premise connection has no agent: pick one.');
  try {
    const { result, body } = await deps.hub.request(agent.id, op, {
      deadline: options.deadline,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.body ? { body: options.body } : {}),
    });
    return body ? { result, body } : { result };
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    switch (error.code) {
      case 'agent_offline':
        throw new ConnectionFailure(
          'agent_offline',
          `The agent "${agent.name}" is offline: start it on its machine (outpost-agent start), then try again.`,
        );
      case 'timeout':
        throw new ConnectionFailure('timeout', `The agent "${agent.name}" did not answer in time.`);
      case 'cancelled':
        throw new ConnectionFailure('cancelled', 'The request was cancelled.');
      default:
        throw new ConnectionFailure(error.agentCode ?? 'agent_error', error.message);
    }
  }
}

async function runInCloud(
  deps: RunnerDeps,
  op: { kind: string; input: unknown },
  options: RunOptions,
): Promise<RunOutput> {
  const executor = registry.get(op.kind);
  if (!executor) throw new ConnectionFailure('unknown_operation', `No executor for "${op.kind}"`);
  const timer = new AbortController();
  const timeout = setTimeout(
    () => timer.abort(AbortReason.deadline),
    Math.max(0, options.deadline - Date.now()),
  );
  const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
  try {
    const output = await executor.run(parseInput(executor, op.input), {
      signal,
      deadline: options.deadline,
      checkTarget: cloudGuard(deps.privateTargets),
      ...(options.body ? { requestBody: options.body } : {}),
    });
    if (!output.body) {
      clearTimeout(timeout);
      return { result: output.result };
    }
    return { result: output.result, body: untilDone(output.body, () => clearTimeout(timeout), signal) };
  } catch (error) {
    clearTimeout(timeout);
    throw asFailure(signal.aborted ? abortError(signal) : error);
  }
}

/** The body, with the deadline timer released when it ends or its reader stops. */
async function* untilDone(body: AsyncIterable<Uint8Array>, done: () => void, signal: AbortSignal) {
  try {
    yield* body;
  } catch (error) {
    throw asFailure(signal.aborted ? abortError(signal) : error);
  } finally {
    done();
  }
}

function asFailure(error: unknown): unknown {
  if (error instanceof ExecutorError) return new ConnectionFailure(error.code, error.message);
  return error;
}
