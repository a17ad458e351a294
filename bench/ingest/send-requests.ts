import { Agent, request } from 'undici';
import type { PreparedRequest } from './prepare-requests.ts';

export interface SendResult { latenciesMs: number[]; failures: number; retries: number; seconds: number }

/** Sends every request over `connections` keep-alive connections; 503s are retried as SDKs do. */
export async function sendRequests(baseUrl: string, requests: PreparedRequest[], connections: number): Promise<SendResult> {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latenciesMs: number[] = [];
  let next = 0;
  let failures = 0;
  let retries = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < requests.length) {
      const item = requests[next++]!;
      for (let attempt = 0; ; attempt++) {
        const sent = performance.now();
        const response = await request(`${baseUrl}${item.path}`, { method: 'POST', body: item.body, headers: item.headers, dispatcher: agent });
        await response.body.dump();
        latenciesMs.push(performance.now() - sent);
        if (response.statusCode === 200) break;
        if (response.statusCode === 503 && attempt < 20) {
          retries++;
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        failures++;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { latenciesMs, failures, retries, seconds };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
