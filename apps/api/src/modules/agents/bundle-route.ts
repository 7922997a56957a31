import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { agentAuthenticator } from '../hub/agent-auth.ts';

/** Where a running agent fetches the latest bundle; `welcome.upgrade.path` names it. */
export const AGENT_BUNDLE_PATH = '/v1/agent/bundle';

export interface AgentBundleRouteOptions {
  /** The built agent: `manifest.json` and the bundle it names. */
  agentDistDir: string;
}

/**
 * `GET /v1/agent/bundle`: the bundled agent of the version the hub announces, for auto-upgrade.
 * Only an agent asks for it, with its own token, counted like connection attempts; the SHA-256 in
 * `x-checksum-sha256` is the manifest's, the one `welcome` announced.
 */
export async function agentBundleRoutes(app: FastifyInstance, options: AgentBundleRouteOptions) {
  const authenticateAgent = agentAuthenticator(app, 'downloads');

  app.route({
    method: 'GET',
    url: AGENT_BUNDLE_PATH,
    schema: {
      tags: ['Agents'],
      summary:
        'The agent bundle of the latest version, for auto-upgrade (Authorization: Bearer opa_…); its SHA-256 in x-checksum-sha256',
    },
    config: { access: 'public' },
    preValidation: authenticateAgent,
    handler: async (request, reply) => {
      const manifest = await app.agentDownloads.manifest();
      // The manifest names a file in the dist folder, never a path elsewhere.
      if (path.basename(manifest.bundle) !== manifest.bundle)
        throw new Error(`manifest.json names a bundle outside ${options.agentDistDir}`);
      const file = path.join(options.agentDistDir, manifest.bundle);
      const { size } = await stat(file);
      request.log.info({ agentId: request.agent?.id, version: manifest.version }, 'agent bundle download');
      return reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${manifest.bundle}"`)
        .header('x-agent-version', manifest.version)
        .header('x-checksum-sha256', manifest.sha256)
        .header('cache-control', 'no-store')
        .send(createReadStream(file));
    },
  });
}
