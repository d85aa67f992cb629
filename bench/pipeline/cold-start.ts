/**
 * Cold start of every service, measured with bench/cold-start.ts's measureColdStart on this
 * benchmark's own databases (rag, chat, warehouse, user), TOPIC_PREFIX and vector index server:
 * process spawn -> first 200 from /readyz, and the idle RSS once ready.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SERVICES, measureColdStart } from '../cold-start.ts';
import { mobius } from '../../test/support/cli.ts';
import type { ColdStartRow } from './report.ts';
import { createStack } from './stack.ts';

export async function coldStartRows(runs: number, dimensions: number, log: (line: string) => void): Promise<ColdStartRow[]> {
  log(`cold start: ${runs} starts of each of ${ALL_SERVICES.length} services`);
  const stack = await createStack('bench_cold', dimensions);
  const dataDirs: string[] = [];
  try {
    const { env: dbEnv } = stack.pipeline.dbs;
    const migrated = await mobius(['migrate', '--env', 'dev', '--module', 'user'], dbEnv);
    if (migrated.code !== 0) throw new Error(`migrating user failed: ${migrated.stderr}`);
    const pipeline = { ...stack.pipeline.env };
    delete pipeline.CPU_PROFILE_DIR;
    const jwt = { JWT_SECRET: randomBytes(32).toString('hex') };
    const envOf = (service: string): Record<string, string> => {
      switch (service) {
        case 'user':
          return { USER_DATABASE_URL: dbEnv.USER_DATABASE_URL!, ...jwt };
        case 'chat':
          return { ...pipeline, ...jwt };
        case 'vector-index': {
          const dir = mkdtempSync(join(tmpdir(), 'mobius-bench-cold-index-'));
          dataDirs.push(dir);
          return { VECTOR_INDEX_DATA_DIR: dir, EMBEDDING_DIMENSIONS: String(dimensions) };
        }
        default:
          return pipeline;
      }
    };
    // One start of each first, not counted: it warms tsx's transpile cache and the OS's file cache,
    // as a deployed image (or any second start) has them.
    const results = await measureColdStart({ services: ALL_SERVICES, env: envOf, runs, warmup: 1 });
    return results.map((result) => ({
      service: result.service,
      readyMs: { median: result.medianMs, min: result.minMs, max: result.maxMs },
      idleRssMb: result.idleRssMb,
    }));
  } finally {
    await stack.destroy();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}
