export { runBusConformance, type ConformanceContext, type ConformanceOptions, type Scope } from './conformance.ts';
export { Received, TIMINGS, bodiesNamed, bytes, gate, peekAtLeast, publishBodies, randomToken, text, waitFor } from './harness.ts';
