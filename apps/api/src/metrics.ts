import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Agents with a live session on this instance. */
  connectedAgents(): number;
  /** The database pool of this process, when known. */
  databasePool?(): { total: number; idle: number; waiting: number } | undefined;
}

/** Why a session ended, as a label: the close code's name. */
const CLOSE_REASONS = new Map<number, string>([
  [1000, 'normal'],
  [CloseCode.GOING_AWAY, 'going_away'],
  [CloseCode.TOKEN_REVOKED, 'token_revoked'],
  [CloseCode.AGENT_DELETED, 'agent_deleted'],
  [CloseCode.DUPLICATE_SESSION, 'duplicate_session'],
  [CloseCode.PROTOCOL_ERROR, 'protocol_error'],
  [CloseCode.UPGRADE_REQUIRED, 'upgrade_required'],
  [CloseCode.REPLACED, 'replaced'],
  [CloseCode.TIMEOUT, 'timeout'],
  [1006, 'connection_lost'],
  [1009, 'frame_too_large'],
]);

/**
 * The Prometheus metrics of one app (a registry of its own, so that several apps in one process
 * do not mix): agents, sessions, requests to agents, routing between instances, flow runs, the
 * database pool and the process. The flow runner updates `flowRuns` and `flowRunsRunning`.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly sessionsOpened: Counter;
  readonly sessionsClosed: Counter<'reason'>;
  readonly requestsInFlight: Gauge<'op'>;
  readonly requestDuration: Histogram<'op' | 'outcome'>;
  readonly requestsRouted: Counter<'direction'>;
  /** Flow runs that ended, by status (succeeded, failed, cancelled…). */
  readonly flowRuns: Counter<'status'>;
  /** Flow runs running now on this instance. */
  readonly flowRunsRunning: Gauge;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'outpost_agents_connected',
      help: 'Agents with a live session on this instance',
      registers,
      collect() {
        this.set(sources.connectedAgents());
      },
    });
    this.sessionsOpened = new Counter({
      name: 'outpost_agent_sessions_opened_total',
      help: 'Agent sessions that went live (welcome sent)',
      registers,
    });
    this.sessionsClosed = new Counter({
      name: 'outpost_agent_sessions_closed_total',
      help: 'Agent sessions that ended, by reason (the close code)',
      labelNames: ['reason'],
      registers,
    });
    this.requestsInFlight = new Gauge({
      name: 'outpost_agent_requests_in_flight',
      help: 'Requests to agents issued on this instance and not answered yet, by operation',
      labelNames: ['op'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'outpost_agent_request_duration_seconds',
      help: 'Time from a request to an agent until its answer (the head, for a streamed body), by operation and outcome',
      labelNames: ['op', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.requestsRouted = new Counter({
      name: 'outpost_agent_requests_routed_total',
      help: 'Requests to agents held by another instance: out (sent there) and in (served here for another)',
      labelNames: ['direction'],
      registers,
    });
    this.flowRuns = new Counter({
      name: 'outpost_flow_runs_total',
      help: 'Flow runs that ended on this instance, by status',
      labelNames: ['status'],
      registers,
    });
    this.flowRunsRunning = new Gauge({
      name: 'outpost_flow_runs_running',
      help: 'Flow runs running on this instance',
      registers,
    });
    const pool = (pick: 'total' | 'idle' | 'waiting') =>
      function (this: Gauge) {
        const value = sources.databasePool?.()?.[pick];
        if (value !== undefined) this.set(value);
      };
    new Gauge({
      name: 'outpost_db_pool_connections',
      help: 'Database connections open in the pool of this process',
      registers,
      collect: pool('total'),
    });
    new Gauge({
      name: 'outpost_db_pool_idle_connections',
      help: 'Database connections open and idle',
      registers,
      collect: pool('idle'),
    });
    new Gauge({
      name: 'outpost_db_pool_waiting_queries',
      help: 'Queries waiting for a database connection',
      registers,
      collect: pool('waiting'),
    });
  }

  sessionClosed(code: number): void {
    this.sessionsClosed.inc({ reason: CLOSE_REASONS.get(code) ?? 'other' });
  }

  /** Starts timing a request to an agent; call the result with its outcome. */
  requestStarted(op: string): (outcome: string) => void {
    this.requestsInFlight.inc({ op });
    const stop = this.requestDuration.startTimer({ op });
    return (outcome) => {
      this.requestsInFlight.dec({ op });
      stop({ outcome });
    };
  }
}
