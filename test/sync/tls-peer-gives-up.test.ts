// A TLS handshake with a peer that gives up or is not TLS: the same GIO error from both APIs,
// every time (a bounded number of rounds each), and no race between the connect and the
// handshake. The peers run in a child process (the blocking API blocks this thread).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimpleProxyResolver, SocketClient, TlsError, TlsErrorEnum } from '../../src/index.js';
import { startPeer, type PeerSpec } from './peer.js';

const ROUNDS = 20;
const direct = new SimpleProxyResolver();

const NON_PROPERLY_TERMINATED = {
  code: TlsErrorEnum.NOT_TLS,
  message: 'Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.',
};

const CASES: readonly (readonly [string, PeerSpec, { code: number; message: string }])[] = [
  ['a peer that accepts, then closes', { kind: 'tcp', mode: 'close-at-once' }, NON_PROPERLY_TERMINATED],
  [
    'a peer that reads the ClientHello, then closes',
    { kind: 'tcp', mode: 'close-after-first-data' },
    NON_PROPERLY_TERMINATED,
  ],
  [
    'a plain-text server answering the ClientHello (HTTP)',
    { kind: 'tcp', mode: 'close-after-first-data', payload: 'HTTP/1.1 400 Bad Request\r\n\r\n' },
    {
      code: TlsErrorEnum.MISC,
      message: 'Error performing TLS handshake: An unexpected TLS packet was received.',
    },
  ],
];

/** What one failure looks like, to count identical outcomes. */
function outcome(err: unknown): string {
  return err instanceof TlsError ? `TlsError ${err.code} ${err.message}` : `unexpected: ${String(err)}`;
}

describe('TLS: a peer that gives up during the handshake, or is not TLS', () => {
  for (const [name, spec, expected] of CASES) {
    it(`${name}: ${ROUNDS}× async and ${ROUNDS}× blocking, always the same TlsError`, async () => {
      const peer = await startPeer(spec);
      try {
        const client = new SocketClient({ proxyResolver: direct, tls: true, timeout: 5 });
        const target = `127.0.0.1:${peer.port}`;
        const seen = new Map<string, number>();
        const count = (key: string): void => void seen.set(key, (seen.get(key) ?? 0) + 1);
        for (let i = 0; i < ROUNDS; i++) {
          try {
            await (await client.connectToHost(target, 0)).close();
            count('async: connected');
          } catch (err) {
            count(`async ${outcome(err)}`);
          }
          try {
            client.connectToHostSync(target, 0).close();
            count('sync: connected');
          } catch (err) {
            count(`sync ${outcome(err)}`);
          }
        }
        const want = `TlsError ${expected.code} ${expected.message}`;
        assert.deepEqual(Object.fromEntries(seen), { [`async ${want}`]: ROUNDS, [`sync ${want}`]: ROUNDS });
      } finally {
        await peer.stop();
      }
    });
  }
});
