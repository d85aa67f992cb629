/** Cold start of every service, through bench/cold-start.ts's measureColdStart. */
import type { ColdStartRow } from './report.ts';

export async function coldStartRows(runs: number, log: (line: string) => void): Promise<ColdStartRow[]> {
  log(`cold start: ${runs} runs per service`);
  throw new Error('cold start is not wired yet');
}
