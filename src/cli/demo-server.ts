import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A loopback echo server for the demo, possibly listening on both ::1 and 127.0.0.1. */
export interface EchoServer {
  readonly port: number;
  /** The loopback addresses it listens on: `::1` and/or `127.0.0.1`. */
  readonly hosts: readonly string[];
  close(): Promise<void>;
}

/** Tries for the same port on both families this many times before settling for IPv4 only. */
const SAME_PORT_TRIES = 10;

/**
 * Starts an echo server on ::1 and 127.0.0.1 with the same port, so `localhost:<port>` reaches
 * it over either family. Falls back to 127.0.0.1 alone when IPv6 is unavailable, or when no
 * common port was found in a few tries (another process took the IPv4 twin each time).
 */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  for (let i = 0; i < SAME_PORT_TRIES; i++) {
    const v6 = await listen('::1', 0, sockets).catch(() => null);
    if (!v6) break;
    const port = (v6.address() as AddressInfo).port;
    const v4 = await listen('127.0.0.1', port, sockets).catch(() => null);
    if (v4) return echoServer([v6, v4], port, ['::1', '127.0.0.1'], sockets);
    await closeServer(v6);
  }
  const v4 = await listen('127.0.0.1', 0, sockets);
  return echoServer([v4], (v4.address() as AddressInfo).port, ['127.0.0.1'], sockets);
}

function listen(host: string, port: number, sockets: Set<Socket>): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

function echoServer(servers: Server[], port: number, hosts: string[], sockets: Set<Socket>): EchoServer {
  return {
    port,
    hosts,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map(closeServer));
    },
  };
}
