import type { Bus } from '@mobius/bus';
import type { Env, PipelineConfig } from '@mobius/config';
import type { Logger, buildServiceApp } from '@mobius/service';
import type { VectorIndex } from '@mobius/vector-index';
import type { DevServiceName } from '../defaults.ts';

/** A service's HTTP app (fastify, typed through @mobius/service, which owns that dependency). */
export type DevApp = ReturnType<typeof buildServiceApp>;

/** What every in-process service is built from: one environment and the pieces they all share. */
export interface DevContext {
  /** The dev environment (environment.ts): each service's own config loader reads it. */
  env: Env;
  /** The pipeline's settings, read once from `env`. */
  pipeline: PipelineConfig;
  /** The rag database as the ingestor reads it. */
  ragReadUrl: string;
  /** ONE bus for every producer and consumer (memory unless BUS / NATS_URL say otherwise). */
  bus: Bus;
  /** ONE vector index: chat searches what vertex-sync writes. */
  index: VectorIndex;
  /** True when `index` is the in-process index, empty at every start (vertex-sync refills it). */
  indexIsInProcess: boolean;
  /** A service's logger (LOG_LEVEL of `env`). */
  logger(service: DevServiceName): Logger;
}

/**
 * One service running in the dev process: the ServiceInstance its composition root (`createService` of
 * its package) built on the pieces of DevContext.
 */
export interface DevService {
  name: DevServiceName;
  /**
   * Its HTTP app, not listening yet. Closing it stops everything the service started or created: its
   * onClose hooks drain its consumers first, then close its pools (never what DevContext shares).
   */
  app: DevApp;
  /** True when its API admits anyone (AUTH=none, dev's default): `mobius dev` says so once for all of them. */
  open?: boolean;
  /** Called after `app` closed: anything left to stop (the instance's `stop`, which closing the app already did). */
  stop(): Promise<void>;
}
