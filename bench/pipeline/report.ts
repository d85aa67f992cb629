/** The benchmark's output: a readable table on stdout and the same figures as JSON under bench/results/. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Latency, Percentiles } from './latency.ts';
import type { Rate } from './limits.ts';
import type { Replay } from './replay.ts';
import type { Resync, ResyncCommand } from './resync.ts';
import type { Throughput } from './throughput.ts';

export interface ColdStartRow {
  service: string;
  readyMs: { median: number; min: number; max: number };
  idleRssMb: number;
}

export interface Results {
  startedAt: string;
  machine: Record<string, string | number>;
  options: Record<string, unknown>;
  throughput?: Throughput;
  limits?: { rawCopy: Rate; rawIndexInsert: Rate; rawJetStream: Rate };
  ratios?: { chatVsRawCopy: number; indexVsRawIndexInsert: number; chatVsRawJetStream: number; indexVsRawJetStream: number };
  latency?: Latency;
  replay?: Replay[];
  coldStart?: ColdStartRow[];
  resync?: Resync;
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

export function machine(postgresVersion: string): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: postgresVersion,
    nats: version('nats-server', ['--version']),
  };
}

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (text: string, width: number) => text.padEnd(width);
const left = (text: string, width: number) => text.padStart(width);

function rateLine(label: string, value: Rate, unit = 'rows/s', extra = ''): string {
  return `  ${pad(label, 44)}${left(n(value.perSecond), 10)} ${pad(unit, 7)}${left(n(value.seconds, 1), 8)} s  ${extra}`;
}

function commandLine(label: string, value: ResyncCommand, raw: string): string {
  return rateLine(label, value, 'rows/s', `${value.ratioToRaw.toFixed(2)} x ${raw}, peak RSS ${n(value.peakRssMb)} MB`);
}

/** `mobius resync`, each command its own process (wall time includes starting Node and the CLI). */
function resyncLines(r: Resync): string[] {
  const lines = ['', `Reconciliation: mobius resync as its own process, ${n(r.rows)} rows (${n(r.documents)} documents)`];
  lines.push(rateLine('raw COPY id+document+hash, RAG and Chat at once', r.rawHashCopy));
  lines.push(commandLine('--check --target chat, in sync', r.checkChat, 'raw'));
  if (r.rawRowCopy && r.repairChat) {
    lines.push(rateLine('raw COPY RAG -> Chat scratch (the rows)', r.rawRowCopy));
    lines.push(commandLine('--repair --target chat, from an empty Chat', r.repairChat, 'raw row COPY'));
  }
  const v = r.vertex;
  if (v) {
    lines.push(`  vector target: ${n(v.rows)} rows x ${v.dimensions} dims, local vector index server, ${n(v.indexSample)} ids read back`);
    lines.push(rateLine('raw HNSW insert, in process', v.rawIndexInsert));
    lines.push(commandLine('--repair --target vertex, from an empty index', v.repair, 'raw HNSW'));
    lines.push(rateLine('raw COPY id+document+hash, RAG and ledger', v.rawHashCopy));
    lines.push(commandLine('--check --target vertex, in sync', v.check, 'raw'));
    lines.push(commandLine('  the same with --verify-index 0 (hashes only)', v.checkHashesOnly, 'raw'));
  }
  return lines;
}

function latencyLine(label: string, p: Percentiles): string {
  return `  ${pad(label, 20)}${left(n(p.p50Ms), 8)}${left(n(p.p95Ms), 8)}${left(n(p.p99Ms), 8)}${left(n(p.maxMs), 8)}   (${p.samples} documents)`;
}

