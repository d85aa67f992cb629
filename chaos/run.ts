// `npm run chaos -- --runs N --seed S --faults kill,term,pg-restart,bus-restart,net,dup --bus nats|pubsub`
// Each run gets one fault kind, in turn (`--mix`: every listed kind in every run), and its own seed
// (S, S+1, ...): `--runs 1 --seed <seed> --faults <kind>` replays a run's schedule. Exit 1 when a run
// ends with anything lost, duplicated, stale or phantom, or never converges.
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults.ts';
import { machine, recordRun, toRecord, writeResultsPage } from './results.ts';
import { runOnce, type RunResult } from './run-one.ts';
import type { BusKind } from './stack.ts';

export const CHAOS_DEFAULTS = {
  runs: 6,
  /** Seconds of workload (and faults) per run. */
  durationSeconds: 20,
  /** Seconds the checker waits for convergence once faults stop. */
  convergeTimeoutSeconds: 120,
} as const;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      bus: { type: 'string' },
      duration: { type: 'string' },
      'converge-timeout': { type: 'string' },
      mix: { type: 'boolean' },
      'no-record': { type: 'boolean' },
    },
  });
  const kinds = (values.faults ?? FAULT_KINDS.join(',')).split(',').map((k) => k.trim()) as FaultKind[];
  const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k));
  if (unknown.length) throw new Error(`--faults: unknown ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  const bus = (values.bus ?? 'nats') as BusKind;
  if (bus !== 'nats' && bus !== 'pubsub') throw new Error('--bus must be nats or pubsub');
  return {
    runs: Number(values.runs ?? CHAOS_DEFAULTS.runs),
    seed: Number(values.seed ?? Math.floor(Math.random() * 2 ** 31)),
    kinds,
    bus,
    mix: values.mix ?? false,
    durationMs: Number(values.duration ?? CHAOS_DEFAULTS.durationSeconds) * 1000,
    convergeTimeoutMs: Number(values['converge-timeout'] ?? CHAOS_DEFAULTS.convergeTimeoutSeconds) * 1000,
    record: !(values['no-record'] ?? false),
  };
}

function summary(result: RunResult): string {
  const { chat, index } = result.comparison;
  const drift = (d: typeof chat) => `lost ${d.lost} dup ${d.duplicated} stale ${d.stale} phantom ${d.phantom}`;
  const converged = result.convergedMs === undefined ? 'NOT converged' : `converged in ${(result.convergedMs / 1000).toFixed(1)} s`;
  const crashed = result.crashes.length ? `; ${result.crashes.length} service crash(es): ${result.crashes.map((c) => c.service).join(', ')}` : '';
  return `${result.ok ? 'ok  ' : 'FAIL'} seed ${result.seed} [${result.kinds.join(',')}] ${result.ragRows} rows; chat: ${drift(chat)}; index: ${drift(index)}; ${converged}${crashed}`;
}

function failureReport(result: RunResult): string {
  return [
    `--- run seed ${result.seed} failed (bus ${result.bus}, faults ${result.kinds.join(',')})`,
    'fault schedule:',
    ...result.schedule.map((line) => `  ${line}`),
    `chat: ${result.comparison.chat.examples.join('; ') || 'ok'}`,
    `index: ${result.comparison.index.examples.join('; ') || 'ok'}`,
    `workload: done ${JSON.stringify(result.workload.done)} failed ${JSON.stringify(result.workload.failed)}`,
    ...result.crashes.map((c) => `crash: ${c.service} exited ${c.exit} on its own; last lines:\n${c.tail}`),
    `replay: ${result.replay}`,
    result.problems ? `service errors:\n${result.problems}` : '',
  ].join('\n');
}

async function main() {
  const options = parse(process.argv.slice(2));
  const host = machine();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `chaos: ${options.runs} runs on ${options.bus}, faults ${options.kinds.join(',')}${options.mix ? ' (mixed)' : ' (one kind per run)'}, first seed ${options.seed}`,
  );
  const failures: RunResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const kinds = options.mix ? options.kinds : [options.kinds[i % options.kinds.length]!];
    const seed = options.seed + i;
    log(`run ${i + 1}/${options.runs}: seed ${seed}, faults ${kinds.join(',')}`);
    const result = await runOnce({
      seed,
      kinds,
      bus: options.bus,
      durationMs: options.durationMs,
      convergeTimeoutMs: options.convergeTimeoutMs,
      log,
    });
    log(summary(result));
    if (!result.ok) {
      failures.push(result);
      log(failureReport(result));
    }
    if (options.record) await recordRun(toRecord(result, host));
  }
  if (options.record) await writeResultsPage();
  log(
    failures.length === 0
      ? `chaos: all ${options.runs} runs converged with nothing lost, duplicated, stale or phantom`
      : `chaos: ${failures.length} of ${options.runs} runs failed: seeds ${failures.map((f) => f.seed).join(', ')}`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

let stopping = false;
process.on('SIGINT', () => {
  // The exit hooks of the private Postgres and NATS stop them; the services are children of this process group.
  if (stopping) return;
  stopping = true;
  process.stderr.write('chaos: interrupted\n');
  process.exit(130);
});

await main();
