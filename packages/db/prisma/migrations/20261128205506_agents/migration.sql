-- CreateTable
CREATE TABLE "Agent" (
    "id" UUID NOT NULL,
    "scopeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "tokenDigest" TEXT NOT NULL,
    "tokenCiphertext" TEXT NOT NULL,
    "tokenLast4" TEXT NOT NULL,
    "tokenCreatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "autoUpgrade" BOOLEAN NOT NULL DEFAULT true,
    "sessionId" UUID,
    "version" TEXT,
    "hostname" TEXT,
    "os" TEXT,
    "arch" TEXT,
    "ipAddress" TEXT,
    "connectedAt" TIMESTAMPTZ(3),
    "lastSeenAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agent_tokenDigest_key" ON "Agent"("tokenDigest");

-- CreateIndex
CREATE INDEX "Agent_scopeId_createdAt_idx" ON "Agent"("scopeId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_scopeId_name_key" ON "Agent"("scopeId", "name");

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_scopeId_fkey" FOREIGN KEY ("scopeId") REFERENCES "Scope"("id") ON DELETE CASCADE ON UPDATE CASCADE;