export function formatReport(results: Results): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`Mobius pipeline benchmark, ${results.startedAt}`);
  lines.push(`machine: ${m.cpu} x ${m.cores} cores, ${m.memoryGb} GB, node ${m.node}, ${m.postgres}, ${m.nats}`);
  const { throughput: t, limits: l, ratios: r } = results;
  if (t) {
    lines.push(
      '',
      `Throughput: ${n(t.rows)} rows (${t.documents} documents), RAG publish API -> outbox -> NATS -> ingestor -> warehouse -> mart -> sinks`,
    );
    lines.push(rateLine('publish (all publish transactions committed)', t.publish));
    lines.push(rateLine('first publish -> last row visible in Chat', t.chat, 'rows/s', r ? `${r.chatVsRawCopy.toFixed(2)} x raw COPY` : ''));
    lines.push(
      rateLine(
        'first publish -> last datapoint in the index',
        t.index,
        'rows/s',
        r ? `${r.indexVsRawIndexInsert.toFixed(2)} x raw index insert` : '',
      ),
    );
    const cpu = Object.entries(t.cpuSeconds).sort((a, b) => b[1] - a[1]);
    lines.push(
      `  CPU seconds over the phase (${n(t.index.seconds, 1)} s x 2 cores at most): ${cpu.map(([name, s]) => `${name} ${n(s, 1)}`).join(', ')}`,
    );
    const backends = Object.entries(t.postgresCpuSeconds).sort((a, b) => b[1] - a[1]);
    lines.push(
      `  of which Postgres backends serving: ${backends.map(([who, s]) => `${who.replace(/ on mt_\w+?_[0-9a-f]{8}_/, ' on ')} ${n(s, 1)}`).join(', ')}`,
    );
  }
  if (l) {
    lines.push('', 'Limits, same run, same rows');
    lines.push(rateLine('raw COPY RAG -> Chat scratch table (jsonb)', l.rawCopy));
    lines.push(rateLine('raw HNSW insert, in process', l.rawIndexInsert));
    lines.push(
      rateLine(
        'raw JetStream publish+consume+ack, 6 KB',
        l.rawJetStream,
        'msg/s',
        r ? `pipeline to Chat = ${r.chatVsRawJetStream.toFixed(2)} x` : '',
      ),
    );
  }
  if (results.latency) {
    const lat = results.latency;
    lines.push('', `Latency, publish commit -> visible, at ${lat.ratePerSecond} documents/s of ${lat.paragraphs} paragraphs (ms)`);
    lines.push(`  ${pad('', 20)}${left('p50', 8)}${left('p95', 8)}${left('p99', 8)}${left('max', 8)}`);
    lines.push(latencyLine('to Chat', lat.chat));
    lines.push(latencyLine('to the index', lat.index));
  }
  if (results.replay?.length) {
    lines.push('', 'Replay: downstream wiped, rebuilt by `mobius replay --subscription ingestor --from beginning`');
    const services = [...new Set(results.replay.flatMap((replay) => Object.keys(replay.peakRssMb)))];
    lines.push(`  ${left('rows', 9)}${left('to Chat', 10)}${left('to index', 10)}${left('rows/s', 9)}   peak RSS MB: ${services.join(' / ')}`);
    for (const replay of results.replay) {
      lines.push(
        `  ${left(n(replay.rows), 9)}${left(`${n(replay.chat.seconds, 1)} s`, 10)}${left(`${n(replay.index.seconds, 1)} s`, 10)}${left(n(replay.chat.perSecond), 9)}   ${services.map((s) => n(replay.peakRssMb[s] ?? Number.NaN)).join(' / ')}`,
      );
    }
  }
  if (results.coldStart?.length) {
    lines.push('', 'Cold start: process start -> /readyz 200 (median, min-max), idle RSS');
    for (const row of results.coldStart) {
      lines.push(
        `  ${pad(row.service, 14)}${left(n(row.readyMs.median), 7)} ms  (${n(row.readyMs.min)}-${n(row.readyMs.max)})${left(n(row.idleRssMb), 8)} MB`,
      );
    }
  }
  if (results.resync) lines.push(...resyncLines(results.resync));
  return lines.join('\n');
}

export function writeResults(directory: string, results: Results): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `pipeline-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
