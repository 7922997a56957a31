import { fileURLToPath } from 'node:url';

/** Where the committed migrations live in the source tree (bundles copy them beside themselves). */
export const sourceMigrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
