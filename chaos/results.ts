// The results table: every recorded run (chaos/results/<bus>.jsonl, one line per run) summarised
// per fault kind, written to chaos/results.md with the machine it came from. README links it.
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './run-one.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(HERE, 'results');
export const RESULTS_PAGE = join(HERE, 'results.md');

/** What is kept of a run. */
export interface RecordedRun {
  at: string;
  bus: string;
  seed: number;
  kinds: string[];
  injected: Record<string, number>;
  operations: number;
  ragRows: number;
  chat: { lost: number; duplicated: number; stale: number; phantom: number };
  index: { lost: number; duplicated: number; stale: number; phantom: number };
  convergedMs: number | null;
  /** Services that exited on their own. */
  crashes: number;
  ok: boolean;
  machine: string;
}

export function machine(): string {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0]!;
    } catch {
      return 'unknown';
    }
  };
  return [
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `${osType()} ${release()}`,
    `node ${process.version}`,
    version('/usr/sbin/nats-server', ['--version']),
  ].join(', ');
}

const counts = ({ lost, duplicated, stale, phantom }: RecordedRun['chat']) => ({ lost, duplicated, stale, phantom });

export function toRecord(result: RunResult, host: string): RecordedRun {
  return {
    at: new Date().toISOString(),
    bus: result.bus,
    seed: result.seed,
    kinds: result.kinds,
    injected: result.injected,
    operations: Object.values(result.workload.done).reduce((a, b) => a + b, 0),
    ragRows: result.ragRows,
    chat: counts(result.comparison.chat),
    index: counts(result.comparison.index),
    convergedMs: result.convergedMs ?? null,
    crashes: result.crashes.length,
    ok: result.ok,
    machine: host,
  };
}

export async function recordRun(run: RecordedRun): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await appendFile(join(RESULTS_DIR, `${run.bus}.jsonl`), `${JSON.stringify(run)}\n`);
}

async function readRuns(bus: string): Promise<RecordedRun[]> {
  const text = await readFile(join(RESULTS_DIR, `${bus}.jsonl`), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedRun);
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
const seconds = (ms: number) => (Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** One table row per fault kind a run was dedicated to (and `all`). */
export function table(runs: RecordedRun[]): string {
  const kinds = [...new Set(runs.map((r) => r.kinds.join('+')))].sort();
  const lines = [
    '| faults | runs | faults injected | operations | lost | duplicated | stale | phantom | converge p50 | converge max | crashes | failed runs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const kind of [...kinds, 'all']) {
    const group = kind === 'all' ? runs : runs.filter((r) => r.kinds.join('+') === kind);
    if (group.length === 0 || (kind === 'all' && kinds.length < 2)) continue;
    const sum = (pick: (r: RecordedRun) => number) => group.reduce((total, r) => total + pick(r), 0);
    const drift = (field: 'lost' | 'duplicated' | 'stale' | 'phantom') => `${sum((r) => r.chat[field])} / ${sum((r) => r.index[field])}`;
    const converge = group
      .map((r) => r.convergedMs)
      .filter((ms): ms is number => ms !== null)
      .sort((a, b) => a - b);
    const injected = sum((r) => Object.values(r.injected).reduce((a, b) => a + b, 0));
    lines.push(
      `| ${kind} | ${group.length} | ${injected} | ${sum((r) => r.operations)} | ${drift('lost')} | ${drift('duplicated')} | ${drift('stale')} | ${drift('phantom')} | ${seconds(percentile(converge, 0.5))} | ${seconds(converge.at(-1) ?? NaN)} | ${sum((r) => r.crashes ?? 0)} | ${group.filter((r) => !r.ok).length} |`,
    );
  }
  return lines.join('\n');
}

/** Rewrites chaos/results.md from every recorded run. */
export async function writeResultsPage(): Promise<string> {
  const sections: string[] = [];
  for (const bus of ['nats', 'pubsub']) {
    const runs = await readRuns(bus);
    if (runs.length === 0) continue;
    const machines = [...new Set(runs.map((r) => r.machine))];
    sections.push(
      `## ${bus === 'nats' ? 'NATS JetStream' : 'Pub/Sub emulator'}\n\n` +
        `${runs.length} runs, ${runs[0]!.at.slice(0, 10)} to ${runs.at(-1)!.at.slice(0, 10)}, on ${machines.join('; ')}.\n\n` +
        `Drift columns read \`Chat / index\`. Convergence: from the end of the faults and the workload to Chat and the index equal to RAG.\n\n${table(runs)}`,
    );
  }
  const page = [
    '# Chaos results',
    '',
    'Written by `npm run chaos` from every recorded run (`chaos/results/<bus>.jsonl`); see docs/chaos.md for what each fault does.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  await writeFile(RESULTS_PAGE, page);
  await refreshReadmeBlock(sections.join('\n\n'));
  return page;
}

/** README.md's copy of the tables lives between these markers; the command rewrites what is between them. */
const README_START = '<!-- chaos-results:start (written by npm run chaos) -->';
const README_END = '<!-- chaos-results:end -->';
export const README_PATH = join(HERE, '..', 'README.md');

/** Rewrites the README's results block (headings one level down), leaving the README alone if it has no block. */
async function refreshReadmeBlock(sections: string): Promise<void> {
  const readme = await readFile(README_PATH, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return;
  const block = sections.replace(/^## /gm, '### ');
  await writeFile(README_PATH, `${readme.slice(0, start + README_START.length)}\n${block}\n${readme.slice(end)}`);
}
