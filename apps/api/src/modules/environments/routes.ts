import type { FastifyInstance } from 'fastify';

export async function environmentRoutes(_app: FastifyInstance) {}
