import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceBus } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { CE, EVENTS, TOPICS } from '@mobius/contracts';
import type { PipelineStatus } from '@mobius/status';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './cli.ts';
import { CONSUMERS, createPipeline, type Pipeline } from './pipeline.ts';
import { inSync, markdown, publishDocument } from './pipeline-checks.ts';
import { stopServiceProcess, waitFor, type ServiceProcess } from './processes.ts';

/**
 * `mobius status` against a pipeline whose services run as processes on the bus `busEnv` selects:
 * caught up, a stopped sink falling behind, thresholds, a dead letter, --watch. `countsBacklog`: the
 * bus can count a subscription's backlog (NATS; not the Pub/Sub emulator, docs/status.md).
 */
export function describeStatusScenario(label: string, tag: string, busEnv: Record<string, string>, countsBacklog: boolean): void {
  let pipeline: Pipeline;
  let rag: ServiceProcess;
  let vertexSync: ServiceProcess;
  let bus: Bus;
  /** The CLI's environment: the pipeline's, a password in Chat's URL (trust auth ignores it), no mobius dev. */
  let cliEnv: Record<string, string>;

  const status = async (...flags: string[]) => mobius(['status', ...flags], cliEnv);
  const statusJson = async (): Promise<PipelineStatus> => {
    const run = await status('--json');
    if (run.code !== 0) throw new Error(`mobius status --json exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as PipelineStatus;
  };
  const until = async (what: string, accept: (s: PipelineStatus) => boolean): Promise<PipelineStatus> =>
    (await waitFor(
      what,
      async () => {
        const current = await statusJson();
        return accept(current) ? current : undefined;
      },
      40_000,
      250,
    ))!;
  const subscription = (s: PipelineStatus, name: string) => s.subscriptions.find((x) => x.name === name)!;
  const sink = (s: PipelineStatus, name: string) => s.sinks.find((x) => x.name === name)!;
  const freshness = (s: PipelineStatus, name: string) => s.freshness.find((x) => x.sink === name)!;

  beforeAll(async () => {
    pipeline = await createPipeline(tag, busEnv);
    const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
    rag = started[0]!;
    vertexSync = started.find((s) => s.name === 'vertex-sync')!;
    bus = await createServiceBus('status-test', loadBusConfig('status-test', pipeline.env));
    cliEnv = {
      ...pipeline.env,
      CHAT_DATABASE_URL: pipeline.env.CHAT_DATABASE_URL!.replace('postgres@', 'postgres:hunter2@'),
      MOBIUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'mobius-status-nodev-')),
    };
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    await pipeline?.destroy();
  });

  describe(`mobius status on ${label} with the services as processes`, () => {
    it('after publishes: nothing waiting, both sinks caught up with a successful last run, freshness measured', async () => {
      await publishDocument(rag, 'status-a.md', markdown('Status A', 4));
      await publishDocument(rag, 'status-b.md', markdown('Status B', 3));
      await waitFor('chat and the index to match rag', () => inSync(pipeline, vertexSync), 40_000);
      const caughtUp = await until(
        'both sinks caught up, every backlog drained',
        (s) =>
          s.sinks.every((x) => x.mart_runs_behind === 0 && x.watermark > 0) &&
          s.freshness.every((f) => f.samples >= 2) &&
          (!countsBacklog || s.subscriptions.every((x) => x.backlog === 0)),
      );
      expect(caughtUp.outbox).toEqual({ unrelayed: 0, oldest_unrelayed_seconds: null, quarantined: 0 });
      for (const name of ['chat-sync', 'vertex-sync']) {
        expect(sink(caughtUp, name).last_run).toMatchObject({ sink: name, status: 'success', error_message: null });
        const fresh = freshness(caughtUp, name);
        expect(fresh.window_seconds).toBe(3600);
        expect(fresh.p50_ms!).toBeGreaterThan(0);
        expect(fresh.p99_ms!).toBeGreaterThanOrEqual(fresh.p50_ms!);
        expect(fresh.p99_ms!).toBeLessThan(60_000);
      }
      for (const s of caughtUp.subscriptions) {
        expect(s.dead_letters).toBe(0);
        if (countsBacklog) expect([s.backlog, s.oldest_unacked_seconds, s.note]).toEqual([0, null, undefined]);
        else expect([s.backlog, s.note]).toEqual([null, expect.stringMatching(/emulator has no Monitoring API/)]);
      }
      expect(caughtUp.drift).toBeNull();
    });

    it('prints one line naming what it reads (passwords masked), then a compact table', async () => {
      const run = await status();
      expect(run.code).toBe(0);
      expect(run.err[0]).toMatch(
        /^mobius status: rag \(read\) postgresql:\/\/.*, chat postgresql:\/\/postgres:\*\*\*@.*, warehouse postgresql:\/\/.*, bus /,
      );
      expect(run.stdout + run.stderr).not.toContain('hunter2');
      expect(run.out.find((line) => line.startsWith('SUBSCRIPTION'))).toMatch(/SUBSCRIPTION\s+TOPIC\s+BACKLOG\s+DEAD LETTERS\s+OLDEST UNACKED/);
      expect(run.out.find((line) => line.startsWith('chat-sync  ') && line.includes('success'))).toBeDefined();
      expect(run.out).toContain('outbox: 0 unrelayed (oldest -), 0 quarantined');
    });

    it('a reconciliation pass shows as drift', async () => {
      expect((await mobius(['resync', '--check', '--target', 'chat'], cliEnv)).code).toBe(0);
      const after = await statusJson();
      expect(after.drift).toMatchObject({ total: 0, targets: [{ target: 'chat', missing: 0, extra: 0, stale: 0, invalid: 0, mode: 'check' }] });
    });

    it('chat-sync stopped: its runs behind (and, where the bus counts it, its backlog) grow; --fail-on exits 2 naming them', async () => {
      const chatSync = pipeline.running.find((s) => s.name === 'chat-sync')!;
      expect(await stopServiceProcess(chatSync)).toBe(0);
      pipeline.running.splice(pipeline.running.indexOf(chatSync), 1);
      await publishDocument(rag, 'status-c.md', markdown('Status C', 2));
      const behind = await until(
        'chat-sync behind while vertex-sync applied the new run',
        (s) =>
          sink(s, 'chat-sync').mart_runs_behind >= 1 &&
          sink(s, 'vertex-sync').mart_runs_behind === 0 &&
          (!countsBacklog || (subscription(s, 'chat-sync').backlog ?? 0) >= 1),
      );
      if (countsBacklog) {
        expect(subscription(behind, 'chat-sync').oldest_unacked_seconds).not.toBeNull();
        expect(subscription(behind, 'vertex-sync').backlog).toBe(0);
      }
      const failing = await status('--json', '--fail-on', 'runs-behind=1,backlog=1,freshness-p99=10m');
      expect(failing.code).toBe(2);
      expect(failing.err).toContainEqual(expect.stringMatching(/^mobius status: crossed: runs-behind of chat-sync is \d+ \(threshold 1\)$/));
      expect(failing.err.some((line) => line.includes('crossed: runs-behind of vertex-sync'))).toBe(false);
      expect(failing.err.some((line) => line.includes('crossed: backlog of chat-sync'))).toBe(countsBacklog);
      expect(JSON.parse(failing.stdout)).toMatchObject({ sinks: expect.any(Array) });
      const passing = await status('--fail-on', 'freshness-p99=10m,drift=1,quarantined=1');
      expect(passing.code).toBe(0);
      expect(passing.err.filter((line) => line.includes('crossed'))).toEqual([]);
      expect((await status('--fail-on', 'latency=1s')).stderr).toMatch(/STATUS_FAIL_ON_INVALID: --fail-on: "latency=1s" is not KEY=VALUE/);
    });

    it('a dead letter shows on its subscription; chat-sync restarted catches up', async () => {
      const attributes = { [CE.type]: EVENTS.martUpdated.type, [CE.specversion]: '1.0', [CE.source]: '/status-test', [CE.id]: 'bad-1' };
      await bus.publish({ topic: TOPICS.martUpdated, id: 'status-garbage-1', data: new TextEncoder().encode('{not json'), attributes });
      await until('the dead letter counted on vertex-sync', (s) => subscription(s, 'vertex-sync').dead_letters === 1);
      await pipeline.start('chat-sync');
      const healed = await until(
        'chat-sync caught up and its dead letter counted',
        (s) =>
          sink(s, 'chat-sync').mart_runs_behind === 0 &&
          subscription(s, 'chat-sync').dead_letters === 1 &&
          (!countsBacklog || s.subscriptions.every((x) => x.backlog === 0)),
      );
      expect(subscription(healed, 'ingestor').dead_letters).toBe(0);
      const run = await status('--fail-on', 'dead-letters=1');
      expect(run.code).toBe(2);
      expect(run.err.filter((line) => line.includes('crossed')).sort()).toEqual([
        'mobius status: crossed: dead-letters of chat-sync is 1 (threshold 1)',
        'mobius status: crossed: dead-letters of vertex-sync is 1 (threshold 1)',
      ]);
    });

    it('--watch reprints until Ctrl-C, then exits 0', async () => {
      const child = spawn(process.execPath, ['bin/mobius.js', 'status', '--watch', '1'], {
        env: { PATH: process.env.PATH ?? '', ...cliEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor('two rounds of mobius status --watch', async () => (stdout.match(/^pipeline status at /gm) ?? []).length >= 2, 30_000);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    });
  });
}
