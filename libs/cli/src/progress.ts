import type { CliIO } from './io.ts';

/** Every default of the progress printer, in one place. */
export const PROGRESS_DEFAULTS = {
  /** On a terminal, the line is redrawn at most this often. */
  redrawIntervalMs: 200,
  /** Not a terminal: a line each time another tenth is done; with no total known, a line this often. */
  unknownTotalLineIntervalMs: 10_000,
  /** Characters of the bar. */
  barWidth: 20,
} as const;

/** One long piece of work: `repair vertex` over documents, `clone-rag chunks` over rows, `migrate rag` over migrations. */
export interface Progress {
  /** `done` of `total` so far (a total learnt late may be given here). Finishes by itself when done reaches total. */
  update(done: number, total?: number | null): void;
  /** The work ended (done or not): prints the last state once, ending a terminal's redrawn line. */
  finish(): void;
}

/** `1 h 2 min`, `3 min 4 s`, `5 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * `repair vertex: [#####---------------] 120/400 documents (30%), 45.2/s, ETA 6 s`; with no total,
 * `check chat: 5000 rows, 2500/s`. The rate is since the work began.
 */
export function formatProgress(label: string, unit: string, done: number, total: number | null, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  if (total === null || total === 0) return `${label}: ${done} ${unit}, ${rate.toFixed(0)}/s`;
  const share = Math.min(done / total, 1);
  const filled = Math.round(share * PROGRESS_DEFAULTS.barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(PROGRESS_DEFAULTS.barWidth - filled)}]`;
  const eta = done >= total ? '0 s' : rate > 0 ? formatDuration((total - done) / rate) : 'unknown';
  return `${label}: ${bar} ${done}/${total} ${unit} (${Math.floor(share * 100)}%), ${rate.toFixed(1)}/s, ETA ${eta}`;
}

/** Where the printer writes: a terminal's one redrawn line, or whole lines. */
interface ProgressOutput {
  terminal: boolean;
  line(text: string): void;
  redraw(text: string): void;
}

function outputOf(io: CliIO): ProgressOutput {
  // `terminal` is set only by processIO, when the process's stderr is a TTY.
  return { terminal: io.terminal === true, line: io.err, redraw: (text) => process.stderr.write(`\r${text}\x1b[K`) };
}

/**
 * THE progress printer of the CLI (replay, resync, migrate, clone-rag, backfill), on stderr so
 * stdout stays the command's result (`--json` parseable). On a terminal it redraws one line with
 * `\r`, at most every 200 ms, with rate and ETA. Otherwise (a pipe, a CI log) it prints a whole line
 * each time another 10% is done (not at 0%), and with no total known one every 10 s; `finish` prints
 * the final state unless that line was already printed.
 */
export function startProgress(io: CliIO, label: string, unit: string, total: number | null, now: () => number = Date.now): Progress {
  const output = outputOf(io);
  const started = now();
  let known = total;
  let done = 0;
  let lastDraw = 0;
  let printedTenths = 0;
  let lastLineAt = started;
  /** `done` of the last whole line printed (-1: none yet), so `finish` does not repeat it. */
  let printedDone = -1;
  let finished = false;
  const text = () => formatProgress(label, unit, done, known, (now() - started) / 1000);
  const complete = () => known !== null && known > 0 && done >= known;
  const draw = (final: boolean) => {
    const time = now();
    if (output.terminal) {
      if (!final && time - lastDraw < PROGRESS_DEFAULTS.redrawIntervalMs) return;
      lastDraw = time;
      output.redraw(text());
      if (final) process.stderr.write('\n');
      return;
    }
    if (known !== null && known > 0) {
      const tenths = Math.floor((Math.min(done, known) / known) * 10);
      if (tenths <= printedTenths && !final) return;
      printedTenths = tenths;
    } else if (!final && time - lastLineAt < PROGRESS_DEFAULTS.unknownTotalLineIntervalMs) return;
    lastLineAt = time;
    printedDone = done;
    output.line(text());
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    if (output.terminal || printedDone !== done) draw(true);
  };
  return {
    update(value, newTotal) {
      if (finished) return;
      done = value;
      if (newTotal !== undefined) known = newTotal;
      if (complete()) finish();
      else draw(false);
    },
    finish,
  };
}
