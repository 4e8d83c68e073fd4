// Child process of x509-limbo.test.ts: runs the limbo cases named in LIMBO_CASES (comma-separated
// ids), each against a Node TLS server on 127.0.0.1 presenting the case's leaf and intermediates,
// with Node's tls.connect and with gsocketclient, and prints the verdicts as one JSON line.
// Started under libfaketime when the cases need a validation time, so both clients see it.
import type { AddressInfo } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  createServer,
  type Server,
  type TLSSocket,
} from 'node:tls';
import { BaseAddressEnumerator, type SocketConnectable } from '../../src/address/connectable.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { InetSocketAddress, type SocketAddress } from '../../src/address/socket-address.js';
import { SocketFamily } from '../../src/errors/enums.js';
import { GError } from '../../src/errors/gerror.js';
import { SocketClient } from '../../src/index.js';
import { formatCertificateFlags } from '../../src/tls/certificate-flags.js';
import { DIRECT } from '../helpers/resolvers.js';
import { loadLimbo, type CaseVerdict, type LimboCase } from './x509-limbo-cases.js';

const CONNECT_TIMEOUT_MS = 10_000;
const CONCURRENCY = 4;

/**
 * A connectable named like the case's peer (a DNS name or an IP: the server identity), whose
 * only address is the loopback server: no name is ever resolved.
 */
class LoopbackAs implements SocketConnectable {
  readonly hostname: string;
  readonly #port: number;
  constructor(name: string, port: number) {
    this.hostname = name;
    this.#port = port;
  }
  enumerate(): BaseAddressEnumerator {
    const port = this.#port;
    let done = false;
    return new (class extends BaseAddressEnumerator {
      protected nextAddress(): Promise<SocketAddress | null> {
        if (done) return Promise.resolve(null);
        done = true;
        return Promise.resolve(new InetSocketAddress(InetAddress.newLoopback(SocketFamily.IPV4), port));
      }
    })();
  }
  proxyEnumerate(): BaseAddressEnumerator {
    return this.enumerate();
  }
  toString(): string {
    return `${this.hostname}:${this.#port}`;
  }
}

function serve(c: LimboCase): Promise<Server> {
  return new Promise((resolve, reject) => {
    // SECLEVEL=0 so the server can present whatever key the case holds; the clients keep their
    // defaults and decide.
    const server = createServer(
      {
        key: c.peer_certificate_key ?? '',
        cert: [c.peer_certificate, ...c.untrusted_intermediates].join('\n'),
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
      (socket) => {
        socket.on('error', () => undefined);
        socket.end();
      },
    );
    server.on('tlsClientError', () => undefined);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function nodeVerdict(c: LimboCase, port: number): Promise<{ accepted: boolean; error: string | null }> {
  const name = c.expected_peer_name!;
  return new Promise((resolve) => {
    const socket: TLSSocket = tlsConnect(
      {
        host: '127.0.0.1',
        port,
        ca: [...c.trusted_certs],
        ...(c.crls.length > 0 ? { crl: [...c.crls] } : {}),
        ...(name.kind === 'DNS' ? { servername: name.value } : {}),
        // What tls.connect checks by default, with the case's name instead of 127.0.0.1.
        checkServerIdentity: (_host, cert) => checkServerIdentity(name.value, cert),
      },
      () => finish(true, null),
    );
    const timer = setTimeout(() => finish(false, 'timeout'), CONNECT_TIMEOUT_MS);
    function finish(accepted: boolean, error: string | null): void {
      clearTimeout(timer);
      socket.destroy();
      resolve({ accepted, error });
    }
    socket.on('error', (err: NodeJS.ErrnoException) => finish(false, err.code ?? err.message));
  });
}

async function ourVerdict(c: LimboCase, port: number): Promise<{ accepted: boolean; error: string | null }> {
  const client = new SocketClient({
    tls: true,
    proxyResolver: DIRECT,
    enableProxy: false,
    timeout: CONNECT_TIMEOUT_MS / 1000,
    tlsOptions: { ca: [...c.trusted_certs], ...(c.crls.length > 0 ? { crl: [...c.crls] } : {}) },
  });
  try {
    const connection = await client.connect(new LoopbackAs(c.expected_peer_name!.value, port));
    await connection.close();
    return { accepted: true, error: null };
  } catch (err) {
    const flags = (err as { certificateErrors?: number }).certificateErrors;
    if (flags !== undefined) return { accepted: false, error: formatCertificateFlags(flags) };
    return {
      accepted: false,
      error: err instanceof GError ? `${err.codeName}: ${err.message}` : String(err),
    };
  }
}

async function runCase(c: LimboCase): Promise<CaseVerdict> {
  let server: Server;
  try {
    server = await serve(c);
  } catch (err) {
    return { id: c.id, notServed: `tls.createServer refused the leaf/key: ${(err as Error).message}` };
  }
  try {
    const { port } = server.address() as AddressInfo;
    const node = await nodeVerdict(c, port);
    const ours = await ourVerdict(c, port);
    return { id: c.id, node, ours };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const wanted = new Set((process.env.LIMBO_CASES ?? '').split(',').filter(Boolean));
const cases = loadLimbo().filter((c) => wanted.has(c.id));
const verdicts: CaseVerdict[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) {
      const c = cases[next++];
      verdicts.push(await runCase(c));
    }
  }),
);
process.stdout.write(`${JSON.stringify({ clock: new Date().toISOString(), verdicts })}\n`);
