import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { Cancellable } from '../../src/cancellable.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { IOError, timedOutError } from '../../src/errors/gerror.js';
import {
  checkHttpConnectStatus,
  decodeHttpConnectReply,
  encodeHttpConnect,
  HTTP_PROXY_MAX_RESPONSE,
  HttpProxy,
  httpConnectAuthority,
} from '../../src/proxy/http-proxy.js';
import {
  appRead,
  closedSoon,
  listenerCounts,
  negotiateWith,
  proxyAddress,
  serverReadHeader,
  startPeer,
  tcpConnect,
} from './peer.js';

function assertIOError(err: unknown, code: number, message: string): void {
  assert.ok(err instanceof IOError, String(err));
  assert.equal(err.code, code, err.message);
  assert.equal(err.message, message);
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('HTTP CONNECT codec (§7.3)', () => {
  it('builds the exact request', () => {
    const r = encodeHttpConnect('example.test', 443, null, null);
    assert.equal(
      r.bytes.toString(),
      'CONNECT example.test:443 HTTP/1.0\r\n' +
        'Host: example.test:443\r\n' +
        'Proxy-Connection: keep-alive\r\n' +
        'User-Agent: gsocketclient/0.1\r\n' +
        '\r\n',
    );
    assert.equal(r.hasCredentials, false);
  });

  it('adds Basic credentials only when both user name and password exist (UTF-8, decoded values)', () => {
    const r = encodeHttpConnect('example.test', 443, 'alice', 's cret');
    assert.equal(r.hasCredentials, true);
    assert.match(r.bytes.toString(), /\r\nProxy-Authorization: Basic YWxpY2U6cyBjcmV0\r\n\r\n$/);
    assert.equal(Buffer.from('YWxpY2U6cyBjcmV0', 'base64').toString(), 'alice:s cret');
    const utf8 = encodeHttpConnect('h', 1, 'jürgen', 'pässwort');
    const b64 = /Basic (\S+)\r\n/.exec(utf8.bytes.toString())![1];
    assert.equal(Buffer.from(b64, 'base64').toString('utf8'), 'jürgen:pässwort');
    for (const [u, p] of [
      ['a', null],
      [null, 'b'],
      [null, null],
    ] as const) {
      const x = encodeHttpConnect('h', 1, u, p);
      assert.equal(x.hasCredentials, false);
      assert.doesNotMatch(x.bytes.toString(), /Proxy-Authorization/);
    }
    const empty = encodeHttpConnect('h', 1, '', '');
    assert.equal(empty.hasCredentials, true);
    assert.match(empty.bytes.toString(), /Basic Og==\r\n/);
  });

  it('brackets IPv6 literals (GLib 2.74 does not), drops a zone, IDNA-converts names', () => {
    const rows: readonly [string, number, string][] = [
      ['2001:db8::1', 443, '[2001:db8::1]:443'],
      ['::1', 80, '[::1]:80'],
      ['fe80::1%lo', 443, '[fe80::1]:443'],
      ['192.0.2.1', 8080, '192.0.2.1:8080'],
      ['bücher.test', 80, 'xn--bcher-kva.test:80'],
      ['Example.Test', 80, 'Example.Test:80'],
      ['localhost', 0, 'localhost:0'],
    ];
    for (const [host, port, expected] of rows) assert.equal(httpConnectAuthority(host, port), expected, host);
    const r = encodeHttpConnect('2001:db8::1', 443, null, null).bytes.toString();
    assert.match(r, /^CONNECT \[2001:db8::1\]:443 HTTP\/1\.0\r\nHost: \[2001:db8::1\]:443\r\n/);
  });

  it('an unconvertible name → FAILED "Invalid hostname"', () => {
    for (const bad of ['a b ü', 'xn--ü', '\u200cü']) {
      assert.throws(
        () => encodeHttpConnect(bad, 80, null, null),
        (e: unknown) => (assertIOError(e, IOErrorEnum.FAILED, 'Invalid hostname'), true),
      );
    }
  });

  describe('status', () => {
    const failed = (n: number): [number, string] => [
      IOErrorEnum.PROXY_FAILED,
      `HTTP proxy connection failed: ${n}`,
    ];
    const bad: [number, string] = [IOErrorEnum.PROXY_FAILED, 'Bad HTTP proxy reply'];
    const rows: readonly [string, boolean, null | [number, string]][] = [
      ['HTTP/1.1 200 OK', false, null],
      ['HTTP/1.0 200 Connection established', false, null],
      ['HTTP/1.1 204 No Content', false, null],
      ['HTTP/1.1 299 x', false, null],
      ['HTTP/1.1    200 OK', false, null], // spaces skipped
      ['HTTP/1.1 \t200', false, null], // atoi skips other white space
      ['HTTP/1.1200 OK', false, null], // GIO does not require the space
      ['HTTP/1.1 +200', false, null],
      ['HTTP/1.1 199', false, failed(199)],
      ['HTTP/1.1 100 Continue', false, failed(100)],
      ['HTTP/1.1 300', false, failed(300)],
      ['HTTP/1.1 301 Moved', false, failed(301)],
      ['HTTP/1.1 403 Forbidden', false, [IOErrorEnum.PROXY_NOT_ALLOWED, 'HTTP proxy connection not allowed']],
      ['HTTP/1.1 403 Forbidden', true, [IOErrorEnum.PROXY_NOT_ALLOWED, 'HTTP proxy connection not allowed']],
      [
        'HTTP/1.1 407 Proxy Authentication Required',
        false,
        [IOErrorEnum.PROXY_NEED_AUTH, 'HTTP proxy authentication required'],
      ],
      [
        'HTTP/1.1 407 Proxy Authentication Required',
        true,
        [IOErrorEnum.PROXY_AUTH_FAILED, 'HTTP proxy authentication failed'],
      ],
      ['HTTP/1.1 502 Bad Gateway', false, failed(502)],
      ['HTTP/1.1 500', true, failed(500)],
      ['HTTP/1.1 abc', false, failed(0)],
      ['HTTP/1.1', false, failed(0)],
      ['HTTP/1.1 -200', false, failed(-200)],
      ['HTTP/1.1 99999999999', false, failed(1215752191)], // strtol, then the cast to int
      ['HTTP/1.1 2\u000000', false, failed(2)], // a C string ends at NUL
      ['HTTP/1.1 123456789', false, failed(123456789)], // the longest number read from the bytes
      ['HTTP/1.1 0000000200 OK', false, null], // ten digits: the string atoi, same answer
      ['HTTP/1.1 2999999999', false, failed(-1294967297)], // fits a long, wraps as an int
      ['HTTP/1.1 \u0000200', false, failed(0)], // NUL before the digits
      ['FOO/1.0 200', false, bad],
      ['http/1.1 200', false, bad],
      ['HTTP/1.2 200', false, bad],
      ['HTTP/2 200', false, bad],
      ['HTTP/1.', false, bad],
      ['', false, bad],
      ['\u0000HTTP/1.1 200', false, bad],
      ['SSH-2.0-OpenSSH_9.2', false, bad],
    ];
    for (const [line, cred, expected] of rows) {
      it(`${JSON.stringify(line)}${cred ? ' (credentials sent)' : ''} → ${expected ? expected[1] : 'success'}`, () => {
        const err = checkHttpConnectStatus(bytes(`${line}\r\n\r\n`), cred);
        if (expected === null) assert.equal(err, null);
        else assertIOError(err, expected[0], expected[1]);
      });
    }
  });

  describe('reading the header', () => {
    it('ends at the first CRLFCRLF; what follows is not part of it', () => {
      const head = 'HTTP/1.1 200 OK\r\nVia: x\r\n\r\n';
      assert.deepEqual(decodeHttpConnectReply(bytes(`${head}SSH-2.0\r\n\r\n`), false, false), {
        kind: 'done',
        value: true,
        length: head.length,
      });
      assert.deepEqual(decodeHttpConnectReply(bytes('HTTP/1.1 200 OK\r\n'), false, false), {
        kind: 'need',
        total: 18,
      });
    });

    it('EOF: nothing read → PROXY_FAILED; a partial header is judged (200 then close is a success)', () => {
      const r0 = decodeHttpConnectReply(Buffer.alloc(0), true, false);
      assert.equal(r0.kind, 'error');
      if (r0.kind === 'error') {
        assertIOError(
          r0.error,
          IOErrorEnum.PROXY_FAILED,
          'HTTP proxy server closed connection unexpectedly.',
        );
      }
      assert.deepEqual(decodeHttpConnectReply(bytes('HTTP/1.1 200 OK\r\n'), true, false), {
        kind: 'done',
        value: true,
        length: 17,
      });
      const r = decodeHttpConnectReply(bytes('HTTP/1.1 40'), true, false);
      assert.equal(r.kind, 'error');
      if (r.kind === 'error')
        assertIOError(r.error, IOErrorEnum.PROXY_FAILED, 'HTTP proxy connection failed: 40');
    });

    it('bounds the header at 131071 bytes, like GIO', () => {
      assert.equal(HTTP_PROXY_MAX_RESPONSE, 131071);
      const fill = (total: number): Buffer => {
        const head = 'HTTP/1.1 200 OK\r\nX: ';
        return bytes(head + 'a'.repeat(total - head.length - 4) + '\r\n\r\n');
      };
      const atMax = fill(131071);
      assert.equal(atMax.length, 131071);
      assert.deepEqual(decodeHttpConnectReply(atMax, false, false), {
        kind: 'done',
        value: true,
        length: 131071,
      });
      const tooBig = (r: ReturnType<typeof decodeHttpConnectReply>): void => {
        assert.equal(r.kind, 'error');
        if (r.kind === 'error')
          assertIOError(r.error, IOErrorEnum.PROXY_FAILED, 'HTTP proxy response too big');
      };
      tooBig(decodeHttpConnectReply(fill(131072), false, false));
      tooBig(decodeHttpConnectReply(fill(131072), true, false));
      const noEnd = bytes('HTTP/1.1 200 OK\r\n' + 'a'.repeat(131071 - 17));
      assert.deepEqual(decodeHttpConnectReply(noEnd, false, false), { kind: 'need', total: 131072 });
      assert.deepEqual(decodeHttpConnectReply(noEnd, true, false), {
        kind: 'done',
        value: true,
        length: 131071,
      });
      tooBig(decodeHttpConnectReply(Buffer.concat([noEnd, bytes('a')]), false, false));
    });

    it('the header end is found at every reply size, never in a cut-short terminator or past a NUL', () => {
      for (const size of [0, 900, 1020, 1024, 1025, 1100, 4000]) {
        const head = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(size)}`;
        const reply = bytes(`${head}\r\n\r\nafter`);
        assert.deepEqual(decodeHttpConnectReply(reply, false, false), {
          kind: 'done',
          value: true,
          length: head.length + 4,
        });
        // A terminator cut short at the end of what has arrived is not one yet.
        for (const cut of ['\r', '\r\n', '\r\n\r']) {
          const partial = bytes(`${head}${cut}`);
          assert.deepEqual(decodeHttpConnectReply(partial, false, false), {
            kind: 'need',
            total: partial.length + 1,
          });
        }
        const hidden = bytes(`${head}\u0000\r\n\r\n`);
        assert.equal(decodeHttpConnectReply(hidden, false, false).kind, 'need', `NUL, size ${size}`);
      }
    });

    it('a NUL byte hides every later terminator (GIO tests the suffix of a C string)', () => {
      const withNul = bytes('HTTP/1.1 200 OK\u0000\r\n\r\n');
      assert.deepEqual(decodeHttpConnectReply(withNul, false, false), {
        kind: 'need',
        total: withNul.length + 1,
      });
      assert.deepEqual(decodeHttpConnectReply(withNul, true, false), {
        kind: 'done',
        value: true,
        length: withNul.length,
      });
    });
  });
});

// ---- hostile peers on loopback ------------------------------------------------------------

describe('HTTP CONNECT against hostile peers', { timeout: 60_000 }, () => {
  const proxy = new HttpProxy();
  const addr = (port: number, user: string | null = null, pass: string | null = null) =>
    proxyAddress(port, {
      protocol: 'http',
      destinationHostname: 'example.test',
      destinationPort: 443,
      username: user,
      password: pass,
    });

  async function failWith(
    script: (s: Socket) => Promise<void>,
    code: number,
    message: string,
    user: string | null = null,
    pass: string | null = null,
  ): Promise<void> {
    const peer = await startPeer(script);
    try {
      const err = await negotiateWith(proxy, addr(peer.port, user, pass)).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, code, message);
      const { connection, before } = err as {
        connection: { socket: Socket };
        before: Record<string, number>;
      };
      assert.ok(await closedSoon(connection.socket), 'socket destroyed');
      assert.deepEqual(listenerCounts(connection.socket), before);
    } finally {
      await peer.close();
    }
  }

  const reply = (text: string) => async (s: Socket) => {
    await serverReadHeader(s);
    s.write(text);
  };

  it('403 → PROXY_NOT_ALLOWED', () =>
    failWith(
      reply('HTTP/1.1 403 Forbidden\r\n\r\n'),
      IOErrorEnum.PROXY_NOT_ALLOWED,
      'HTTP proxy connection not allowed',
    ));
  it('407 without credentials → PROXY_NEED_AUTH', () =>
    failWith(
      reply('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n'),
      IOErrorEnum.PROXY_NEED_AUTH,
      'HTTP proxy authentication required',
    ));
  it('407 with a user but no password → PROXY_NEED_AUTH (no header was sent)', () =>
    failWith(
      reply('HTTP/1.1 407 x\r\n\r\n'),
      IOErrorEnum.PROXY_NEED_AUTH,
      'HTTP proxy authentication required',
      'a',
      null,
    ));
  it('407 with credentials → PROXY_AUTH_FAILED', () =>
    failWith(
      reply('HTTP/1.1 407 x\r\n\r\n'),
      IOErrorEnum.PROXY_AUTH_FAILED,
      'HTTP proxy authentication failed',
      'a',
      'b',
    ));
  it('502 → PROXY_FAILED with the code', () =>
    failWith(
      reply('HTTP/1.1 502 Bad Gateway\r\n\r\n'),
      IOErrorEnum.PROXY_FAILED,
      'HTTP proxy connection failed: 502',
    ));
  it('garbage → Bad HTTP proxy reply', () =>
    failWith(reply('\u0016\u0003\u0001garbage\r\n\r\n'), IOErrorEnum.PROXY_FAILED, 'Bad HTTP proxy reply'));
  it('FOO/1.0 200 → Bad HTTP proxy reply', () =>
    failWith(reply('FOO/1.0 200 OK\r\n\r\n'), IOErrorEnum.PROXY_FAILED, 'Bad HTTP proxy reply'));
  it('close without a byte → closed unexpectedly', () =>
    failWith(
      async (s) => {
        await serverReadHeader(s);
        s.end();
      },
      IOErrorEnum.PROXY_FAILED,
      'HTTP proxy server closed connection unexpectedly.',
    ));
  it('a reset without a byte → CONNECTION_CLOSED (44) "Error receiving data: Connection reset by peer"', () =>
    failWith(
      async (s) => {
        await serverReadHeader(s);
        s.resetAndDestroy();
      },
      IOErrorEnum.BROKEN_PIPE,
      'Error receiving data: Connection reset by peer',
    ));
  it('a header that never ends, growing past the bound → response too big', () =>
    failWith(
      async (s) => {
        await serverReadHeader(s);
        s.write('HTTP/1.1 200 OK\r\n');
        const line = Buffer.alloc(8192, 'a');
        // Bounded: 40 × 8 KiB = 320 KiB, well past the 128 KiB limit.
        for (let i = 0; i < 40 && !s.destroyed; i++) {
          if (!s.write(line)) await new Promise((r) => s.once('drain', r).once('close', r));
        }
      },
      IOErrorEnum.PROXY_FAILED,
      'HTTP proxy response too big',
    ));

  it('sends the exact request, credentials included', async () => {
    let seen = '';
    const peer = await startPeer(async (s) => {
      seen = await serverReadHeader(s);
      s.write('HTTP/1.0 200 Connection established\r\n\r\n');
    });
    try {
      const ok = await negotiateWith(proxy, addr(peer.port, 'alice', 's cret'));
      await ok.connection.close();
      assert.equal(
        seen,
        'CONNECT example.test:443 HTTP/1.0\r\nHost: example.test:443\r\nProxy-Connection: keep-alive\r\n' +
          'User-Agent: gsocketclient/0.1\r\nProxy-Authorization: Basic YWxpY2U6cyBjcmV0\r\n\r\n',
      );
    } finally {
      await peer.close();
    }
  });

  it('"HTTP/1.1 200 OK\\r\\n" then close is a success (§7.3, observed)', async () => {
    const peer = await startPeer(async (s) => {
      await serverReadHeader(s);
      s.end('HTTP/1.1 200 OK\r\n');
    });
    try {
      const ok = await negotiateWith(proxy, addr(peer.port));
      assert.equal(ok.result, ok.connection);
      await ok.connection.close();
    } finally {
      await peer.close();
    }
  });

  for (const [name, headerBytes] of [
    ['a short header', 0],
    ['a 100 KiB header', 100 * 1024],
  ] as const) {
    it(`${name}: the destination's bytes in the same segment reach the application intact`, async () => {
      const body = Buffer.alloc(70000);
      for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
      const head = `HTTP/1.1 200 Connection established\r\n${headerBytes ? `X-Pad: ${'p'.repeat(headerBytes)}\r\n` : ''}\r\n`;
      const peer = await startPeer(async (s) => {
        await serverReadHeader(s);
        s.write(Buffer.concat([Buffer.from(head), body]));
      });
      try {
        const ok = await negotiateWith(proxy, addr(peer.port));
        assert.deepEqual(listenerCounts(ok.connection.socket), ok.before);
        const got = await appRead(ok.connection.stream, body.length);
        assert.equal(got.length, body.length);
        assert.ok(got.equals(body));
        await ok.connection.close();
      } finally {
        await peer.close();
      }
    });
  }

  it('cancellation while waiting for the reply', async () => {
    const peer = await startPeer(async (s) => {
      await serverReadHeader(s);
      s.write('HTTP/1.1 200 OK\r\n'); // and no end of header
    });
    try {
      const c = new Cancellable();
      const pending = negotiateWith(proxy, addr(peer.port), c);
      setTimeout(() => c.cancel(), 50);
      const err = await pending.then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.CANCELLED, 'Operation was cancelled');
      const { connection } = err as { connection: { socket: Socket } };
      assert.ok(await closedSoon(connection.socket));
      assert.equal(c.handlerCount, 0);
    } finally {
      await peer.close();
    }
  });

  it("the client's inactivity timeout is the error", async () => {
    const peer = await startPeer(async (s) => {
      await serverReadHeader(s);
    });
    try {
      const a = addr(peer.port);
      const connection = await tcpConnect(a);
      connection.socket.setTimeout(100, () => connection.socket.destroy(timedOutError()));
      const err = await proxy.connect(connection, a).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertIOError(err, IOErrorEnum.TIMED_OUT, 'Socket I/O timed out');
    } finally {
      await peer.close();
    }
  });

  it('never puts credentials in an error message', async () => {
    const peer = await startPeer(reply('HTTP/1.1 407 x\r\n\r\n'));
    try {
      const err = await negotiateWith(proxy, addr(peer.port, 'alice', 'hunter2')).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.stack ?? ''}`;
      assert.doesNotMatch(text, /hunter2|alice|YWxpY2U6aHVudGVyMg/);
    } finally {
      await peer.close();
    }
  });
});
