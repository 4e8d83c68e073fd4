import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellable } from '../../src/cancellable.js';
import { CONNECTION_CLOSED, IOErrorEnum } from '../../src/errors/enums.js';
import { IOError } from '../../src/errors/gerror.js';
import { decodeSocks4Reply, encodeSocks4Connect, Socks4Proxy } from '../../src/proxy/socks4.js';
import {
  appRead,
  closedSoon,
  listenerCounts,
  negotiateWith,
  proxyAddress,
  serverRead,
  startPeer,
} from './peer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function assertIOError(err: unknown, code: number, message: string): void {
  assert.ok(err instanceof IOError, String(err));
  assert.equal(err.code, code, err.message);
  assert.equal(err.message, message);
}

describe('SOCKS4/4a codec (§7.1)', () => {
  it('matches the observed bytes', () => {
    assert.deepEqual(
      encodeSocks4Connect('example.test', 80, 'joe'),
      Buffer.concat([
        hex('0401 0050 00000001'),
        Buffer.from('joe'),
        hex('00'),
        Buffer.from('example.test'),
        hex('00'),
      ]),
    );
    assert.deepEqual(encodeSocks4Connect('127.0.0.1', 8080, null), hex('0401 1f90 7f000001 00'));
  });

  it('an IPv4 literal has no host part; the user id is sent; there is no password field', () => {
    assert.deepEqual(
      encodeSocks4Connect('10.1.2.3', 1, 'alice'),
      Buffer.concat([hex('0401 0001 0a010203'), Buffer.from('alice'), hex('00')]),
    );
  });

  it('rejects IPv6 literals before anything is written', () => {
    for (const ip of ['::1', '2001:db8::1', 'fe80::1%lo']) {
      assert.throws(
        () => encodeSocks4Connect(ip, 80, null),
        (e: unknown) => (
          assertIOError(e, IOErrorEnum.PROXY_FAILED, `SOCKSv4 does not support IPv6 address “${ip}”`),
          true
        ),
      );
    }
  });

  it('limits user id and host name to 255 bytes', () => {
    assert.equal(encodeSocks4Connect('h'.repeat(255), 1, 'u'.repeat(255)).length, 8 + 256 + 256);
    assert.throws(
      () => encodeSocks4Connect('h', 1, 'u'.repeat(256)),
      (e: unknown) => (
        assertIOError(e, IOErrorEnum.PROXY_FAILED, 'Username is too long for SOCKSv4 protocol'),
        true
      ),
    );
    const long = 'h'.repeat(256);
    assert.throws(
      () => encodeSocks4Connect(long, 1, null),
      (e: unknown) => (
        assertIOError(e, IOErrorEnum.PROXY_FAILED, `Hostname “${long}” is too long for SOCKSv4 protocol`),
        true
      ),
    );
  });

  describe('reply', () => {
    const rejected = 'Connection through SOCKSv4 server was rejected';
    const notSocks4 = 'The server is not a SOCKSv4 proxy server.';
    const rows: readonly [string, true | [number, string]][] = [
      ['005a 0000 00000000', true],
      ['005a 1234 01020304', true], // port and address are ignored
      ['005b 0000 00000000', [IOErrorEnum.PROXY_FAILED, rejected]],
      ['005c 0000 00000000', [IOErrorEnum.PROXY_FAILED, rejected]],
      ['005d 0000 00000000', [IOErrorEnum.PROXY_FAILED, rejected]],
      ['0000 0000 00000000', [IOErrorEnum.PROXY_FAILED, rejected]],
      ['045a 0000 00000000', [IOErrorEnum.PROXY_FAILED, notSocks4]],
      ['055a 0000 00000000', [IOErrorEnum.PROXY_FAILED, notSocks4]],
    ];
    for (const [bytes, expected] of rows) {
      it(`${bytes} → ${expected === true ? 'granted' : expected[1]}`, () => {
        const r = decodeSocks4Reply(hex(bytes));
        if (expected === true) assert.deepEqual(r, { kind: 'done', value: true, length: 8 });
        else {
          assert.equal(r.kind, 'error');
          if (r.kind === 'error') assertIOError(r.error, expected[0], expected[1]);
        }
      });
    }
    it('needs exactly 8 bytes', () => {
      for (let n = 0; n < 8; n++)
        assert.deepEqual(decodeSocks4Reply(Buffer.alloc(n)), { kind: 'need', total: 8 });
    });
  });
});

