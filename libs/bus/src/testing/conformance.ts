import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusCapabilities } from '../types.ts';
import { registerBackpressureTests } from './conformance-backpressure.ts';
import { registerDeadLetterTests } from './conformance-dead-letters.ts';
import { registerDeliveryTests } from './conformance-delivery.ts';
import { registerFailureTests } from './conformance-failures.ts';
import { registerReplayTests } from './conformance-replay.ts';
import { registerSubscriptionStatsTests } from './conformance-stats.ts';
import { randomToken } from './harness.ts';

export interface ConformanceOptions {
  /**
   * What the adapter declares it can do. Tests for what it cannot do are not registered at all
   * (never skipped), and one test checks that the bus reports exactly these flags.
   */
  capabilities: BusCapabilities;
  /** Starts every TOPIC_PREFIX the suite uses (letters, digits, `_`), so a test file's names are its own. */
  prefixBase: string;
  /** Called once after the suite with every prefix it used: delete what the backend kept (streams). */
  cleanup?: (prefixes: string[]) => Promise<void>;
  /** (Added.) The extensions the adapter attaches (extensions.ts): their cases run only where declared. */
  extensions?: {
    /** `deadLettersOf(bus)`: dead letters listed, counted and removed by another process. */
    deadLetters?: boolean;
    /** `subscriptionStatsOf(bus)`: backlog and oldest unacked age of a subscription, read by another process. */
    subscriptionStats?: boolean;
  };
}

/** One test's world: its own prefix, a bus on it, and a topic and (ensured) subscription nobody else uses. */
export interface Scope {
  prefix: string;
  bus: Bus;
  topic: string;
  subscription: string;
  /**
   * Another bus on the same prefix, standing for another process (`mobius replay` beside a running
   * service). A non-persistent adapter shares nothing between instances, so it returns `bus` itself.
   */
  another(): Promise<Bus>;
}

export interface ConformanceContext {
  capabilities: BusCapabilities;
  scope(): Promise<Scope>;
}

/**
 * The Bus port's one conformance suite (Watermill style): every adapter runs it against its real
 * backend. `makeBus(prefix)` must return a new, connected bus using that TOPIC_PREFIX.
 */
export function runBusConformance(name: string, makeBus: (prefix: string) => Promise<Bus>, options: ConformanceOptions): void {
  describe(`Bus conformance: ${name}`, () => {
    const prefixes: string[] = [];
    const open: Bus[] = [];
    const track = async (prefix: string) => {
      const bus = await makeBus(prefix);
      open.push(bus);
      return bus;
    };
    const context: ConformanceContext = {
      capabilities: options.capabilities,
      async scope() {
        const prefix = `${options.prefixBase}${randomToken()}_`;
        prefixes.push(prefix);
        const bus = await track(prefix);
        const another = async () => (options.capabilities.persistent ? track(prefix) : bus);
        const [topic, subscription] = [`conformance.events_${randomToken()}`, `sink-${randomToken()}`];
        // Provisioned before anything is published, as services and `mobius pubsub provision` do: a
        // Pub/Sub subscription receives only what is published once it exists (JetStream would have more).
        await bus.ensureSubscription(topic, subscription);
        return { prefix, bus, topic, subscription, another };
      },
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((bus) => bus.close()));
    });
    afterAll(async () => {
      await options.cleanup?.(prefixes);
    });

    it('reports the capabilities the suite was told it has', async () => {
      const { bus } = await context.scope();
      expect(bus.capabilities).toEqual(options.capabilities);
    });

    registerDeliveryTests(context);
    registerBackpressureTests(context);
    registerFailureTests(context);
    registerReplayTests(context);
    if (options.extensions?.deadLetters) registerDeadLetterTests(context);
    if (options.extensions?.subscriptionStats) registerSubscriptionStatsTests(context);
  });
}
