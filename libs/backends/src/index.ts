export { createServiceBus } from './bus.ts';
export { createServiceVectorIndex } from './vector-index.ts';
export { createServiceWarehouse, describeWarehouse } from './warehouse.ts';
