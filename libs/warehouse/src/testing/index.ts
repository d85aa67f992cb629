export { runWarehouseConformance } from './conformance.ts';
export type { MakeWarehouse, WarehouseFixture } from './harness.ts';
export {
  SMALL_DIMENSIONS,
  embeddingOf,
  idsOf,
  idsWhere,
  inBatches,
  martState,
  publishedRow,
  publishedRows,
  readChanges,
  readPages,
  snapshotOf,
  withText,
} from './rows.ts';
