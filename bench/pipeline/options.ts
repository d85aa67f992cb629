/**
 * The pipeline benchmark's flags (`npm run bench -- --documents=200 ...`). Defaults finish in a few
 * minutes on 2 cores; the full replay sizes are `--replay-rows=100000,500000`.
 */
export const PHASES = ['limits', 'throughput', 'latency', 'replay', 'cold-start', 'resync'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  /** Documents published in the throughput phase (each with `paragraphs` rows). */
  documents: number;
  paragraphs: number;
  dimensions: number;
  /** Publish requests in flight in the throughput phase. */
  publishConcurrency: number;
  /** Steady rate of the latency phase, documents per second, and how long it runs. */
  latencyRate: number;
  latencySeconds: number;
  /** Rows in RAG for each replay measurement, smallest first. */
  replayRows: number[];
  /** Start-ups per service in the cold-start phase. */
  coldStartRuns: number;
  /** Published rows of the resync phase's corpus (its Chat check and repair). */
  resyncRows: number;
  /** Rows (with embeddings) of the resync phase's vector target; 0 skips the vector target. */
  resyncVertexRows: number;
  /** Whether the resync phase measures the repairs (`no`: Chat is filled by COPY and only the Chat check runs). */
  resyncRepair: boolean;
  phases: Set<Phase>;
  /** Write a V8 CPU profile of every service into this directory (node --cpu-prof). */
  profileDir: string | undefined;
}

const DEFAULTS = {
  documents: 100,
  paragraphs: 50,
  dimensions: 1536,
  'publish-concurrency': 4,
  'latency-rate': 2,
  'latency-seconds': 30,
  'replay-rows': '5000,20000',
  'cold-start-runs': 3,
  'resync-rows': 100_000,
  'resync-vertex-rows': 20_000,
  'resync-repair': 'yes',
};

const USAGE = `npm run bench -- [--documents=${DEFAULTS.documents}] [--paragraphs=${DEFAULTS.paragraphs}] [--dimensions=${DEFAULTS.dimensions}]
  [--publish-concurrency=${DEFAULTS['publish-concurrency']}] [--latency-rate=${DEFAULTS['latency-rate']}] [--latency-seconds=${DEFAULTS['latency-seconds']}]
  [--replay-rows=${DEFAULTS['replay-rows']}] [--cold-start-runs=${DEFAULTS['cold-start-runs']}]
  [--resync-rows=${DEFAULTS['resync-rows']}] [--resync-vertex-rows=${DEFAULTS['resync-vertex-rows']} (0: no vector target)] [--resync-repair=yes|no]
  [--only=${PHASES.join(',')}] [--profile=DIR]`;

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(raw)}\n${USAGE}`);
  return value;
}

/** A whole number that may be 0 (0 turns the measurement off). */
function count(name: string, raw: string): number {
  return raw === '0' ? 0 : integer(name, raw);
}

function yesNo(name: string, raw: string): boolean {
  if (raw !== 'yes' && raw !== 'no') throw new Error(`--${name} must be yes or no, got ${JSON.stringify(raw)}\n${USAGE}`);
  return raw === 'yes';
}

function integer(name: string, raw: string): number {
  const value = positive(name, raw);
  if (!Number.isInteger(value)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(raw)}\n${USAGE}`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions {
  const given: Record<string, string> = {};
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    const [, name, value] = match as unknown as [string, string, string];
    if (!(name in DEFAULTS) && name !== 'only' && name !== 'profile') throw new Error(`unknown flag --${name}\n${USAGE}`);
    given[name] = value;
  }
  const flag = (name: keyof typeof DEFAULTS) => given[name] ?? String(DEFAULTS[name]);
  const phases = new Set<Phase>();
  for (const phase of (given.only ?? PHASES.join(',')).split(',')) {
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--only: unknown phase ${JSON.stringify(phase)} (${PHASES.join(', ')})`);
    phases.add(phase as Phase);
  }
  return {
    documents: integer('documents', flag('documents')),
    paragraphs: integer('paragraphs', flag('paragraphs')),
    dimensions: integer('dimensions', flag('dimensions')),
    publishConcurrency: integer('publish-concurrency', flag('publish-concurrency')),
    latencyRate: positive('latency-rate', flag('latency-rate')),
    latencySeconds: positive('latency-seconds', flag('latency-seconds')),
    replayRows: flag('replay-rows')
      .split(',')
      .map((rows) => integer('replay-rows', rows))
      .sort((a, b) => a - b),
    coldStartRuns: integer('cold-start-runs', flag('cold-start-runs')),
    resyncRows: integer('resync-rows', flag('resync-rows')),
    resyncVertexRows: count('resync-vertex-rows', flag('resync-vertex-rows')),
    resyncRepair: yesNo('resync-repair', flag('resync-repair')),
    phases,
    profileDir: given.profile,
  };
}
