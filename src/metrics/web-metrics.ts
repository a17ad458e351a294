import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { readBufferBacklog } from '../ingestion/buffer-backlog.ts';

interface WorkerRow { id: string; shards: number; events_total: number; batches_total: number; batch_seconds_total: number; person_merges_total: number }

/**
 * One registry per web process (and per app in tests). Request and event counts are kept in
 * memory; the buffer backlog, the workers' totals (from their heartbeat rows) and the pool are
 * read when Prometheus scrapes.
 */
export class WebMetrics {
  readonly registry = new Registry();
  readonly captureRequests: Counter<'endpoint' | 'status'>;
  readonly captureSeconds: Histogram<'endpoint' | 'status'>;
  readonly eventsAccepted: Counter;
  readonly eventsRejected: Counter<'reason'>;

  constructor(db: Queryable, pool?: Pool) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'sounder_web_' });
    this.captureRequests = new Counter({ name: 'sounder_capture_requests_total', help: 'Capture requests by endpoint and HTTP status', labelNames: ['endpoint', 'status'], registers });
    this.captureSeconds = new Histogram({
      name: 'sounder_capture_request_duration_seconds', help: 'Capture request latency', labelNames: ['endpoint', 'status'], registers,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.eventsAccepted = new Counter({ name: 'sounder_events_accepted_total', help: 'Events committed to the ingestion buffer', registers });
    this.eventsRejected = new Counter({ name: 'sounder_events_rejected_total', help: 'Events refused at capture, by reason', labelNames: ['reason'], registers });

    // One collector reads everything the database knows, once per scrape. prom-client collects
    // in registration order, so it is registered before the gauges it fills.
    new Gauge({
      name: 'sounder_metrics_scrape_database_ok', help: '1 when the database answered this scrape', registers,
      async collect() {
        try {
          const buffer = await readBufferBacklog(db);
          backlog.rows.set(buffer.rows);
          backlog.events.set(buffer.events);
          backlog.age.set(buffer.oldest_age_seconds);
          const { rows } = await runQuery<WorkerRow>(db, 'metrics.workers',
            `SELECT id, shards, events_total, batches_total, batch_seconds_total, person_merges_total
             FROM workers WHERE heartbeat_at > now() - interval '10 seconds'`);
          for (const gauge of [workers.shards, workers.events, workers.batches, workers.seconds, workers.merges]) gauge.reset();
          workers.live.set(rows.length);
          for (const row of rows) {
            workers.shards.set({ worker: row.id }, row.shards);
            workers.events.set({ worker: row.id }, row.events_total);
            workers.batches.set({ worker: row.id }, row.batches_total);
            workers.seconds.set({ worker: row.id }, row.batch_seconds_total);
            workers.merges.set({ worker: row.id }, row.person_merges_total);
          }
          this.set(1);
        } catch {
          this.set(0);
        }
      },
    });
    const backlog = { rows: new Gauge({ name: 'sounder_buffer_backlog_rows', help: 'Rows waiting in the ingestion buffer', registers }),
      events: new Gauge({ name: 'sounder_buffer_backlog_events', help: 'Events waiting in the ingestion buffer', registers }),
      age: new Gauge({ name: 'sounder_buffer_oldest_age_seconds', help: 'Age of the oldest waiting buffer row', registers }) };
    const workers = {
      live: new Gauge({ name: 'sounder_workers_live', help: 'Workers with a heartbeat in the last 10 seconds', registers }),
      shards: new Gauge({ name: 'sounder_worker_shards', help: 'Shards owned', labelNames: ['worker'], registers }),
      events: new Gauge({ name: 'sounder_worker_events_total', help: 'Events written by the worker (a counter kept in the worker)', labelNames: ['worker'], registers }),
      batches: new Gauge({ name: 'sounder_worker_batches_total', help: 'Batches committed by the worker', labelNames: ['worker'], registers }),
      seconds: new Gauge({ name: 'sounder_worker_batch_seconds_total', help: 'Time spent in committed batches', labelNames: ['worker'], registers }),
      merges: new Gauge({ name: 'sounder_worker_person_merges_total', help: 'Person merges performed', labelNames: ['worker'], registers }),
    };
    new Gauge({
      name: 'sounder_db_pool_connections', help: "This web process's database connections", labelNames: ['state'], registers,
      collect() {
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }
}
