import type { Database } from '@outpost/db/client';
import { AppError, conflict } from '../../errors.ts';
import type { AgentEvents } from '../agents/events.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { type EnvironmentChange, getEnvironment, isBuiltIn } from './service.ts';
import { activeRunCount, countScopeResources, describeCounts } from './usage.ts';

/**
 * Deletes an environment of a multi-environment account with its scope. An environment that holds
 * resources goes only with `cascade`, which deletes them too: its agents' sessions close as when an
 * agent is deleted. Refused while a flow run of it is queued or running (cancel those first), and
 * for Production and Sandbox, which every account has.
 */
export async function deleteEnvironment(
  deps: { db: Database; events: AgentEvents },
  { accountId, actor, environmentId, request }: EnvironmentChange,
  { cascade }: { cascade: boolean },
): Promise<void> {
  const { scopeId, agentIds } = await deps.db.$transaction(
    async (tx) => {
      // The account row first, as environment creation and the migration do.
      await tx.$queryRaw`SELECT id FROM "Account" WHERE id = ${accountId}::uuid FOR UPDATE`;
      const environment = await getEnvironment(tx, accountId, environmentId);
      if (isBuiltIn(environment.slug)) {
        throw conflict(`${environment.name} is part of every account and cannot be deleted`);
      }
      const { scopeId } = environment;
      // Creates lock the scope row too (limits.ts): nothing is added while this runs.
      await tx.$queryRaw`SELECT id FROM "Scope" WHERE id = ${scopeId}::uuid FOR UPDATE`;
      const sharedWith = await tx.environment.count({ where: { scopeId, NOT: { id: environment.id } } });
      if (sharedWith > 0) throw conflict(`${environment.name} shares its resources with another environment`);
      const counts = await countScopeResources(tx, scopeId);
      const holds = describeCounts(counts);
      if (holds && !cascade) {
        throw new AppError(
          'environment_not_empty',
          `${environment.name} still holds ${holds}: delete them first, or delete the environment with cascade=true to delete them with it`,
        );
      }
      const activeRuns = await activeRunCount(tx, scopeId);
      if (activeRuns > 0) {
        throw conflict(
          `${environment.name} has ${activeRuns === 1 ? 'a flow run' : `${activeRuns} flow runs`} queued or running: cancel ${activeRuns === 1 ? 'it' : 'them'} first`,
        );
      }
      const agents = await tx.agent.findMany({ where: { scopeId }, select: { id: true } });
      // Users before what they use: the references between resources restrict deletes.
      const where = { scopeId };
      await tx.flow.deleteMany({ where });
      await tx.flowRun.deleteMany({ where });
      await tx.export.deleteMany({ where });
      await tx.import.deleteMany({ where });
      await tx.script.deleteMany({ where });
      await tx.connection.deleteMany({ where });
      await tx.agent.deleteMany({ where });
      await tx.apiToken.deleteMany({ where });
      await tx.environment.delete({ where: { id: environment.id } });
      await tx.scope.delete({ where: { id: scopeId } });
      await recordAuditEvent(tx, {
        accountId,
        action: 'environment.deleted',
        actor,
        target: { type: 'environment', id: environment.id },
        metadata: { slug: environment.slug, name: environment.name, cascade, deleted: counts },
        request,
      });
      return { scopeId, agentIds: agents.map((agent) => agent.id) };
    },
    { timeout: 60_000 },
  );
  for (const agentId of agentIds) {
    deps.events.publishRevocation({ agentId, reason: 'agent_deleted' });
    deps.events.publishChange({ type: 'deleted', scopeId, agentId });
  }
}
