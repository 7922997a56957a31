import { defineConfig } from 'prisma/config';

// Used only by the Prisma CLI when authoring migrations (see README → Development).
// The product applies the committed migration.sql files itself at start-up.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/outpost_dev' },
});
