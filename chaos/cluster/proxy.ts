// A TCP proxy on loopback between the services and one backend (Postgres or the bus), which the
// suite controls: pass bytes through, delay them, reset every open connection, or black-hole the
// link (accept, hold every byte, connect nothing) until healed. Holding bytes rather than dropping
// them is what TCP does across a partition that heals before the peers give up: retransmission
// delivers them late. A connection that outlives the black hole gets them; the rest time out.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports.ts';

export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'blackhole' };

export interface FaultProxy {
  /** Where the services connect. */
  port: number;
  mode(): ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Ends every open connection with a TCP RST (both sides see ECONNRESET). New ones are accepted. */
  resetAll(): number;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket | undefined;
  /** Bytes held while black-holed, per direction, delivered in order on heal. */
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

export async function startProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const port = await freePort();
  let mode: ProxyMode = { kind: 'pass' };
  const links = new Set<Link>();

  const connectUpstream = (link: Link) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    link.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('data', (chunk) => forward(link, 'toClient', chunk));
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => link.client.destroy());
    for (const chunk of link.held.toUpstream.splice(0)) upstream.write(chunk);
  };

  const forward = (link: Link, direction: 'toUpstream' | 'toClient', chunk: Buffer) => {
    const to = direction === 'toClient' ? link.client : link.upstream;
    if (mode.kind === 'blackhole' || !to) {
      link.held[direction].push(chunk);
      return;
    }
    if (mode.kind === 'delay') {
      // Each chunk waits the same delay, so order is kept.
      setTimeout(() => !to.destroyed && to.write(chunk), mode.ms);
      return;
    }
    to.write(chunk);
  };

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const link: Link = { client, upstream: undefined, held: { toUpstream: [], toClient: [] } };
    links.add(link);
    client.on('data', (chunk) => forward(link, 'toUpstream', chunk));
    client.on('error', () => link.upstream?.destroy());
    client.on('close', () => {
      link.upstream?.destroy();
      links.delete(link);
    });
    if (mode.kind !== 'blackhole') connectUpstream(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const heal = () => {
    for (const link of links) {
      if (!link.upstream) {
        connectUpstream(link);
        continue;
      }
      for (const chunk of link.held.toUpstream.splice(0)) link.upstream.write(chunk);
      for (const chunk of link.held.toClient.splice(0)) link.client.write(chunk);
    }
  };

  return {
    port,
    mode: () => mode,
    setMode(next) {
      const wasBlackhole = mode.kind === 'blackhole';
      mode = next;
      if (wasBlackhole && next.kind !== 'blackhole') heal();
    },
    resetAll() {
      const count = links.size;
      for (const link of links) {
        link.client.resetAndDestroy();
        link.upstream?.resetAndDestroy();
      }
      links.clear();
      return count;
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
