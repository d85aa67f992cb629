import { afterEach } from 'vitest';
import type { Warehouse } from '../types.ts';
import { SMALL_DIMENSIONS } from './rows.ts';

/** What an adapter's test file gives the conformance suite: a warehouse on a fresh, empty backend. */
export interface WarehouseFixture {
  /** A warehouse whose schema is in place and whose backend holds nothing yet. */
  warehouse: Warehouse;
  /**
   * Another, independent instance on the SAME backend (its own connections), as a second process
   * would have: the concurrency tests run one operation on each.
   */
  another(): Promise<Warehouse>;
  /** Frees the backend, if the adapter wants to now rather than at the end of the file. */
  dispose?(): Promise<void>;
}

/** Called once per test: a fresh backend, so every test starts from run 0 and an empty mart. */
export type MakeWarehouse = (options: { embeddingDimensions: number }) => Promise<WarehouseFixture>;

export interface OpenedWarehouse {
  warehouse: Warehouse;
  another(): Promise<Warehouse>;
}

/** Opens a fresh warehouse for the current test (8-dimension embeddings unless told). */
export type OpenWarehouse = (embeddingDimensions?: number) => Promise<OpenedWarehouse>;

/**
 * Registers an afterEach that closes every warehouse the test opened and disposes its backend, and
 * returns the opener the tests call.
 */
export function useWarehouses(make: MakeWarehouse): OpenWarehouse {
  let opened: Warehouse[] = [];
  let fixtures: WarehouseFixture[] = [];
  afterEach(async () => {
    const [warehouses, backends] = [opened, fixtures];
    [opened, fixtures] = [[], []];
    await Promise.all(warehouses.map((warehouse) => warehouse.close()));
    for (const fixture of backends) await fixture.dispose?.();
  });
  return async (embeddingDimensions = SMALL_DIMENSIONS) => {
    const fixture = await make({ embeddingDimensions });
    fixtures.push(fixture);
    opened.push(fixture.warehouse);
    const another = async () => {
      const warehouse = await fixture.another();
      opened.push(warehouse);
      return warehouse;
    };
    return { warehouse: fixture.warehouse, another };
  };
}
