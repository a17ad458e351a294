import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { buildElementsChain } from '../../src/capture/elements-chain.ts';
import { copyLine } from '../../src/ingestion/copy-text.ts';
import { generateWorkload, type WorkloadEvent, type WorkloadOptions } from '../workload/generate-workload.ts';
import { Random } from '../workload/random.ts';

export interface PreparedRequest { path: string; body: Buffer; headers: Record<string, string>; events: number }

export interface PreparedWorkload { requests: PreparedRequest[]; events: number; jsonBytes: number; wireBytes: number }

const batchSize = 100;

/** posthog-node sends {api_key, batch} gzip JSON to /batch/; posthog-js a gzip array to /e/?compression=gzip-js. */
function toRequest(batch: WorkloadEvent[], token: string, index: number, withUuids: boolean): { request: PreparedRequest; jsonBytes: number } {
  if (!withUuids) batch = batch.map(({ uuid: _uuid, ...event }) => event as WorkloadEvent);
  if (index % 2 === 0) {
    const json = JSON.stringify({ api_key: token, batch });
    return { request: { path: '/batch/', body: gzipSync(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, events: batch.length }, jsonBytes: json.length };
  }
  const json = JSON.stringify(batch.map((event) => ({ ...event, properties: { ...event.properties, token } })));
  return { request: { path: '/e/?compression=gzip-js&ver=1.449.2', body: gzipSync(json), headers: { 'content-type': 'text/plain' }, events: batch.length }, jsonBytes: json.length };
}

/**
 * Turns workload events into COPY lines of `events` as a worker would store them (each distinct
 * id with a person id of its own, `$elements` as an elements chain).
 */
export function createCopyRowBuilder(projectId: number, seed: number): (event: WorkloadEvent) => string {
  const personIds = new Map<string, string>();
  const random = new Random(seed ^ 0x5eed);
  return (event) => {
    const { $elements, ...properties } = event.properties;
    let personId = personIds.get(event.distinct_id);
    if (!personId) personIds.set(event.distinct_id, personId = random.uuid());
    return copyLine([event.uuid, String(projectId), event.event, event.distinct_id, personId, JSON.stringify({ ...properties, $ip: '127.0.0.1' }),
      buildElementsChain($elements), event.timestamp]);
  };
}

/**
 * Builds every HTTP request body before the clock starts, and writes the same events as COPY
 * rows (the shape the worker stores) to `copyFile` for the raw-COPY ceiling. Without uuids,
 * capture assigns fresh ones, so the same bodies can be replayed as new events.
 */
export async function prepareWorkload(options: WorkloadOptions, token: string, projectId: number, copyFile: string, withUuids = true): Promise<PreparedWorkload> {
  const requests: PreparedRequest[] = [];
  const copyOut = createWriteStream(copyFile);
  const copyRow = createCopyRowBuilder(projectId, options.seed);
  let batch: WorkloadEvent[] = [];
  let jsonBytes = 0;
  let events = 0;
  let copyChunk = '';
  const flush = async () => {
    if (!copyOut.write(copyChunk)) await once(copyOut, 'drain');
    copyChunk = '';
  };
  for (const event of generateWorkload(options)) {
    batch.push(event);
    events++;
    copyChunk += copyRow(event);
    if (copyChunk.length > 1 << 20) await flush();
    if (batch.length === batchSize) {
      const { request, jsonBytes: bytes } = toRequest(batch, token, requests.length, withUuids);
      requests.push(request);
      jsonBytes += bytes;
      batch = [];
    }
  }
  if (batch.length > 0) {
    const { request, jsonBytes: bytes } = toRequest(batch, token, requests.length, withUuids);
    requests.push(request);
    jsonBytes += bytes;
  }
  await flush();
  copyOut.end();
  await once(copyOut, 'finish');
  return { requests, events, jsonBytes, wireBytes: requests.reduce((sum, r) => sum + r.body.length, 0) };
}