describe('SOCKS4 against hostile peers', { timeout: 30_000 }, () => {
  const GRANTED = hex('005a 0000 00000000');
  const socks4 = new Socks4Proxy({ supportsHostname: false });
  const socks4a = new Socks4Proxy({ supportsHostname: true });
  const addr = (port: number, host = '127.0.0.1') =>
    proxyAddress(port, { protocol: 'socks4', destinationHostname: host, destinationPort: 8080 });

  it('socks4 has no host names, socks4a has', () => {
    assert.equal(socks4.supportsHostname(), false);
    assert.equal(socks4a.supportsHostname(), true);
  });

  it('a short reply at every length → CONNECTION_CLOSED (GLib: garbage or endless loop)', async () => {
    for (let n = 0; n < 8; n++) {
      const peer = await startPeer(async (s) => {
        await serverRead(s, 9);
        s.end(GRANTED.subarray(0, n));
      });
      try {
        const err = await negotiateWith(socks4, addr(peer.port)).then(
          () => assert.fail(`succeeded with ${n} bytes`),
          (e: unknown) => e,
        );
        assertIOError(err, CONNECTION_CLOSED, 'Connection to SOCKSv4 proxy server lost');
        const { connection, before } = err as {
          connection: { socket: import('node:net').Socket };
          before: Record<string, number>;
        };
        assert.ok(await closedSoon(connection.socket));
        assert.deepEqual(listenerCounts(connection.socket), before);
      } finally {
        await peer.close();
      }
    }
  });

  it('granted: same stream back, the destination bytes right behind the reply intact', async () => {
    const trailer = Buffer.from('SSH-2.0-destination\r\n');
    let request: Buffer | null = null;
    const peer = await startPeer(async (s) => {
      request = await serverRead(s, 9);
      s.write(Buffer.concat([GRANTED, trailer]));
    });
    try {
      const ok = await negotiateWith(socks4, addr(peer.port));
      assert.equal(ok.result, ok.connection);
      assert.deepEqual(request, hex('0401 1f90 7f000001 00'));
      assert.deepEqual(listenerCounts(ok.connection.socket), ok.before);
      assert.deepEqual(await appRead(ok.connection.stream, trailer.length), trailer);
      await ok.connection.close();
    } finally {
      await peer.close();
    }
  });

  it('socks4a sends the name; rejection → PROXY_FAILED', async () => {
    let request: Buffer | null = null;
    const peer = await startPeer(async (s) => {
      request = await serverRead(s, 9 + 'example.test'.length + 1);
      s.write(hex('005b 0000 00000000'));
    });
    try {
      const err = await negotiateWith(socks4a, addr(peer.port, 'example.test')).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.PROXY_FAILED, 'Connection through SOCKSv4 server was rejected');
      assert.deepEqual(
        request,
        Buffer.concat([hex('0401 1f90 00000001 00'), Buffer.from('example.test'), hex('00')]),
      );
    } finally {
      await peer.close();
    }
  });

  it('a SOCKS5 server answering → not a SOCKSv4 proxy server', async () => {
    const peer = await startPeer(async (s) => {
      await serverRead(s, 9);
      s.write(hex('05ff 0000 00000000'));
    });
    try {
      const err = await negotiateWith(socks4, addr(peer.port)).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.PROXY_FAILED, 'The server is not a SOCKSv4 proxy server.');
    } finally {
      await peer.close();
    }
  });

  it('an IPv6 destination fails before anything is sent, and the socket is closed', async () => {
    let received = 0;
    const peer = await startPeer(async (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
    });
    try {
      const err = await negotiateWith(socks4, addr(peer.port, '::1')).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.PROXY_FAILED, 'SOCKSv4 does not support IPv6 address “::1”');
      const { connection } = err as { connection: { socket: import('node:net').Socket } };
      assert.ok(await closedSoon(connection.socket));
      assert.equal(received, 0);
    } finally {
      await peer.close();
    }
  });

  it('cancellation while waiting for the reply', async () => {
    const peer = await startPeer(async (s) => {
      await serverRead(s, 9);
    });
    try {
      const c = new Cancellable();
      const pending = negotiateWith(socks4, addr(peer.port), c);
      setTimeout(() => c.cancel(), 30);
      const err = await pending.then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.CANCELLED, 'Operation was cancelled');
      const { connection } = err as { connection: { socket: import('node:net').Socket } };
      assert.ok(await closedSoon(connection.socket));
    } finally {
      await peer.close();
    }
  });
});
