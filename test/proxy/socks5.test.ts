import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { Cancellable } from '../../src/cancellable.js';
import { CONNECTION_CLOSED, IOErrorEnum } from '../../src/errors/enums.js';
import { IOError, timedOutError } from '../../src/errors/gerror.js';
import {
  decodeSocks5AuthReply,
  decodeSocks5ConnectReply,
  decodeSocks5MethodReply,
  encodeSocks5Auth,
  encodeSocks5Connect,
  encodeSocks5Greeting,
  socks5HasAuth,
  Socks5Proxy,
} from '../../src/proxy/socks5.js';
import type { Decoded } from '../../src/proxy/wire.js';
import {
  appRead,
  closedSoon,
  listenerCounts,
  negotiateWith,
  proxyAddress,
  serverRead,
  startPeer,
  tcpConnect,
} from './peer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function assertError(r: Decoded<unknown>, code: number, message: string): void {
  assert.equal(r.kind, 'error');
  if (r.kind !== 'error') return;
  assert.ok(r.error instanceof IOError);
  assert.equal(r.error.code, code);
  assert.equal(r.error.message, message);
}

function assertThrowsIO(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IOError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

const NOT_SOCKS5 = 'The server is not a SOCKSv5 proxy server.';
const NEED_AUTH = 'The SOCKSv5 proxy requires authentication.';
const UNSUPPORTED = 'The SOCKSv5 proxy requires an authentication method that is not supported by GLib.';
const LOST = 'Connection to SOCKSv5 proxy server lost';

describe('SOCKS5 codec (§7.2)', () => {
  it('greets with NONE, or NONE + USERNAME/PASSWORD when credentials exist', () => {
    assert.deepEqual(encodeSocks5Greeting(false), hex('050100'));
    assert.deepEqual(encodeSocks5Greeting(true), hex('05020002'));
  });

  it('has_auth: a user name or a password (socks5://user@host counts)', () => {
    assert.equal(socks5HasAuth(null, null), false);
    assert.equal(socks5HasAuth('user', null), true);
    assert.equal(socks5HasAuth(null, ''), true);
    assert.equal(socks5HasAuth('', ''), true);
  });

  describe('method reply', () => {
    const rows: readonly [string, boolean, boolean | [number, string]][] = [
      ['0500', false, false],
      ['0500', true, false],
      ['0502', true, true],
      ['0502', false, [IOErrorEnum.PROXY_NEED_AUTH, NEED_AUTH]],
      ['05ff', false, [IOErrorEnum.PROXY_NEED_AUTH, NEED_AUTH]],
      ['05ff', true, [IOErrorEnum.PROXY_AUTH_FAILED, UNSUPPORTED]],
      ['0501', false, [IOErrorEnum.PROXY_AUTH_FAILED, UNSUPPORTED]],
      ['0501', true, [IOErrorEnum.PROXY_AUTH_FAILED, UNSUPPORTED]],
      ['0503', true, [IOErrorEnum.PROXY_AUTH_FAILED, UNSUPPORTED]],
      ['0580', false, [IOErrorEnum.PROXY_AUTH_FAILED, UNSUPPORTED]],
      ['0400', false, [IOErrorEnum.PROXY_FAILED, NOT_SOCKS5]],
      ['0000', true, [IOErrorEnum.PROXY_FAILED, NOT_SOCKS5]],
    ];
    for (const [bytes, hasAuth, expected] of rows) {
      it(`${bytes} with${hasAuth ? '' : 'out'} credentials → ${JSON.stringify(expected)}`, () => {
        const r = decodeSocks5MethodReply(hex(bytes), hasAuth);
        if (typeof expected === 'boolean') assert.deepEqual(r, { kind: 'done', value: expected, length: 2 });
        else assertError(r, expected[0], expected[1]);
      });
    }
    it('needs 2 bytes', () => {
      assert.deepEqual(decodeSocks5MethodReply(hex(''), false), { kind: 'need', total: 2 });
      assert.deepEqual(decodeSocks5MethodReply(hex('05'), false), { kind: 'need', total: 2 });
    });
  });

  describe('username/password (RFC 1929)', () => {
    it('encodes 01 ULEN USER PLEN PASS; null counts as empty', () => {
      assert.deepEqual(
        encodeSocks5Auth('joe', 'pass'),
        Buffer.concat([hex('0103'), Buffer.from('joe'), hex('04'), Buffer.from('pass')]),
      );
      assert.deepEqual(
        encodeSocks5Auth('joe', null),
        Buffer.concat([hex('0103'), Buffer.from('joe'), hex('00')]),
      );
      assert.deepEqual(
        encodeSocks5Auth(null, 'pw'),
        Buffer.concat([hex('0100'), hex('02'), Buffer.from('pw')]),
      );
    });
    it('takes up to 255 bytes each, counted in UTF-8', () => {
      assert.equal(encodeSocks5Auth('u'.repeat(255), 'p'.repeat(255)).length, 3 + 510);
      const msg = 'Username or password is too long for SOCKSv5 protocol.';
      assertThrowsIO(() => encodeSocks5Auth('u'.repeat(256), ''), IOErrorEnum.PROXY_FAILED, msg);
      assertThrowsIO(() => encodeSocks5Auth('', 'p'.repeat(256)), IOErrorEnum.PROXY_FAILED, msg);
      assertThrowsIO(() => encodeSocks5Auth('é'.repeat(128), ''), IOErrorEnum.PROXY_FAILED, msg);
    });
    it('accepts only 01 00 (the version byte is 1, not 5: GLib issue #1986)', () => {
      assert.deepEqual(decodeSocks5AuthReply(hex('0100')), { kind: 'done', value: true, length: 2 });
      const msg = 'SOCKSv5 authentication failed due to wrong username or password.';
      for (const bad of ['0101', '01ff', '0500', '0000'])
        assertError(decodeSocks5AuthReply(hex(bad)), IOErrorEnum.PROXY_AUTH_FAILED, msg);
      assert.deepEqual(decodeSocks5AuthReply(hex('01')), { kind: 'need', total: 2 });
    });
  });

  describe('connect request', () => {
    it('matches the observed bytes of §7.2', () => {
      assert.deepEqual(
        encodeSocks5Connect('example.test', 80),
        Buffer.concat([hex('050100030c'), Buffer.from('example.test'), hex('0050')]),
      );
      assert.deepEqual(encodeSocks5Connect('10.1.2.3', 81), hex('05010001 0a010203 0051'));
      assert.deepEqual(
        encodeSocks5Connect('2001:db8::1', 82),
        hex('05010004 20010db8000000000000000000000001 0052'),
      );
    });
    it('drops the zone of a scoped IPv6 literal (GLib 2.74 crashed)', () => {
      assert.deepEqual(
        encodeSocks5Connect('fe80::1%lo', 443),
        hex('05010004 fe800000000000000000000000000001 01bb'),
      );
    });
    it('takes host names up to 255 bytes', () => {
      const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;
      assert.equal(name.length, 255);
      assert.equal(encodeSocks5Connect(name, 1)[4], 255);
      const long = `${name}x`;
      assertThrowsIO(
        () => encodeSocks5Connect(long, 1),
        IOErrorEnum.PROXY_FAILED,
        `Hostname “${long}” is too long for SOCKSv5 protocol`,
      );
    });
  });

  describe('connect reply', () => {
    const rep: readonly [number, number, string][] = [
      [0x01, IOErrorEnum.PROXY_FAILED, 'Internal SOCKSv5 proxy server error.'],
      [0x02, IOErrorEnum.PROXY_NOT_ALLOWED, 'SOCKSv5 connection not allowed by ruleset.'],
      [0x03, IOErrorEnum.NETWORK_UNREACHABLE, 'Network unreachable through SOCKSv5 proxy.'],
      [0x04, IOErrorEnum.HOST_UNREACHABLE, 'Host unreachable through SOCKSv5 server.'],
      [0x05, IOErrorEnum.CONNECTION_REFUSED, 'Connection refused through SOCKSv5 proxy.'],
      [0x06, IOErrorEnum.HOST_UNREACHABLE, 'Host unreachable through SOCKSv5 server.'],
      [0x07, IOErrorEnum.PROXY_FAILED, 'SOCKSv5 proxy does not support “connect” command.'],
      [0x08, IOErrorEnum.PROXY_FAILED, 'SOCKSv5 proxy does not support provided address type.'],
      [0x09, IOErrorEnum.PROXY_FAILED, 'Unknown SOCKSv5 proxy error.'],
      [0x80, IOErrorEnum.PROXY_FAILED, 'Unknown SOCKSv5 proxy error.'],
      [0xff, IOErrorEnum.PROXY_FAILED, 'Unknown SOCKSv5 proxy error.'],
    ];
    for (const [code, gcode, message] of rep) {
      it(`REP ${code.toString(16).padStart(2, '0')} → ${IOErrorEnum[gcode]} "${message}"`, () => {
        // The header alone decides a failure, whatever ATYP says.
        assertError(decodeSocks5ConnectReply(Buffer.from([5, code, 0, 1])), gcode, message);
      });
    }
    it('success: reads and skips BND.ADDR and BND.PORT for each ATYP', () => {
      assert.deepEqual(decodeSocks5ConnectReply(hex('05000001')), { kind: 'need', total: 10 });
      assert.deepEqual(decodeSocks5ConnectReply(hex('05000001 7f000001 1f90')), {
        kind: 'done',
        value: true,
        length: 10,
      });
      assert.deepEqual(decodeSocks5ConnectReply(hex('05000004')), { kind: 'need', total: 22 });
      assert.deepEqual(decodeSocks5ConnectReply(Buffer.concat([hex('05000004'), Buffer.alloc(18)])), {
        kind: 'done',
        value: true,
        length: 22,
      });
      assert.deepEqual(decodeSocks5ConnectReply(hex('05000003')), { kind: 'need', total: 5 });
      assert.deepEqual(decodeSocks5ConnectReply(hex('0500000303')), { kind: 'need', total: 10 });
      assert.deepEqual(decodeSocks5ConnectReply(hex('0500000303 616263 0050')), {
        kind: 'done',
        value: true,
        length: 10,
      });
      assert.deepEqual(decodeSocks5ConnectReply(hex('0500000300 0050')), {
        kind: 'done',
        value: true,
        length: 7,
      });
      assert.deepEqual(decodeSocks5ConnectReply(hex('05')), { kind: 'need', total: 4 });
    });
    it('success needs RSV 00 and a known ATYP; VER must be 5', () => {
      assertError(decodeSocks5ConnectReply(hex('05000101')), IOErrorEnum.PROXY_FAILED, NOT_SOCKS5);
      const unknown = 'The SOCKSv5 proxy server uses unknown address type.';
      for (const atyp of ['00', '02', '05', 'ff'])
        assertError(decodeSocks5ConnectReply(hex(`050000${atyp}`)), IOErrorEnum.PROXY_FAILED, unknown);
      assertError(decodeSocks5ConnectReply(hex('04000001')), IOErrorEnum.PROXY_FAILED, NOT_SOCKS5);
      assertError(decodeSocks5ConnectReply(hex('00000001')), IOErrorEnum.PROXY_FAILED, NOT_SOCKS5);
    });
  });
});

// ---- hostile peers on loopback ------------------------------------------------------------

type Flow = {
  readonly name: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly destination: string;
  /** Server side: the exchange as [bytes to read, bytes to answer] steps. */
  readonly steps: readonly [number, Buffer][];
};

const FLOWS: readonly Flow[] = [
  {
    name: 'no auth, IPv4 bound address',
    username: null,
    password: null,
    destination: '127.0.0.1',
    steps: [
      [3, hex('0500')],
      [10, hex('05000001 7f000001 1f90')],
    ],
  },
  {
    name: 'username/password, domain bound address',
    username: 'user',
    password: 'secret',
    destination: 'example.test',
    steps: [
      [4, hex('0502')],
      [3 + 4 + 6, hex('0100')],
      [5 + 12 + 2, hex('0500000309 6c6f63616c686f7374 0050')],
    ],
  },
  {
    name: 'no auth, IPv6 bound address',
    username: null,
    password: null,
    destination: '2001:db8::1',
    steps: [
      [3, hex('0500')],
      [22, Buffer.concat([hex('05000004'), Buffer.alloc(16, 1), hex('0050')])],
    ],
  },
];

/** Plays `flow`, writing only the first `limit` bytes of all its answers, then FIN (or RST). */
function playFlow(flow: Flow, limit: number, opts: { rst?: boolean; trailer?: Buffer } = {}) {
  return async (socket: Socket): Promise<void> => {
    let remaining = limit;
    for (const [i, [read, answer]] of flow.steps.entries()) {
      await serverRead(socket, read);
      const n = Math.min(remaining, answer.length);
      const last = i === flow.steps.length - 1 && n === answer.length;
      // The destination's first bytes go right behind the reply, in the same segment.
      if (last && opts.trailer) socket.write(Buffer.concat([answer, opts.trailer]));
      else if (n > 0) socket.write(answer.subarray(0, n));
      remaining -= n;
      if (n < answer.length) {
        if (opts.rst) socket.resetAndDestroy();
        else socket.end();
        return;
      }
    }
  };
}

const totalAnswer = (flow: Flow): number => flow.steps.reduce((n, [, a]) => n + a.length, 0);

function address(port: number, flow: Flow) {
  return proxyAddress(port, {
    protocol: 'socks5',
    destinationHostname: flow.destination,
    destinationPort: 80,
    username: flow.username,
    password: flow.password,
  });
}

async function expectFailure(
  promise: Promise<unknown>,
  code: number,
  message: string,
): Promise<{ connection: { socket: Socket }; before: Record<string, number> }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof IOError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.message, message);
    return err as unknown as { connection: { socket: Socket }; before: Record<string, number> };
  }
  assert.fail('negotiation succeeded');
}

