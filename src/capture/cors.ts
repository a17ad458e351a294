import type { FastifyReply, FastifyRequest } from 'fastify';

/** SDK endpoints are called from any site: echo the caller's origin and requested headers. */
export function sendCorsHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  reply.header('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) reply.header('Access-Control-Allow-Credentials', 'true');
  reply.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  reply.header('Access-Control-Allow-Headers', request.headers['access-control-request-headers'] ?? 'Content-Type, Authorization');
  reply.header('Access-Control-Max-Age', '86400');
  reply.header('Vary', 'Origin');
}
