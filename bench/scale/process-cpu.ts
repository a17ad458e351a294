import fs from 'node:fs';

const clockTicks = 100;

function readStat(pid: number): { ppid: number; comm: string; cpuSeconds: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), comm, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** CPU seconds used so far by `root` and all its descendants (Linux /proc). */
export function treeCpuSeconds(root: number): number {
  const stats = new Map(allPids().map((pid) => [pid, readStat(pid)] as const));
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (stat && !inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of inTree) total += stats.get(pid)?.cpuSeconds ?? 0;
  return total;
}

/** CPU seconds used so far by every PostgreSQL process on this machine (server and backends). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat && (stat.comm === 'postgres' || stat.comm.startsWith('postgres'))) total += stat.cpuSeconds;
  }
  return total;
}
