import { Agent } from 'undici';
import { percentile } from '../ingest/send-requests.ts';
import { postgresCpuSeconds, treeCpuSeconds } from '../scale/process-cpu.ts';

/** Closed loop: `connections` callers, each sending as soon as its last answer came. Open loop: a fixed rate, whatever the answers do. */
export type LoadShape = { kind: 'connections'; connections: number } | { kind: 'rate'; perSecond: number };

export interface LatencyRow {
  load: LoadShape;
  requests: number;
  perSecond: number;
  failures: number;
  p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number;
  /** Open loop: how late the load generator sent requests at worst (its own CPU starvation), kept out of the latencies. */
  maxSlipMs: number;
  /** CPU milliseconds per request spent by the web process, PostgreSQL and the load generator. */
  cpuMsPerRequest: { web: number; postgres: number; loadGenerator: number };
}

export type Send = (agent: Agent, i: number) => Promise<number>;

const openLoopConnections = 64;

/**
 * Sends requests in `shape` for `seconds`. In the open loop a slow answer never delays the next
 * request, so a stalled server shows in the latencies; a late send (the generator itself short
 * of CPU on a shared machine) is reported as slip, not charged to the server.
 */
export async function driveLoad(shape: LoadShape, seconds: number, webPid: number, send: Send): Promise<LatencyRow> {
  const cpuBefore = { web: treeCpuSeconds(webPid), postgres: postgresCpuSeconds(), load: process.cpuUsage() };
  const agent = new Agent({ connections: shape.kind === 'connections' ? shape.connections : openLoopConnections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let maxSlipMs = 0;
  const timed = async () => {
    const sent = performance.now();
    const status = await send(agent, next++).catch(() => 0);
    latencies.push(performance.now() - sent);
    if (status !== 200) failures++;
  };
  if (shape.kind === 'connections') {
    await Promise.all(Array.from({ length: shape.connections }, async () => {
      while (performance.now() < until) await timed();
    }));
  } else {
    const inFlight = new Set<Promise<void>>();
    const total = Math.floor(shape.perSecond * seconds);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / shape.perSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      maxSlipMs = Math.max(maxSlipMs, performance.now() - due);
      const request = timed().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  }
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  const load = process.cpuUsage(cpuBefore.load);
  const perRequest = (cpuSeconds: number) => (cpuSeconds * 1000) / Math.max(1, latencies.length);
  latencies.sort((a, b) => a - b);
  return {
    load: shape,
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    failures,
    maxSlipMs,
    p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1) ?? 0,
    cpuMsPerRequest: {
      web: perRequest(treeCpuSeconds(webPid) - cpuBefore.web),
      postgres: perRequest(postgresCpuSeconds() - cpuBefore.postgres),
      loadGenerator: perRequest((load.user + load.system) / 1e6),
    },
  };
}
