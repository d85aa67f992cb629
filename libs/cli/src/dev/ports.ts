import { createServer } from 'node:net';
import { DEV_PORT_OFFSETS, type DevServiceName } from './defaults.ts';
import { DevError } from './errors.ts';

/** Listens on `port` (0: any) of `host` and closes again; resolves with the port bound, or undefined when taken. */
function probe(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen({ port, host, exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * The embedded Postgres port: `requested` when free; 0 means any free port. A taken port fails when
 * it was asked for explicitly, and falls back to a free port when it is only the default.
 */
export async function postgresPort(requested: number, explicit: boolean): Promise<number> {
  const bound = await probe(requested, '127.0.0.1');
  if (bound !== undefined) return bound;
  if (explicit)
    throw new DevError('DEV_PORT', `port ${requested} for the embedded Postgres is taken; choose another with --pg-port (0: any free port)`);
  return (await probe(0, '127.0.0.1'))!;
}

/** A port option as an integer in 0..65535; DEV_PORT naming the option otherwise. */
export function parsePort(value: string, option: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DevError('DEV_PORT', `${option} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

/** The port of each service: base + its offset; base 0 gives every service any free port. */
export function servicePort(base: number, service: DevServiceName): number {
  if (base === 0) return 0;
  const port = base + DEV_PORT_OFFSETS[service];
  if (port > 65535) throw new DevError('DEV_PORT', `--port-base ${base} puts ${service} on ${port}, beyond 65535`);
  return port;
}
