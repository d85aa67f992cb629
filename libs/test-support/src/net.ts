import { createConnection, createServer } from 'node:net';
import { waitFor } from './wait.ts';

/** Whether something accepts a TCP connection on `host:port` now (the connection is closed at once). */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `host:port` accepts connections (`what` names it in the timeout error). */
export async function waitForPort(what: string, port: number, timeoutMs: number, host = '127.0.0.1', everyMs = 100): Promise<void> {
  await waitFor(`${what} to accept connections on ${host}:${port}`, () => portAnswers(port, host), timeoutMs, everyMs);
}

/** Waits until nothing accepts connections on `host:port` any more. */
export async function waitForPortClosed(what: string, port: number, timeoutMs: number, host = '127.0.0.1', everyMs = 100): Promise<void> {
  await waitFor(`${what} to stop accepting connections on ${host}:${port}`, async () => !(await portAnswers(port, host)), timeoutMs, everyMs);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
