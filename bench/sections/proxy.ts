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

/**
 * The least a SOCKS5 client can do (RFC 1928): net.connect, the no-auth greeting, then CONNECT to
 * an IPv4 literal once the method is chosen (microsocks does not take the two in one write), and
 * read the 10-byte reply. Not a baseline of the table: it measures how far any client could get
 * ahead of the `socks` package through this daemon (a note below the table).
 */
function handRolledSocks5(proxyPort: number, targetPort: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort });
    let received: Buffer = Buffer.alloc(0);
    let stage: 'method' | 'reply' = 'method';
    const fail = (message: string): void => {
      socket.destroy();
      reject(new Error(message));
    };
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (stage === 'method') {
        if (received.length < 2) return;
        if (received[0] !== 5 || received[1] !== 0) return fail('SOCKS5 method refused');
        received = received.subarray(2);
        stage = 'reply';
        const request = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, targetPort >> 8, targetPort & 0xff]);
        socket.write(request);
      }
      if (received.length < 10) return;
      socket.off('data', onData);
      socket.off('error', reject);
      if (received[1] !== 0) return fail(`SOCKS5 CONNECT answered ${received[1]}`);
      destroyAndWait(socket).then(resolve, reject);
    };
    socket.once('connect', () => socket.write(Buffer.from([5, 1, 0])));
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
          if (c.baselineName === 'socks') await measureSocksFloor(ctx, daemon.port, target.port, notes);
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

/**
 * How much faster than `socks` the least possible SOCKS5 client is through the same daemon, in
 * the same run: the ceiling of any client's ratio against `socks` on this machine.
 */
async function measureSocksFloor(
  ctx: BenchContext,
  proxyPort: number,
  targetPort: number,
  notes: string[],
): Promise<void> {
  const n = Math.max(10, Math.round(SEQUENTIAL * ctx.scale));
  ctx.log(`proxy: hand-rolled SOCKS5 vs socks, ${n} sequential`);
  const socks = CASES[0];
  const floor = await compare(
    n,
    (k) => sequentialRate(k, () => handRolledSocks5(proxyPort, targetPort)),
    (k) => sequentialRate(k, () => socks.baseline(proxyPort, targetPort)),
  );
  notes.push(
    `a minimal hand-rolled SOCKS5 client vs socks through microsocks, sequential (${n}): ` +
      `${floor.ratio.toFixed(2)} (the most any client could gain over socks here)`,
  );
}
