-- CreateEnum
CREATE TYPE "ConnectionType" AS ENUM ('HTTP', 'POSTGRES', 'MYSQL');

-- CreateEnum
CREATE TYPE "ConnectionMode" AS ENUM ('CLOUD', 'ON_PREMISE');

-- CreateTable
CREATE TABLE "Connection" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "ConnectionType" NOT NULL,
    "mode" "ConnectionMode" NOT NULL DEFAULT 'CLOUD',
    "agentId" UUID,
    "settings" JSONB NOT NULL,
    "secretsCiphertext" TEXT,
    "oauthTokenCiphertext" TEXT,
    "oauthTokenExpiresAt" TIMESTAMPTZ(3),
    "oauthStateDigest" TEXT,
    "oauthStateCiphertext" TEXT,
    "oauthStateExpiresAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Connection_oauthStateDigest_key" ON "Connection"("oauthStateDigest");

-- CreateIndex
CREATE INDEX "Connection_agentId_idx" ON "Connection"("agentId");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_scopeId_name_key" ON "Connection"("scopeId", "name");

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
