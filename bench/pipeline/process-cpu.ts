/**
 * CPU seconds used by processes (Linux /proc), to say where a phase's time went: each service, the
 * Postgres server (every backend, plus what exited backends left in the postmaster's children totals),
 * and nats-server. The machine is shared, so Postgres's figure includes any other client's work.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime+stime (and, with `children`, cutime+cstime) of one process, in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined, children = false): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const own = fields[11]! + fields[12]!;
    return (children ? own + fields[13]! + fields[14]! : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function processesNamed(name: string): { pid: number; ppid: number }[] {
  const found: { pid: number; ppid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== name && !comm.startsWith(`${name}:`)) continue;
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.push({ pid: Number(entry), ppid });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Every Postgres process's CPU, counting the postmaster's reaped children. */
export function postgresCpuSeconds(): number {
  const processes = processesNamed('postgres');
  const pids = new Set(processes.map((p) => p.pid));
  return processes.reduce((sum, p) => sum + cpuSeconds(p.pid, !pids.has(p.ppid)), 0);
}

export function natsCpuSeconds(): number {
  return processesNamed('nats-server').reduce((sum, p) => sum + cpuSeconds(p.pid), 0);
}

/** Per Postgres backend of `databases`: who it serves ("application_name on database") and its CPU seconds so far. */
export async function postgresBackends(
  query: (sql: string, params: unknown[]) => Promise<{ rows: { pid: number; who: string }[] }>,
  databases: string[],
): Promise<Map<number, { who: string; cpu: number }>> {
  const result = await query(
    `SELECT pid, coalesce(nullif(application_name, ''), 'unnamed') || ' on ' || datname AS who
       FROM pg_stat_activity WHERE datname = ANY($1)`,
    [databases],
  );
  return new Map(result.rows.map((row) => [row.pid, { who: row.who, cpu: cpuSeconds(row.pid) }]));
}

/** CPU seconds per client between two postgresBackends snapshots (a backend new in `after` counts whole). */
export function backendCpuDelta(
  before: Map<number, { who: string; cpu: number }>,
  after: Map<number, { who: string; cpu: number }>,
): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [pid, { who, cpu }] of after) totals[who] = (totals[who] ?? 0) + cpu - (before.get(pid)?.cpu ?? 0);
  return Object.fromEntries(
    Object.entries(totals)
      .map(([who, cpu]) => [who, Math.round(cpu * 100) / 100])
      .filter(([, cpu]) => (cpu as number) > 0),
  );
}
