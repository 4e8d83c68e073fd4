import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { SocketClient } from '../../src/index.js';
import { hasCommand } from '../daemons.js';
import { compare, megabytesPerSecond, sequentialRate } from '../measure.js';
import { rows, skip, type BenchSection } from '../section.js';
import { destroyAndWait, download, startBenchServer, upload } from '../servers.js';

const HANDSHAKES = 300;
const BYTES = 128 * 1024 * 1024;

type Transfer = (stream: Duplex, bytes: number) => Promise<number>;

/** A throw-away P-256 certificate for 127.0.0.1 / localhost, made with the openssl CLI. */
function makeCertificate(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'gsc-bench-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** tls.connect to 127.0.0.1:port trusting `ca`, resolved once the handshake is done. */
function rawTls(port: number, ca: Buffer): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca });
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * TLS on loopback: connect + handshake rate, and bulk transfer through the connection's `stream`
 * (the tls.TLSSocket), against plain tls.connect with the same certificate and trust.
 */
export const tlsSection: BenchSection = {
  name: 'tls',
  async run(ctx) {
    if (!hasCommand('openssl')) return skip('openssl is not installed (needed for a certificate)');
    const { cert, key } = makeCertificate();
    const server = await startBenchServer({ tls: { cert, key } });
    try {
      const client = new SocketClient({ tls: true, tlsOptions: { ca: cert } });
      const target = `127.0.0.1:${server.port}`;
      const n = Math.max(10, Math.round(HANDSHAKES * ctx.scale));
      ctx.log(`tls: ${n} sequential connects with handshake`);
      const setup = await compare(
        n,
        (k) =>
          sequentialRate(k, async () => {
            const connection = await client.connectToHost(target, 0);
            await connection.close();
          }),
        (k) => sequentialRate(k, async () => destroyAndWait(await rawTls(server.port, cert))),
      );

      const bytes = Math.max(1024 * 1024, Math.round(BYTES * ctx.scale));
      const mib = Math.round(bytes / (1024 * 1024));
      const ours =
        (transfer: Transfer) =>
        async (size: number): Promise<number> => {
          const connection = await client.connectToHost(target, 0);
          try {
            return megabytesPerSecond(size, await transfer(connection.stream, size));
          } finally {
            await connection.close();
          }
        };
      const raw =
        (transfer: Transfer) =>
        async (size: number): Promise<number> => {
          const socket = await rawTls(server.port, cert);
          try {
            return megabytesPerSecond(size, await transfer(socket, size));
          } finally {
            await destroyAndWait(socket);
          }
        };
      ctx.log(`tls: ${mib} MiB upload`);
      const up = await compare(bytes, ours(upload), raw(upload));
      ctx.log(`tls: ${mib} MiB download`);
      const down = await compare(bytes, ours(download), raw(download));
      return rows([
        { metric: `connect + handshake (${n})`, unit: 'conn/s', ...setup, baselineName: 'tls.connect' },
        { metric: `upload ${mib} MiB`, unit: 'MB/s', ...up, baselineName: 'tls.connect' },
        { metric: `download ${mib} MiB`, unit: 'MB/s', ...down, baselineName: 'tls.connect' },
      ]);
    } finally {
      await server.close();
    }
  },
};
