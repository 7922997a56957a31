import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AgentProcess, runAgent } from '../../../agent/test/hub/agent-process.ts';
import type { As } from './flows.ts';
import { waitFor } from './private-network.ts';

/** A real agent (the built bundle) that can be killed, paused and started again with its home. */
export interface FaultAgent {
  id: string;
  process(): AgentProcess;
  /** What every process of it printed. */
  output(): string;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again, same home and token. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Registers an agent over REST and starts the built agent dialling `url()`. */
export async function startFaultAgent(as: As, url: () => string, name: string): Promise<FaultAgent> {
  const created = await as('POST', '/v1/agents', { name });
  if (created.statusCode !== 201) throw new Error(`agent not created: ${created.body}`);
  const id = (created.json() as { id: string }).id;
  const token = ((await as('GET', `/v1/agents/${id}/token`)).json() as { token: string }).token;
  const home = await mkdtemp(path.join(os.tmpdir(), 'outpost-fault-agent-'));
  let earlier = '';
  let current = await runAgent(url(), token, { home });
  return {
    id,
    process: () => current,
    output: () => earlier + current.output(),
    async kill() {
      if (current.child.exitCode !== null || current.child.signalCode !== null) return;
      current.child.kill('SIGKILL');
      await current.exited;
    },
    async restart() {
      earlier += current.output();
      await current.stop();
      current = await runAgent(url(), token, { home });
    },
    async stop() {
      await current.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** The agent's status as GET /v1/agents/:id shows it. */
export async function agentStatus(as: As, agentId: string): Promise<string> {
  const response = await as('GET', `/v1/agents/${agentId}`);
  return response.statusCode === 200
    ? (response.json() as { status: string }).status
    : `HTTP ${response.statusCode}`;
}

/** Waits until the API shows the agent online (or offline); returns how long it took. */
export async function waitForAgent(
  as: As,
  agent: FaultAgent,
  status: 'online' | 'offline',
  timeoutMs = 40_000,
): Promise<number> {
  const started = Date.now();
  await waitFor(
    async () => (await agentStatus(as, agent.id)) === status,
    `the agent to be ${status}`,
    agent.output,
    timeoutMs,
  );
  return Date.now() - started;
}
