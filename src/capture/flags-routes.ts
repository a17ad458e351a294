import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticatePersonalApiKey } from '../accounts/personal-api-keys.ts';
import type { Queryable } from '../db/pool.ts';
import type { FlagDefinitionsCache } from '../flags/flag-definitions-cache.ts';
import { flagsAnswerBody, type AnswerShape } from '../flags/flags-answer.ts';
import { evaluateFlagsRequest } from '../flags/evaluate-request.ts';
import { localEvaluationBody } from '../flags/local-evaluation-definitions.ts';
import { CaptureError } from './capture-error.ts';
import { sendCorsHeaders } from './cors.ts';
import { decodeCaptureBody } from './decode-body.ts';
import { flatQuery } from './flat-query.ts';
import { parseFlagsRequest } from './flags-request.ts';
import { flagsConfig, remoteConfig, remoteConfigScript } from './remote-config.ts';
import type { TokenCache } from './token-cache.ts';

const flagsBodyLimit = 1024 * 1024;
const decodedLimit = 10 * flagsBodyLimit;

interface FlagsDeps { db: Queryable; tokens: TokenCache; flagCache: FlagDefinitionsCache }

const invalidToken = () => new CaptureError(401, 'authentication_error', 'invalid_api_key', 'project API token is not valid');

async function projectFor(tokens: TokenCache, token: string | undefined): Promise<number> {
  if (!token) throw new CaptureError(401, 'authentication_error', 'invalid_api_key', 'the token query parameter (project API token) is required');
  const projectId = await tokens.projectIdFor(token);
  if (projectId === undefined) throw invalidToken();
  return projectId;
}

/** Local evaluation needs a personal API key of the token's own project, as PostHog's secret key. */
async function authorizeDefinitions(db: Queryable, request: FastifyRequest, projectId: number): Promise<void> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new CaptureError(401, 'authentication_error', 'not_authenticated', 'send Authorization: Bearer <personal API key> to fetch flag definitions');
  const key = await authenticatePersonalApiKey(db, match[1]!);
  if (!key) throw new CaptureError(401, 'authentication_error', 'invalid_key', 'personal API key is not valid');
  if (key.projectId !== projectId) throw new CaptureError(403, 'authentication_error', 'permission_denied', 'this personal API key belongs to another project');
}

/** /decide, /flags, local-evaluation definitions and posthog-js' remote configuration. */
export async function registerFlagsRoutes(app: FastifyInstance, { db, tokens, flagCache }: FlagsDeps): Promise<void> {
  const answerFlags = (endpoint: AnswerShape['endpoint']) => async (request: FastifyRequest, reply: FastifyReply) => {
    sendCorsHeaders(request, reply);
    const query = flatQuery(request.query);
    const decoded = decodeCaptureBody({
      query,
      contentEncoding: request.headers['content-encoding'],
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
    }, decodedLimit);
    const flagsRequest = parseFlagsRequest(decoded.payload, decoded.formApiKey);
    const projectId = await projectFor(tokens, flagsRequest.token);
    const version = Number.parseInt(query.v ?? '1', 10);
    const shape = { endpoint, version: Number.isFinite(version) ? version : 1 };
    const outcome = await evaluateFlagsRequest(db, flagCache, projectId, flagsRequest, request.log);
    return {
      ...flagsConfig(),
      ...flagsAnswerBody(outcome.results, shape, outcome.errorsWhileComputingFlags),
      quotaLimited: [],
      requestId: randomUUID(),
      evaluatedAt: Date.now(),
    };
  };
  for (const [path, endpoint] of [['/decide', 'decide'], ['/flags', 'flags']] as const) {
    app.route({ method: ['GET', 'POST'], url: path, bodyLimit: flagsBodyLimit, handler: answerFlags(endpoint) });
    app.options(path, (request, reply) => { sendCorsHeaders(request, reply); reply.send(); });
  }

  const serveDefinitions = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = flatQuery(request.query);
    const projectId = await projectFor(tokens, query.token);
    await authorizeDefinitions(db, request, projectId);
    const body = localEvaluationBody(await flagCache.get(projectId), query.send_cohorts !== undefined);
    reply.header('ETag', body.etag);
    if (request.headers['if-none-match'] === body.etag) return reply.code(304).send();
    return reply.type('application/json').send(body.json);
  };
  app.get('/flags/definitions', serveDefinitions);
  app.get('/api/feature_flag/local_evaluation', serveDefinitions);

  const hasFlags = async (token: string) => {
    const projectId = await tokens.projectIdFor(token);
    if (projectId === undefined) return false;
    return (await flagCache.get(projectId)).flags.some((flag) => flag.active);
  };
  app.get<{ Params: { token: string } }>('/array/:token/config', async (request, reply) => {
    sendCorsHeaders(request, reply);
    return remoteConfig(request.params.token, await hasFlags(request.params.token));
  });
  app.get<{ Params: { token: string } }>('/array/:token/config.js', async (request, reply) => {
    sendCorsHeaders(request, reply);
    reply.type('application/javascript');
    return remoteConfigScript(request.params.token, await hasFlags(request.params.token));
  });
}
