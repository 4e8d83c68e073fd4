import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { SocksClient } from 'socks';
import { SimpleProxyResolver, SocketClient } from '../../src/index.js';
import { toGError } from '../../src/errors/errno.js';
import { hasCommand, startMicrosocks, startTinyproxy, type Daemon } from '../daemons.js';
import { compare, concurrentRate, sequentialRate } from '../measure.js';
import { rows, skip, type BenchContext, type BenchRow, type BenchSection } from '../section.js';
import { destroyAndWait, startBenchServer } from '../servers.js';

const SEQUENTIAL = 500;
const IN_FLIGHT = 50;
/** A probe connect through the library must succeed within this before a protocol is measured. */
const PROBE_MS = 3000;

interface ProxyCase {
  readonly label: string;
  readonly command: string;
  start(): Promise<Daemon>;
  /** The proxy URI gsocketclient is given. */
  uri(port: number): string;
  readonly baselineName: string;
  /** One connect + close through the proxy with the baseline client. */
  baseline(proxyPort: number, targetPort: number): Promise<void>;
}

const CASES: readonly ProxyCase[] = [
  {
    label: 'socks5 (microsocks)',
    command: 'microsocks',
    start: () => startMicrosocks(),
    uri: (port) => `socks5://127.0.0.1:${port}`,
    baselineName: 'socks',
    async baseline(proxyPort, targetPort) {
      const { socket } = await SocksClient.createConnection({
        proxy: { host: '127.0.0.1', port: proxyPort, type: 5 },
        command: 'connect',
        destination: { host: '127.0.0.1', port: targetPort },
      });
      await destroyAndWait(socket);
    },
  },
  {
    label: 'http CONNECT (tinyproxy)',
    command: 'tinyproxy',
    start: startTinyproxy,
    uri: (port) => `http://127.0.0.1:${port}`,
    baselineName: 'hand-rolled CONNECT',
    baseline: handRolledConnect,
  },
  {
    label: 'http CONNECT (tinyproxy)',
    command: 'tinyproxy',
    start: startTinyproxy,
    uri: (port) => `http://127.0.0.1:${port}`,
    baselineName: 'http.request',
    baseline: httpConnect,
  },
];

/**
 * The least a client can do: net.connect, one CONNECT request, read up to the end of the reply
 * head, check for a 2xx status.
 */
function handRolledConnect(proxyPort: number, targetPort: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.off('error', reject);
      if (!/^HTTP\/1\.[01] 2\d\d /.test(head)) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${head.split('\r\n')[0]}`));
        return;
      }
      destroyAndWait(socket).then(resolve, reject);
    };
    socket.once('connect', () => {
      const authority = `127.0.0.1:${targetPort}`;
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
    });
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The plain-Node way to open a tunnel: http.request({ method: 'CONNECT' }). */
function httpConnect(proxyPort: number, targetPort: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: proxyPort,
      method: 'CONNECT',
      path: `127.0.0.1:${targetPort}`,
      agent: false,
    });
    req.once('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      destroyAndWait(socket).then(resolve, reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/**
 * Connection setup through a proxy daemon on loopback: SocketClient with a SimpleProxyResolver
 * (resolution, TCP, negotiation, events) against the usual Node clients for each protocol. A
 * protocol is left out, with the reason, when its daemon is missing or a probe connect through
 * the library fails.
 */
export const proxySection: BenchSection = {
  name: 'proxy',
  async run(ctx) {
    const target = await startBenchServer();
    const results: BenchRow[] = [];
    const notes: string[] = [];
    try {
      for (const c of CASES) {
        if (!hasCommand(c.command)) {
          notes.push(`${c.label} skipped — ${c.command} is not installed`);
          continue;
        }
        const daemon = await c.start();
        try {
          results.push(...(await measure(ctx, c, daemon.port, target.port, notes)));
        } finally {
          await daemon.stop();
        }
      }
    } finally {
      await target.close();
    }
    return results.length > 0 ? rows(results, notes) : skip(notes.join('; '));
  },
};

async function measure(
  ctx: BenchContext,
  c: ProxyCase,
  proxyPort: number,
  targetPort: number,
  notes: string[],
): Promise<BenchRow[]> {
  const client = new SocketClient({ proxyResolver: new SimpleProxyResolver(c.uri(proxyPort)) });
  const destination = `127.0.0.1:${targetPort}`;
  const ours = async (): Promise<void> => {
    const connection = await client.connectToHost(destination, 0);
    await connection.close();
  };
  try {
    const probe = await client.connectToHost(destination, 0, { signal: AbortSignal.timeout(PROBE_MS) });
    await probe.close();
  } catch (err) {
    const error = toGError(err);
    notes.push(
      `${c.label} skipped — gsocketclient could not connect through it: ${error.codeName}: ${error.message}`,
    );
    return [];
  }
  const raw = (): Promise<void> => c.baseline(proxyPort, targetPort);
  const n = Math.max(10, Math.round(SEQUENTIAL * ctx.scale));
  ctx.log(`proxy: ${c.label}, ${n} sequential`);
  const seq = await compare(
    n,
    (k) => sequentialRate(k, ours),
    (k) => sequentialRate(k, raw),
  );
  ctx.log(`proxy: ${c.label}, ${n} with ${IN_FLIGHT} in flight`);
  const par = await compare(
    n,
    (k) => concurrentRate(k, IN_FLIGHT, ours),
    (k) => concurrentRate(k, IN_FLIGHT, raw),
  );
  return [
    {
      metric: `${c.label} vs ${c.baselineName}, sequential (${n})`,
      unit: 'conn/s',
      ...seq,
      baselineName: c.baselineName,
    },
    {
      metric: `${c.label} vs ${c.baselineName}, ${IN_FLIGHT} in flight (${n})`,
      unit: 'conn/s',
      ...par,
      baselineName: c.baselineName,
    },
  ];
}
