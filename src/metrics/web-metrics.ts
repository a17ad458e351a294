import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { readBufferBacklog } from '../ingestion/buffer-backlog.ts';

interface WorkerRow { id: string; shards: number; events_total: number; batches_total: number; batch_seconds_total: number; person_merges_total: number }
interface DatabaseSnapshot { ok: boolean; buffer: Awaited<ReturnType<typeof readBufferBacklog>>; workers: WorkerRow[] }

// prom-client collects all metrics of a scrape concurrently: one snapshot serves them all.
const snapshotReuseMs = 500;

async function readSnapshot(db: Queryable): Promise<DatabaseSnapshot> {
  try {
    const buffer = await readBufferBacklog(db);
    const { rows: workers } = await runQuery<WorkerRow>(db, 'metrics.workers',
      `SELECT id, shards, events_total, batches_total, batch_seconds_total, person_merges_total
       FROM workers WHERE heartbeat_at > now() - interval '10 seconds'`);
    return { ok: true, buffer, workers };
  } catch {
    return { ok: false, buffer: { rows: 0, events: 0, oldest_age_seconds: 0 }, workers: [] };
  }
}

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
  private snapshot: { at: number; value: Promise<DatabaseSnapshot> } | undefined;

  constructor(private readonly db: Queryable, pool?: Pool) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'sounder_web_' });
    this.captureRequests = new Counter({ name: 'sounder_capture_requests_total', help: 'Capture requests by endpoint and HTTP status', labelNames: ['endpoint', 'status'], registers });
    this.captureSeconds = new Histogram({
      name: 'sounder_capture_request_duration_seconds', help: 'Capture request latency', labelNames: ['endpoint', 'status'], registers,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.eventsAccepted = new Counter({ name: 'sounder_events_accepted_total', help: 'Events committed to the ingestion buffer', registers });
    this.eventsRejected = new Counter({ name: 'sounder_events_rejected_total', help: 'Events refused at capture, by reason', labelNames: ['reason'], registers });

    const fromDatabase = (name: string, help: string, read: (snapshot: DatabaseSnapshot) => number) => {
      const snapshot = () => this.readSnapshot();
      new Gauge({ name, help, registers, async collect() { this.set(read(await snapshot())); } });
    };
    fromDatabase('sounder_metrics_scrape_database_ok', '1 when the database answered this scrape', (s) => (s.ok ? 1 : 0));
    fromDatabase('sounder_buffer_backlog_rows', 'Rows waiting in the ingestion buffer', (s) => s.buffer.rows);
    fromDatabase('sounder_buffer_backlog_events', 'Events waiting in the ingestion buffer', (s) => s.buffer.events);
    fromDatabase('sounder_buffer_oldest_age_seconds', 'Age of the oldest waiting buffer row', (s) => s.buffer.oldest_age_seconds);
    fromDatabase('sounder_workers_live', 'Workers with a heartbeat in the last 10 seconds', (s) => s.workers.length);

    const perWorker = (name: string, help: string, read: (row: WorkerRow) => number) => {
      const snapshot = () => this.readSnapshot();
      new Gauge({
        name, help, labelNames: ['worker'], registers,
        async collect() {
          this.reset();
          for (const row of (await snapshot()).workers) this.set({ worker: row.id }, read(row));
        },
      });
    };
    perWorker('sounder_worker_shards', 'Shards owned', (row) => row.shards);
    // Totals kept by each worker process; exported as gauges because they are read, not counted, here.
    perWorker('sounder_worker_events_total', 'Events written by the worker since it started', (row) => row.events_total);
    perWorker('sounder_worker_batches_total', 'Batches committed by the worker since it started', (row) => row.batches_total);
    perWorker('sounder_worker_batch_seconds_total', 'Time spent in committed batches', (row) => row.batch_seconds_total);
    perWorker('sounder_worker_person_merges_total', 'Person merges performed', (row) => row.person_merges_total);

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

  private readSnapshot(): Promise<DatabaseSnapshot> {
    if (!this.snapshot || Date.now() - this.snapshot.at > snapshotReuseMs) {
      this.snapshot = { at: Date.now(), value: readSnapshot(this.db) };
    }
    return this.snapshot.value;
  }
}