describe('SOCKS5 against hostile peers', { timeout: 60_000 }, () => {
  const proxy = new Socks5Proxy();

  for (const flow of FLOWS) {
    it(`${flow.name}: every truncation → CONNECTION_CLOSED, socket destroyed, no listener left`, async () => {
      for (let limit = 0; limit < totalAnswer(flow); limit++) {
        const peer = await startPeer(playFlow(flow, limit));
        try {
          const failure = await expectFailure(
            negotiateWith(proxy, address(peer.port, flow)),
            CONNECTION_CLOSED,
            LOST,
          );
          assert.ok(await closedSoon(failure.connection.socket), `socket destroyed at limit ${limit}`);
          assert.deepEqual(
            listenerCounts(failure.connection.socket),
            failure.before,
            `listeners at limit ${limit}`,
          );
        } finally {
          await peer.close();
        }
      }
    });

    it(`${flow.name}: full reply succeeds; the destination's first bytes reach the application`, async () => {
      const trailer = Buffer.from('hello from the destination\n');
      const peer = await startPeer(playFlow(flow, totalAnswer(flow), { trailer }));
      try {
        const ok = await negotiateWith(proxy, address(peer.port, flow));
        assert.equal(ok.result, ok.connection, 'SOCKS returns the same stream');
        assert.deepEqual(listenerCounts(ok.connection.socket), ok.before);
        assert.deepEqual(await appRead(ok.connection.stream, trailer.length), trailer);
        await ok.connection.close();
        assert.deepEqual(peer.errors, []);
      } finally {
        await peer.close();
      }
    });
  }

  it('sends the exact greeting, auth and connect bytes', async () => {
    const seen: Buffer[] = [];
    const peer = await startPeer(async (s) => {
      seen.push(await serverRead(s, 4));
      s.write(hex('0502'));
      seen.push(await serverRead(s, 3 + 5 + 6));
      s.write(hex('0100'));
      seen.push(await serverRead(s, 4 + 1 + 12 + 2));
      s.write(hex('05000001 00000000 0000'));
    });
    try {
      const addr = proxyAddress(peer.port, {
        protocol: 'socks5',
        destinationHostname: 'example.test',
        destinationPort: 443,
        username: 'us@er',
        password: 'p:sswd',
      });
      const ok = await negotiateWith(proxy, addr);
      await ok.connection.close();
      assert.deepEqual(seen, [
        hex('05020002'),
        Buffer.concat([hex('0105'), Buffer.from('us@er'), hex('06'), Buffer.from('p:sswd')]),
        Buffer.concat([hex('050100030c'), Buffer.from('example.test'), hex('01bb')]),
      ]);
    } finally {
      await peer.close();
    }
  });

  it('a reset mid-reply is CONNECTION_CLOSED (44) too', async () => {
    const flow = FLOWS[0];
    const peer = await startPeer(playFlow(flow, 5, { rst: true }));
    try {
      const err = await negotiateWith(proxy, address(peer.port, flow)).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, CONNECTION_CLOSED);
    } finally {
      await peer.close();
    }
  });

  const badVersions: readonly [string, (s: Socket) => Promise<void>, number, string][] = [
    [
      'method reply version 4',
      async (s) => {
        await serverRead(s, 3);
        s.write(hex('0400'));
      },
      IOErrorEnum.PROXY_FAILED,
      NOT_SOCKS5,
    ],
    [
      'connect reply version 0 (a SOCKS4 server)',
      async (s) => {
        await serverRead(s, 3);
        s.write(hex('0500'));
        await serverRead(s, 10);
        s.write(hex('005a0000 00000000'));
      },
      IOErrorEnum.PROXY_FAILED,
      NOT_SOCKS5,
    ],
    [
      'an HTTP server',
      async (s) => {
        await serverRead(s, 3);
        s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      },
      IOErrorEnum.PROXY_FAILED,
      NOT_SOCKS5,
    ],
    [
      'REP 05',
      async (s) => {
        await serverRead(s, 3);
        s.write(hex('0500'));
        await serverRead(s, 10);
        s.write(hex('05050001 00000000 0000'));
      },
      IOErrorEnum.CONNECTION_REFUSED,
      'Connection refused through SOCKSv5 proxy.',
    ],
    [
      'asks for auth we do not have',
      async (s) => {
        await serverRead(s, 3);
        s.write(hex('0502'));
      },
      IOErrorEnum.PROXY_NEED_AUTH,
      NEED_AUTH,
    ],
  ];
  for (const [name, script, code, message] of badVersions) {
    it(`${name} → ${IOErrorEnum[code]}`, async () => {
      const peer = await startPeer(script);
      try {
        const failure = await expectFailure(
          negotiateWith(proxy, address(peer.port, FLOWS[0])),
          code,
          message,
        );
        assert.ok(await closedSoon(failure.connection.socket));
      } finally {
        await peer.close();
      }
    });
  }

  it('a too-long host name fails only after the method exchange, as in GIO', async () => {
    const long = 'h'.repeat(256);
    const peer = await startPeer(async (s) => {
      await serverRead(s, 3);
      s.write(hex('0500'));
    });
    try {
      const addr = proxyAddress(peer.port, {
        protocol: 'socks5',
        destinationHostname: long,
        destinationPort: 1,
      });
      await expectFailure(
        negotiateWith(proxy, addr),
        IOErrorEnum.PROXY_FAILED,
        `Hostname “${long}” is too long for SOCKSv5 protocol`,
      );
    } finally {
      await peer.close();
    }
  });

  it('cancellation mid-negotiation → CANCELLED, socket destroyed, listeners removed', async () => {
    const peer = await startPeer(async (s) => {
      await serverRead(s, 3); // and never answer
    });
    try {
      const c = new Cancellable();
      const pending = negotiateWith(proxy, address(peer.port, FLOWS[0]), c);
      setTimeout(() => c.cancel(), 50);
      const failure = await expectFailure(pending, IOErrorEnum.CANCELLED, 'Operation was cancelled');
      assert.ok(await closedSoon(failure.connection.socket));
      assert.deepEqual(listenerCounts(failure.connection.socket), failure.before);
      assert.equal(c.handlerCount, 0);
    } finally {
      await peer.close();
    }
  });

  it('already cancelled → CANCELLED before anything is sent', async () => {
    let received = 0;
    const peer = await startPeer(async (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
    });
    try {
      const c = new Cancellable();
      c.cancel();
      const failure = await expectFailure(
        negotiateWith(proxy, address(peer.port, FLOWS[0]), c),
        IOErrorEnum.CANCELLED,
        'Operation was cancelled',
      );
      assert.ok(await closedSoon(failure.connection.socket));
      assert.equal(received, 0);
    } finally {
      await peer.close();
    }
  });

  it("the client's inactivity timeout (socket destroyed with TIMED_OUT) is the error", async () => {
    const peer = await startPeer(async (s) => {
      await serverRead(s, 3); // silent
    });
    try {
      const addr = address(peer.port, FLOWS[0]);
      const connection = await tcpConnect(addr);
      connection.socket.setTimeout(100, () => connection.socket.destroy(timedOutError()));
      const err = await proxy.connect(connection, addr).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.TIMED_OUT);
      assert.equal(err.message, 'Socket I/O timed out');
    } finally {
      await peer.close();
    }
  });
});
