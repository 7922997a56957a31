import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis.ts';

/** Who holds an agent's socket: the instance, the session, and where the agent runs. */
export interface Holder {
  instanceId: string;
  sessionId: string;
  /** "host (pid n)", for the duplicate-session close reason. */
  where: string;
  /** The presence value as stored (for a take-over that must not race another). */
  value: string;
}

/** Where to send a request for an agent. */
export interface Location {
  holder: Holder | null;
  /** The holder's internal URL; null when its instance is gone. */
  url: string | null;
  /** A draining instance is handing the agent over: it should be back soon. */
  moving: boolean;
}

// Claims the agent unless another instance, still alive, holds it.
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, holder = pcall(cjson.decode, current)
  if ok and type(holder) == 'table' and holder.i ~= ARGV[3] and redis.call('EXISTS', ARGV[4] .. tostring(holder.i)) == 1 then
    return current
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

// Replaces a claim that is still exactly the one looked at.
const TAKE_OVER = `
if redis.call('GET', KEYS[1]) ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

// Deletes the claim only if it is still this session's.
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, holder = pcall(cjson.decode, current)
if ok and type(holder) == 'table' and holder.s == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// One round trip: the holder, its instance's URL, and whether the agent is moving.
const LOCATE = `
local current = redis.call('GET', KEYS[1])
local url = false
if current then
  local ok, holder = pcall(cjson.decode, current)
  if ok and type(holder) == 'table' then url = redis.call('GET', ARGV[1] .. tostring(holder.i)) end
end
return {current or '', url or '', redis.call('EXISTS', KEYS[2])}`;

/**
 * Presence in Redis: `agent:<id>` names the instance and session holding the agent's socket and
 * expires unless that instance refreshes it (every heartbeat, for healthy sessions only);
 * `instance:<id>` holds a live instance's internal URL and expires the same way. So an instance
 * that dies takes its agents' presence with it within `ttlMs`.
 */
export class RedisPresence {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly instanceId: string,
    readonly ttlMs: number,
  ) {}

  /** Null when this session now holds the agent; else the live holder elsewhere. */
  async claim(agentId: string, sessionId: string, where: string): Promise<Holder | null> {
    const value = JSON.stringify({ i: this.instanceId, s: sessionId, w: where });
    const held = (await this.redis.eval(
      CLAIM,
      1,
      this.keys.agent(agentId),
      value,
      String(this.ttlMs),
      this.instanceId,
      this.keys.instance(''),
    )) as string | null;
    return held ? parseHolder(held) : null;
  }

  /** The agent's session here is live (welcomed): a move that brought it here is over. */
  async arrived(agentId: string): Promise<void> {
    await this.redis.del(this.keys.moving(agentId));
  }

  /** Takes the agent over from a holder whose instance cannot be reached; false if it changed meanwhile. */
  async takeOver(agentId: string, sessionId: string, where: string, from: Holder): Promise<boolean> {
    const value = JSON.stringify({ i: this.instanceId, s: sessionId, w: where });
    const done = await this.redis.eval(
      TAKE_OVER,
      1,
      this.keys.agent(agentId),
      value,
      String(this.ttlMs),
      from.value,
    );
    return done === 1;
  }

  /** A live instance's internal URL; null once its key expired. */
  async instanceUrl(instanceId: string): Promise<string | null> {
    return this.redis.get(this.keys.instance(instanceId));
  }

  async release(agentId: string, sessionId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.agent(agentId), sessionId);
  }

  async locate(agentId: string): Promise<Location> {
    const [value, url, moving] = (await this.redis.eval(
      LOCATE,
      2,
      this.keys.agent(agentId),
      this.keys.moving(agentId),
      this.keys.instance(''),
    )) as [string, string, number];
    return { holder: value ? parseHolder(value) : null, url: url || null, moving: moving === 1 };
  }

  /**
   * This instance is alive at `url`, and so are the sessions of `agentIds`. Returns the agents
   * whose presence had expired meanwhile (this instance stalled): their sessions must reconnect.
   */
  async refresh(url: string, agentIds: readonly string[]): Promise<string[]> {
    const pipeline = this.redis.pipeline().set(this.keys.instance(this.instanceId), url, 'PX', this.ttlMs);
    for (const agentId of agentIds) pipeline.pexpire(this.keys.agent(agentId), this.ttlMs);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error)?.[0];
    if (failed) throw failed;
    return agentIds.filter((_, index) => results[index + 1]?.[1] === 0);
  }

  async unregister(): Promise<void> {
    await this.redis.del(this.keys.instance(this.instanceId));
  }

  /** Drain: these agents are about to reconnect elsewhere; requests for them wait up to `ttlMs`. */
  async markMoving(agentIds: readonly string[], ttlMs: number): Promise<void> {
    if (agentIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const agentId of agentIds) pipeline.set(this.keys.moving(agentId), this.instanceId, 'PX', ttlMs);
    await pipeline.exec();
  }

  /** The session id each agent's presence names, null where there is none. */
  async sessionsOf(agentIds: readonly string[]): Promise<(string | null)[]> {
    if (agentIds.length === 0) return [];
    const values = await this.redis.mget(agentIds.map((agentId) => this.keys.agent(agentId)));
    return values.map((value) => (value ? (parseHolder(value)?.sessionId ?? null) : null));
  }
}

function parseHolder(value: string): Holder | null {
  try {
    const { i, s, w } = JSON.parse(value) as { i?: unknown; s?: unknown; w?: unknown };
    if (typeof i !== 'string' || typeof s !== 'string') return null;
    return { instanceId: i, sessionId: s, where: typeof w === 'string' ? w : 'another instance', value };
  } catch {
    return null;
  }
}
