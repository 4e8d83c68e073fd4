import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TestServer {
  readonly port: number;
  readonly host: string;
  /** Peer addresses of accepted connections, in order. */
  readonly peers: string[];
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

/**
 * An echo server on loopback. `port: 0` picks a free one. Closing destroys accepted sockets too,
 * so no test leaves a handle behind.
 */
export async function startEchoServer(host = '127.0.0.1', port = 0): Promise<TestServer> {
  return startServer(host, port, (s) => s.pipe(s));
}

export async function startServer(
  host: string,
  port: number,
  onConnection: (s: Socket) => void,
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const peers: string[] = [];
  const server: Server = createServer((s) => {
    sockets.add(s);
    peers.push(`${s.remoteAddress}:${s.remotePort}`);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: bursts of short connections must not meet dropped SYNs (1 s retries).
    server.listen({ host, port, ipv6Only: host.includes(':'), backlog: 4096 }, () => resolve());
  });
  const info = server.address() as AddressInfo;
  return {
    port: info.port,
    host,
    peers,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on `host` with nothing listening (bound briefly, then released). */
export async function unusedPort(host = '127.0.0.1'): Promise<number> {
  const s = await startServer(host, 0, () => undefined);
  const port = s.port;
  await s.close();
  return port;
}
