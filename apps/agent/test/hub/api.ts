import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabaseClient } from '../../../../packages/db/src/client.ts';
import { createTestDatabase } from '../../../../packages/db/src/testing.ts';
import { buildApp } from '../../../api/src/app.ts';
import { loadConfig } from '../../../api/src/config.ts';
import { SecretBox } from '../../../api/src/lib/secret-box.ts';
import { markAllAgentsOffline } from '../../../api/src/modules/hub/presence.ts';
import { AGENT_DIST_DIR } from '../../../api/test/helpers.ts';

type FastifyInstance = Awaited<ReturnType<typeof buildApp>>;

export interface ApiOptions {
  env?: Record<string, string>;
  /** The built agent the API offers (Install → Download, auto-upgrade). */
  agentDistDir?: string;
}

/**
 * The real API on a test database of its own that outlives it: `stop()` and `start(port)` again is
 * a restart of the API process (same database, same secret key, same port), as an operator does.
 */
export class RestartableApi {
  #app: FastifyInstance | undefined;
  #port = 0;

  private constructor(
    private readonly options: ApiOptions,
    private readonly database: Awaited<ReturnType<typeof createTestDatabase>>,
    readonly db: ReturnType<typeof createDatabaseClient>,
    private readonly dataDir: string,
    private readonly secrets: SecretBox,
  ) {}

  static async create(options: ApiOptions = {}): Promise<RestartableApi> {
    const database = await createTestDatabase();
    const db = createDatabaseClient({ url: database.url, poolSize: 4 });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-api-test-'));
    return new RestartableApi(options, database, db, dataDir, new SecretBox(randomBytes(32)));
  }

  get app(): FastifyInstance {
    if (!this.#app) throw new Error('the API is not running');
    return this.#app;
  }

  get port(): number {
    return this.#port;
  }

  /** Builds and listens (on the port of the last start, or any); resolves with its base URL. */
  async start(): Promise<string> {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      OUTPOST_DATA_DIR: this.dataDir,
      OUTPOST_AUTH_RATE_LIMIT: '1000',
      ...this.options.env,
    });
    // What server.ts does on start: sessions held by a previous process are gone.
    await markAllAgentsOffline(this.db);
    const app = await buildApp({
      config,
      db: this.db,
      secrets: this.secrets,
      agentDistDir: this.options.agentDistDir ?? AGENT_DIST_DIR,
    });
    this.#app = app;
    const url = await app.listen({ port: this.#port, host: '127.0.0.1' });
    this.#port = Number(new URL(url).port);
    return url;
  }

  /** Closes the API as a SIGTERM does: agents are told it is going away (1001). */
  async stop(): Promise<void> {
    await this.#app?.close();
    this.#app = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.db.$disconnect();
    await this.database.drop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
