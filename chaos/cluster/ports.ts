// The one freePort (@mobius/test-support), shared with the tests and the benchmarks.
export { freePort } from '@mobius/test-support';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
