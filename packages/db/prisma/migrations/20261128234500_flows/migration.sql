-- CreateEnum
CREATE TYPE "ScriptKind" AS ENUM ('TRANSFORM', 'FILTER');

-- CreateEnum
CREATE TYPE "FlowRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "FlowRunTrigger" AS ENUM ('MANUAL', 'SCHEDULE');

-- CreateTable
CREATE TABLE "Export" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "connectionId" UUID NOT NULL,
    "settings" JSONB NOT NULL,
    "lastValue" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Export_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Import" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "connectionId" UUID NOT NULL,
    "settings" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Import_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Script" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" "ScriptKind" NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Script_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Flow" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "schedule" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "nextRunAt" TIMESTAMPTZ(3),
    "pageSize" INTEGER NOT NULL DEFAULT 500,
    "exportId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Flow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowScript" (
    "flowId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "scriptId" UUID NOT NULL,

    CONSTRAINT "FlowScript_pkey" PRIMARY KEY ("flowId","position")
);

-- CreateTable
CREATE TABLE "FlowImport" (
    "flowId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "importId" UUID NOT NULL,

    CONSTRAINT "FlowImport_pkey" PRIMARY KEY ("flowId","position")
);

-- CreateTable
CREATE TABLE "FlowRun" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "flowId" UUID NOT NULL,
    "status" "FlowRunStatus" NOT NULL DEFAULT 'QUEUED',
    "trigger" "FlowRunTrigger" NOT NULL DEFAULT 'MANUAL',
    "triggeredBy" TEXT,
    "recordsRead" INTEGER NOT NULL DEFAULT 0,
    "recordsWritten" INTEGER NOT NULL DEFAULT 0,
    "recordsFailed" INTEGER NOT NULL DEFAULT 0,
    "pagesDone" INTEGER NOT NULL DEFAULT 0,
    "cursor" JSONB,
    "error" TEXT,
    "claimedBy" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "FlowRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowRunRecordError" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "page" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "stage" TEXT NOT NULL,
    "step" TEXT NOT NULL DEFAULT '',
    "message" TEXT NOT NULL,
    "record" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlowRunRecordError_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowRunLog" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlowRunLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountMigration" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "startedById" UUID,
    "report" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountMigration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Export_connectionId_idx" ON "Export"("connectionId");

-- CreateIndex
CREATE UNIQUE INDEX "Export_scopeId_name_key" ON "Export"("scopeId", "name");

-- CreateIndex
CREATE INDEX "Import_connectionId_idx" ON "Import"("connectionId");

-- CreateIndex
CREATE UNIQUE INDEX "Import_scopeId_name_key" ON "Import"("scopeId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Script_scopeId_name_key" ON "Script"("scopeId", "name");

-- CreateIndex
CREATE INDEX "Flow_exportId_idx" ON "Flow"("exportId");

-- CreateIndex
CREATE INDEX "Flow_nextRunAt_idx" ON "Flow"("nextRunAt");

-- CreateIndex
CREATE UNIQUE INDEX "Flow_scopeId_name_key" ON "Flow"("scopeId", "name");

-- CreateIndex
CREATE INDEX "FlowScript_scriptId_idx" ON "FlowScript"("scriptId");

-- CreateIndex
CREATE INDEX "FlowImport_importId_idx" ON "FlowImport"("importId");

-- CreateIndex
CREATE INDEX "FlowRun_scopeId_createdAt_idx" ON "FlowRun"("scopeId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "FlowRun_flowId_createdAt_idx" ON "FlowRun"("flowId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "FlowRun_status_idx" ON "FlowRun"("status");

-- CreateIndex
CREATE INDEX "FlowRunRecordError_runId_id_idx" ON "FlowRunRecordError"("runId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "FlowRunRecordError_runId_stage_step_page_index_key" ON "FlowRunRecordError"("runId", "stage", "step", "page", "index");

-- CreateIndex
CREATE INDEX "FlowRunLog_runId_id_idx" ON "FlowRunLog"("runId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "AccountMigration_accountId_key" ON "AccountMigration"("accountId");

-- AddForeignKey
ALTER TABLE "Export" ADD CONSTRAINT "Export_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Export" ADD CONSTRAINT "Export_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Import" ADD CONSTRAINT "Import_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Import" ADD CONSTRAINT "Import_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Script" ADD CONSTRAINT "Script_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flow" ADD CONSTRAINT "Flow_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flow" ADD CONSTRAINT "Flow_exportId_fkey" FOREIGN KEY ("exportId") REFERENCES "Export"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowScript" ADD CONSTRAINT "FlowScript_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowScript" ADD CONSTRAINT "FlowScript_scriptId_fkey" FOREIGN KEY ("scriptId") REFERENCES "Script"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowImport" ADD CONSTRAINT "FlowImport_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowImport" ADD CONSTRAINT "FlowImport_importId_fkey" FOREIGN KEY ("importId") REFERENCES "Import"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowRun" ADD CONSTRAINT "FlowRun_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowRun" ADD CONSTRAINT "FlowRun_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowRunRecordError" ADD CONSTRAINT "FlowRunRecordError_runId_fkey" FOREIGN KEY ("runId") REFERENCES "FlowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowRunLog" ADD CONSTRAINT "FlowRunLog_runId_fkey" FOREIGN KEY ("runId") REFERENCES "FlowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountMigration" ADD CONSTRAINT "AccountMigration_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

