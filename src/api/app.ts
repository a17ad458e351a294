import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerCaptureRoutes } from '../capture/capture-routes.ts';
import { registerFlagsRoutes } from '../capture/flags-routes.ts';
import { BacklogGuard, type BacklogLimits } from '../capture/backlog-guard.ts';
import { CaptureRateLimiter, type RateLimit } from '../capture/rate-limiter.ts';
import fastifyCookie from '@fastify/cookie';
import { LoginLimiter, type LoginLimit } from '../accounts/login-limiter.ts';
import { isDatabaseUnavailable, type Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';
import { WebMetrics } from '../metrics/web-metrics.ts';
import type { Pool } from '../db/pool.ts';
import { registerEventsRoutes } from './events-routes.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerPersonsRoutes } from './persons-routes.ts';
import { registerActionsRoutes } from './actions-routes.ts';
import { registerCohortsRoutes } from './cohorts-routes.ts';
import { registerDashboardsRoutes } from './dashboards-routes.ts';
import { createInsightRunner } from './insight-request.ts';
import { registerInsightsRoutes } from './insights-routes.ts';
import { registerProjectRoutes } from './project-routes.ts';
import { registerSavedInsightsRoutes } from './saved-insights-routes.ts';
import { InvalidQueryError } from '../query/query-error.ts';
import { TokenCache } from '../capture/token-cache.ts';
import { FlagDefinitionsCache } from '../flags/flag-definitions-cache.ts';
import { registerFeatureFlagsRoutes } from './feature-flags-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerInstanceRoutes } from './instance-routes.ts';
import { registerOrganizationRoutes } from './organization-routes.ts';
import { registerPersonalApiKeysRoutes } from './personal-api-keys-routes.ts';
import { registerWebAppRoutes } from './web-app-routes.ts';
import { registerDefinitionsRoutes } from './definitions-routes.ts';

declare module 'fastify' {
  interface FastifyInstance { routeTable: { method: string; url: string }[] }
}

export interface AppOptions {
  db: Pool;
  /** Reads (REST API) may go to a replica. */
  readDb?: Queryable;
  logLevel?: string;
  /** The pool behind `db`, for its connection gauges in /metrics. */
  pool?: Pool;
  /** Back-pressure limits; none means capture never refuses for backlog. */
  backlogLimits?: BacklogLimits;
  /** Events per second per project on this process; none or 0 means no limit. */
  captureRateLimit?: RateLimit;
  /** Longest an insight result is reused (0: never). */
  insightCacheSeconds?: number;
  /** How long flag definitions are served from memory before a reload (edits on another web process show up after this). */
  flagCacheSeconds?: number;
  /** Failed logins per email address per window before logins wait (attempts 0: no limit). */
  loginLimit?: LoginLimit;
  /** The ClickHouse events store, when CLICKHOUSE_URL is set: insights read it. */
  clickhouse?: ClickHouseStore;
}

/** The web tier: SDK endpoints, REST API and health, in separate contexts with their own parsers and errors. */
export async function buildApp({ db, readDb = db, logLevel = 'info', backlogLimits, captureRateLimit, pool, insightCacheSeconds = 60, flagCacheSeconds = 2, loginLimit = { attempts: 10, windowSeconds: 900 }, clickhouse }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: logLevel },
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // One log line per request would cost more than the request at capture rates.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Every route, as registered: the isolation test walks this table, so a new route is covered by it.
  const routeTable: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });
  app.decorate('routeTable', routeTable);

  const metrics = new WebMetrics(db, pool);
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  const backlog = backlogLimits ? new BacklogGuard(db, backlogLimits) : undefined;
  if (backlog) {
    backlog.start();
    app.addHook('onClose', async () => backlog.stop());
  }
  const flagCache = new FlagDefinitionsCache(db, { freshMs: flagCacheSeconds * 1000, staleMs: Math.max(60_000, flagCacheSeconds * 10_000) });
  await app.register(async (sdk) => {
    const rateLimiter = captureRateLimit && captureRateLimit.eventsPerSecond > 0 ? new CaptureRateLimiter(captureRateLimit) : undefined;
    // One token cache for capture and flags: a token looked up by one is known to the other.
    const tokens = new TokenCache(db);
    await registerCaptureRoutes(sdk, { db, tokens, backlog, rateLimiter, metrics });
    await registerFlagsRoutes(sdk, { db, tokens, flagCache });
  });

  await app.register(async (api) => {
    await api.register(fastifyCookie);
    api.setErrorHandler((error, request, reply) => {
      if (error instanceof ApiError) {
        if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
        return reply.code(error.statusCode).send(error.toBody());
      }
      if (error instanceof InvalidQueryError) return reply.code(400).send(new ApiError('invalid_input', error.message, error.attr).toBody());
      if ((error as { code?: string }).code === '2201B') {
        return reply.code(400).send(new ApiError('invalid_input', 'invalid regular expression in a property filter', 'properties').toBody());
      }
      if (isDatabaseUnavailable(error)) return reply.code(503).header('Retry-After', '5').send(new ApiError('unavailable').toBody());
      const status = (error as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) return reply.code(status).send(new ApiError('invalid_input', (error as Error).message).toBody());
      request.log.error({ err: error }, 'api request failed');
      return reply.code(500).send(new ApiError('internal').toBody());
    });
    await registerAuthRoutes(api, { db, loginLimiter: new LoginLimiter(db, loginLimit) });
    await registerOrganizationRoutes(api, { db });
    await registerInstanceRoutes(api, { db });
    await registerPersonalApiKeysRoutes(api, { db });
    await registerEventsRoutes(api, { db, readDb, clickhouse });
    await registerDefinitionsRoutes(api, { db, readDb, clickhouse });
    await registerPersonsRoutes(api, { db, readDb, clickhouse });
    const runner = createInsightRunner(readDb, insightCacheSeconds, clickhouse);
    await registerProjectRoutes(api, { db });
    await registerInsightsRoutes(api, { db, readDb, runner });
    await registerSavedInsightsRoutes(api, { db, runner });
    await registerDashboardsRoutes(api, { db, runner });
    await registerActionsRoutes(api, { db });
    await registerFeatureFlagsRoutes(api, { db, readDb, flagCache, clickhouse });
    await registerCohortsRoutes(api, { db, pool: db, clickhouse });
  });

  await registerWebAppRoutes(app);

  await registerHealthRoutes(app, db, backlog);
  return app;
}
