export { buildProgram, runCli } from './program.ts';
export { processIO, type CliIO } from './io.ts';
