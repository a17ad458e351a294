import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads process.env. Precedence: flags (passed in as overrides),
 * then environment, then defaults. Validated once; everything else receives the object.
 */
const configSchema = z.object({
  databaseUrl: z.string().url().optional(),
  databaseReadUrl: z.string().url().optional(),
  dataDir: z.string().min(1),
  embeddedPgPort: z.coerce.number().int().min(1).max(65535),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  workerBatchEvents: z.coerce.number().int().min(1).max(100_000),
  workerPollMs: z.coerce.number().int().min(5).max(60_000),
  dbPoolSize: z.coerce.number().int().min(1).max(500),
  maxBacklogEvents: z.coerce.number().int().min(1),
  maxBacklogSeconds: z.coerce.number().int().min(1),
  maintenanceSeconds: z.coerce.number().int().min(1).max(86_400),
  cohortRefreshSeconds: z.coerce.number().int().min(1).max(604_800),
  insightCacheSeconds: z.coerce.number().int().min(0).max(86_400),
  flagCacheSeconds: z.coerce.number().int().min(1).max(3600),
  captureEventsPerSecond: z.coerce.number().min(0),
  captureBurstSeconds: z.coerce.number().min(1).max(3600),
  loginAttempts: z.coerce.number().int().min(0),
  loginWindowSeconds: z.coerce.number().int().min(1).max(86_400),
  lakeExportDir: z.string().min(1).optional(),
  lakeGraceDays: z.coerce.number().int().min(0).max(365),
  clickhouseUrl: z.string().min(1).optional(),
  clickhouseCluster: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a cluster name from remote_servers').optional(),
  clickhouseDatabase: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain database name'),
  debug: z.boolean(),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigOverrides = Partial<Config>;

const envNames: Partial<Record<keyof Config, string>> = {
  databaseUrl: 'DATABASE_URL',
  databaseReadUrl: 'DATABASE_READ_URL',
  dataDir: 'SOUNDER_DATA_DIR',
  embeddedPgPort: 'SOUNDER_PG_PORT',
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL',
  workerBatchEvents: 'SOUNDER_WORKER_BATCH_EVENTS',
  workerPollMs: 'SOUNDER_WORKER_POLL_MS',
  dbPoolSize: 'SOUNDER_DB_POOL_SIZE',
  maxBacklogEvents: 'SOUNDER_MAX_BACKLOG_EVENTS',
  maxBacklogSeconds: 'SOUNDER_MAX_BACKLOG_SECONDS',
  maintenanceSeconds: 'SOUNDER_MAINTENANCE_SECONDS',
  cohortRefreshSeconds: 'SOUNDER_COHORT_REFRESH_SECONDS',
  insightCacheSeconds: 'SOUNDER_INSIGHT_CACHE_SECONDS',
  flagCacheSeconds: 'SOUNDER_FLAG_CACHE_SECONDS',
  captureEventsPerSecond: 'SOUNDER_CAPTURE_EVENTS_PER_SECOND',
  captureBurstSeconds: 'SOUNDER_CAPTURE_BURST_SECONDS',
  loginAttempts: 'SOUNDER_LOGIN_ATTEMPTS',
  loginWindowSeconds: 'SOUNDER_LOGIN_WINDOW_SECONDS',
  lakeExportDir: 'SOUNDER_EXPORT_DIR',
  lakeGraceDays: 'SOUNDER_EXPORT_GRACE_DAYS',
  clickhouseUrl: 'CLICKHOUSE_URL',
  clickhouseCluster: 'CLICKHOUSE_CLUSTER',
  clickhouseDatabase: 'CLICKHOUSE_DATABASE',
};

export const configEnvironment = envNames;

const defaults: Record<keyof Config, unknown> = {
  databaseUrl: undefined,
  databaseReadUrl: undefined,
  dataDir: '.sounder',
  embeddedPgPort: 54329,
  port: 8000,
  host: '0.0.0.0',
  logLevel: 'info',
  workerBatchEvents: 5000,
  workerPollMs: 100,
  dbPoolSize: 10,
  // Past either limit capture answers 503 so SDKs hold events instead of the disk filling up.
  maxBacklogEvents: 5_000_000,
  maxBacklogSeconds: 900,
  // How often a worker runs partition maintenance (weeks ahead, default partitions, retention).
  maintenanceSeconds: 60,
  // Dynamic cohorts older than this are recomputed by the maintenance pass.
  cohortRefreshSeconds: 300,
  // An insight result is reused for this long at most (dashboards may ask for less).
  insightCacheSeconds: 60,
  // Another web process's flag edits reach this one's /flags within this long.
  flagCacheSeconds: 2,
  // Per project and web process; 0 lets every project send as fast as it likes.
  captureEventsPerSecond: 0,
  captureBurstSeconds: 10,
  // Failed logins per email address before logins for it wait out the window (0: no limit).
  loginAttempts: 10,
  loginWindowSeconds: 900,
  // Set: the maintenance loop writes each sealed week to this data lake directory (sounder export).
  lakeExportDir: undefined,
  // A week is exported once it ended this many days ago, so late events have arrived.
  lakeGraceDays: 1,
  // Set: events are also written to ClickHouse and the insights it computes read it there.
  clickhouseUrl: undefined,
  clickhouseCluster: undefined,
  clickhouseDatabase: 'sounder',
  debug: false,
};

export class ConfigError extends Error {}

/** Whether to print stack traces; readable even when the rest of the configuration is invalid. */
export function isDebug(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DEBUG);
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = { ...defaults };
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name as string];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  raw.debug = isDebug(env);
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') as keyof Config;
    const source = envNames[key] ? ` (${envNames[key]})` : '';
    throw new ConfigError(`invalid configuration ${key}${source}: ${issue.message}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
