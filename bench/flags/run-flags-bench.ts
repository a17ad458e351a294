import { request } from 'undici';
import { createProject } from '../../src/accounts/projects.ts';
import { createPool } from '../../src/db/pool.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { loadWorkloadEvents } from '../partition/load-events.ts';
import { derivePersons } from '../queries/derive-persons.ts';
import { createBenchDatabase, startRole, stopRole, waitUntil } from '../sounder-processes.ts';
import { createBenchFlags } from './bench-flags.ts';
import { driveLoad, type LatencyRow, type LoadShape, type Send } from './drive-load.ts';

export interface FlagsBenchOptions {
  databaseUrl: string; events: number; flags: number; seconds: number; connections: number[]; percents: number[]; port: number; log: (line: string) => void;
}

export interface FlagsBenchResult {
  machine: MachineInfo;
  events: number;
  persons: number;
  flags: number;
  seconds: number;
  /** /flags?v=2 for known people, sending some person properties, groups and identifies as the SDKs do. */
  flagsRows: LatencyRow[];
  /** GET /_health on the same process under the same load: the floor of HTTP, the event loop and the machine. */
  healthRows: LatencyRow[];
}

/**
 * `/flags` under load for a project with `flags` flags and the persons of `events` standard-
 * workload events, against a real `sounder web` process, beside `/_health` on the same process
 * under the same load, in one run on one database of its own. Closed-loop rows find the ceiling;
 * open-loop rows hold a share of it, as steady traffic would.
 */
export async function runFlagsBench(options: FlagsBenchOptions): Promise<FlagsBenchResult> {
  const database = await createBenchDatabase(options.databaseUrl, 'flags');
  const pool = createPool(database.url, 4, 'sounder-bench');
  try {
    const machine = await describeMachine(pool);
    const project = await createProject(pool, 'flags bench');
    options.log(`loading ${options.events} standard-workload events`);
    await loadWorkloadEvents(pool, project.id, { events: options.events, seed: 1, spanDays: 28 }, options.log);
    const persons = await derivePersons(pool, project.id);
    await pool.query("INSERT INTO group_type_mapping (project_id, group_type, group_type_index) VALUES ($1, 'company', 0)", [project.id]);
    options.log(`creating ${options.flags} flags`);
    await createBenchFlags(pool, project.id, options.flags);
    const { rows } = await pool.query<{ distinct_id: string }>(
      'SELECT distinct_id FROM person_distinct_ids WHERE project_id = $1 ORDER BY md5(distinct_id) LIMIT 20000', [project.id]);
    const bodies = rows.map((row, i) => JSON.stringify({
      token: project.api_token,
      distinct_id: row.distinct_id,
      // Some requests carry properties the SDK knows, one in ten a group, one in twenty an identify.
      person_properties: i % 3 === 0 ? { plan: 'pro' } : {},
      groups: i % 10 === 0 ? { company: `company-${i % 50}` } : {},
      ...(i % 20 === 0 ? { $anon_distinct_id: `bench-anon-${i}` } : {}),
    }));

    const web = startRole(['web', '--port', String(options.port), '--host', '127.0.0.1'], database.url);
    try {
      const url = `http://127.0.0.1:${options.port}`;
      await waitUntil(async () => (await fetch(`${url}/_health`)).ok, 'the web process');
      const flagsCall: Send = async (agent, i) => {
        const response = await request(`${url}/flags/?v=2`, { method: 'POST', body: bodies[i % bodies.length], headers: { 'content-type': 'application/json' }, dispatcher: agent });
        await response.body.dump();
        return response.statusCode;
      };
      const healthCall: Send = async (agent) => {
        const response = await request(`${url}/_health`, { dispatcher: agent });
        await response.body.dump();
        return response.statusCode;
      };
      options.log('warming up');
      await driveLoad({ kind: 'connections', connections: 4 }, 3, web.pid!, flagsCall);
      const flagsRows: LatencyRow[] = [];
      const healthRows: LatencyRow[] = [];
      const measure = async (shape: LoadShape) => {
        options.log(`${describeLoad(shape)}: /flags for ${options.seconds} s, then /_health`);
        flagsRows.push(await driveLoad(shape, options.seconds, web.pid!, flagsCall));
        healthRows.push(await driveLoad(shape, Math.min(options.seconds, 5), web.pid!, healthCall));
      };
      for (const connections of options.connections) await measure({ kind: 'connections', connections });
      const ceiling = Math.max(...flagsRows.map((row) => row.perSecond));
      for (const percent of options.percents) await measure({ kind: 'rate', perSecond: Math.round((ceiling * percent) / 100) });
      return { machine, events: options.events, persons, flags: options.flags, seconds: options.seconds, flagsRows, healthRows };
    } finally {
      await stopRole(web);
    }
  } finally {
    await pool.end();
    await database.drop().catch(() => undefined);
  }
}

export const flagsP99TargetMs = 20;

function describeLoad(shape: LoadShape): string {
  return shape.kind === 'connections' ? `${shape.connections} connections` : `${shape.perSecond} req/s`;
}

export function formatFlagsReport(result: FlagsBenchResult): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  const cpu = (row: LatencyRow) => [row.cpuMsPerRequest.web, row.cpuMsPerRequest.postgres, row.cpuMsPerRequest.loadGenerator].map((n) => n.toFixed(2)).join(' / ');
  const lines = [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `project: ${result.flags} flags; ${result.persons.toLocaleString('en-US')} persons from ${result.events.toLocaleString('en-US')} standard-workload events; ${result.seconds} s per row, one web process, the load generator on the same machine`,
    '',
    `${'load'.padEnd(16)} ${'/flags req/s'.padStart(12)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)} ${'failed'.padStart(7)} ${'slip'.padStart(9)}   ${'/_health p99'.padStart(12)}   ${'CPU ms/request: web / PG / load'.padEnd(32)} p99 ≤ ${flagsP99TargetMs} ms`,
  ];
  result.flagsRows.forEach((row, index) => {
    const health = result.healthRows[index]!;
    lines.push(`${describeLoad(row.load).padEnd(16)} ${row.perSecond.toFixed(0).padStart(12)} ${ms(row.p50Ms)} ${ms(row.p95Ms)} ${ms(row.p99Ms)} ${ms(row.maxMs)} ${String(row.failures).padStart(7)} ${row.load.kind === 'rate' ? ms(row.maxSlipMs) : '-'.padStart(9)}   ${ms(health.p99Ms).padStart(12)}   ${cpu(row).padEnd(32)} ${row.p99Ms <= flagsP99TargetMs ? 'met' : 'missed'}`);
  });
  return lines.join('\n');
}
