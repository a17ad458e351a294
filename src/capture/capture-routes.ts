import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, type Queryable } from '../db/pool.ts';
import { parseClientTime } from './event-time.ts';
import { appendToBuffer } from './append-to-buffer.ts';
import { normaliseEvent } from './normalise-event.ts';
import { CaptureError } from './capture-error.ts';
import { decodeCaptureBody } from './decode-body.ts';
import { extractEvents } from './extract-events.ts';
import type { TokenCache } from './token-cache.ts';
import type { BacklogGuard } from './backlog-guard.ts';
import type { CaptureRateLimiter } from './rate-limiter.ts';
import type { WebMetrics } from '../metrics/web-metrics.ts';
import { sendCorsHeaders } from './cors.ts';
import { flatQuery } from './flat-query.ts';

export const singleEventBodyLimit = 2 * 1024 * 1024;
export const batchBodyLimit = 20 * 1024 * 1024;
// Compressed bodies may expand; past this many decoded bytes a body is treated as a gzip bomb.
const decodedLimitFactor = 10;

const capturePaths: Array<{ path: string; limit: number; forcedName?: string }> = [
  { path: '/e', limit: singleEventBodyLimit },
  { path: '/capture', limit: singleEventBodyLimit },
  { path: '/track', limit: singleEventBodyLimit },
  { path: '/i/v0/e', limit: singleEventBodyLimit },
  { path: '/engage', limit: singleEventBodyLimit, forcedName: '$identify' },
  { path: '/batch', limit: batchBodyLimit },
];

interface CaptureDeps { db: Queryable; tokens: TokenCache; backlog?: BacklogGuard; rateLimiter?: CaptureRateLimiter; metrics?: WebMetrics }

async function handleCapture(deps: CaptureDeps, request: FastifyRequest, limit: number, forcedName?: string) {
  const receivedAt = new Date();
  const query = flatQuery(request.query);
  const decoded = decodeCaptureBody({
    query,
    contentEncoding: request.headers['content-encoding'],
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
  }, limit * decodedLimitFactor);
  const extracted = extractEvents(decoded.payload, decoded.formApiKey, forcedName);
  if (!extracted.token) {
    throw new CaptureError(401, 'authentication_error', 'invalid_api_key', 'no project API token in the request (api_key, token or properties.token)');
  }
  const project = await deps.tokens.projectFor(extracted.token);
  if (project === undefined) {
    throw new CaptureError(401, 'authentication_error', 'invalid_api_key', 'project API token is not valid');
  }
  const projectId = project.id;
  const refusal = deps.backlog?.refusal;
  if (refusal) throw new CaptureError(503, 'server_error', 'backlog_full', `ingestion is behind: ${refusal}; retry later`, {}, 10);
  const rate = extracted.accepted.length > 0 ? deps.rateLimiter?.take(projectId, extracted.accepted.length) : undefined;
  if (rate && !rate.allowed) {
    deps.metrics?.eventsRejected.inc({ reason: 'rate_limited' }, extracted.accepted.length);
    throw new CaptureError(429, 'throttled_error', 'rate_limited',
      `this project is over its capture rate limit on this server; none of the ${extracted.accepted.length} events were stored, retry in ${rate.retryAfterSeconds} s`,
      {}, rate.retryAfterSeconds);
  }
  if (extracted.accepted.length > 0) {
    const facts = { receivedAt, sentAt: parseClientTime(query._) ?? parseClientTime(extracted.sentAt), ip: request.ip, anonymizeIp: project.anonymizeIps };
    await appendToBuffer(deps.db, { projectId, receivedAt, events: extracted.accepted.map((event) => normaliseEvent(event, facts)) });
    deps.metrics?.eventsAccepted.inc(extracted.accepted.length);
  }
  for (const { reason } of extracted.rejected) deps.metrics?.eventsRejected.inc({ reason });
  if (extracted.rejected.length > 0) {
    const first = extracted.rejected[0]!;
    throw new CaptureError(400, 'validation_error', 'invalid_events',
      `${extracted.rejected.length} of ${extracted.rejected.length + extracted.accepted.length} events rejected; first at index ${first.index}: ${first.reason}`,
      { accepted: extracted.accepted.length, rejected: extracted.rejected });
  }
  return { status: 1 };
}

export function sendCaptureError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  sendCorsHeaders(request, reply);
  if (error instanceof CaptureError) {
    if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
    return reply.code(error.statusCode).send(error.toBody());
  }
  const code = (error as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(413).send({ type: 'validation_error', code: 'payload_too_large', detail: (error as Error).message });
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'capture: database unavailable');
    return reply.code(503).header('Retry-After', '5').send({ type: 'server_error', code: 'storage_unavailable', detail: 'the event store is unreachable; retry later' });
  }
  request.log.error({ err: error }, 'capture failed');
  return reply.code(500).send({ type: 'server_error', code: 'internal', detail: 'internal error' });
}

/** The SDK endpoints, each at both /path and /path/, for GET, POST and CORS preflight. */
export async function registerCaptureRoutes(app: FastifyInstance, deps: CaptureDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, request, reply) => sendCaptureError(error, request, reply));
  const { metrics } = deps;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const labels = { endpoint: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) };
      metrics.captureRequests.inc(labels);
      metrics.captureSeconds.observe(labels, reply.elapsedTime / 1000);
    });
  }

  for (const { path, limit, forcedName } of capturePaths) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      sendCorsHeaders(request, reply);
      return handleCapture(deps, request, limit, forcedName);
    };
    app.route({ method: ['GET', 'POST'], url: path, bodyLimit: limit, handler });
    app.options(path, (request, reply) => { sendCorsHeaders(request, reply); reply.code(200).send(); });
  }
}
