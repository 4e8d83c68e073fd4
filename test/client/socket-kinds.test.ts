// local-address, family, type and protocol (§10), Unix sockets, UDP, and property validation.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DatagramConnection,
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  SocketClient,
  SocketConnection,
  SocketFamily,
  SocketProtocol,
  SocketType,
  TcpConnection,
  type TlsCertificateFlags,
  UnixConnection,
  UnixSocketAddress,
} from '../../src/index.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer } from '../helpers/servers.js';

const client = (opts: ConstructorParameters<typeof SocketClient>[0] = {}): SocketClient<SocketType> =>
  new SocketClient({ proxyResolver: DIRECT, ...opts });

describe('local-address and family (§10)', () => {
  it('localAddress 127.0.0.2 is the source the server sees', async () => {
    const srv = await startEchoServer('127.0.0.1');
    try {
      const c = client({ localAddress: InetSocketAddress.newFromString('127.0.0.2', 0) });
      const conn = await c.connectToHost(`127.0.0.1:${srv.port}`, 0);
      await new Promise((r) => setTimeout(r, 20));
      assert.match(srv.peers.at(-1)!, /^127\.0\.0\.2:\d+$/);
      assert.equal((conn.getLocalAddress() as InetSocketAddress).address.toString(), '127.0.0.2');
      await conn.close();
    } finally {
      await srv.close();
    }
  });

  it('an IPv4 local address makes ::1 fail with NOT_SUPPORTED, then 127.0.0.1 works (localhost)', async () => {
    const srv = await startEchoServer('127.0.0.1');
    try {
      const c = client({ localAddress: InetSocketAddress.newFromString('127.0.0.1', 0) });
      const events = recordEvents(c);
      const conn = await c.connectToHost(`localhost:${srv.port}`, 0);
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      await conn.close();
      await assert.rejects(c.connectToHost(`[::1]:${srv.port}`, 0), {
        code: IOErrorEnum.NOT_SUPPORTED,
        message: 'Could not connect to ::1: Address family not supported by protocol',
      });
    } finally {
      await srv.close();
    }
  });

  it('family IPV4 with an IPv6 target: NOT_SUPPORTED after CONNECTING (no filtering, as GIO)', async () => {
    const c = client({ family: SocketFamily.IPV4 });
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('[::1]:9', 0), {
      code: IOErrorEnum.NOT_SUPPORTED,
      message: 'Could not connect to ::1: Address family not supported by protocol',
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
  });

  it('family IPV6 with an IPv4 target: INVALID_ARGUMENT "Invalid argument" after CONNECTING (GIO, EINVAL)', async () => {
    const srv = await startEchoServer('127.0.0.1');
    try {
      const c = client({ family: SocketFamily.IPV6 });
      const events = recordEvents(c);
      await assert.rejects(c.connectToHost(`127.0.0.1:${srv.port}`, 0), {
        code: IOErrorEnum.INVALID_ARGUMENT,
        message: 'Could not connect to 127.0.0.1: Invalid argument',
      });
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
      assert.deepEqual(srv.peers, [], 'nothing reached the server');
    } finally {
      await srv.close();
    }
  });

  it('an IPv6 local address with an IPv4 target: the socket is IPv6, so INVALID_ARGUMENT (GIO)', async () => {
    const srv = await startEchoServer('127.0.0.1');
    try {
      const c = client({ localAddress: InetSocketAddress.newFromString('::1', 0) });
      const events = recordEvents(c);
      await assert.rejects(c.connectToHost(`127.0.0.1:${srv.port}`, 0), {
        code: IOErrorEnum.INVALID_ARGUMENT,
        message: 'Could not connect to 127.0.0.1: Invalid argument',
      });
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
    } finally {
      await srv.close();
    }
  });

  it('a local address of the other family than `family` fails at bind: no CONNECTING, not decorated', async () => {
    const c = client({
      family: SocketFamily.IPV6,
      localAddress: InetSocketAddress.newFromString('127.0.0.1', 0),
    });
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('[::1]:9', 0), {
      code: IOErrorEnum.INVALID_ARGUMENT,
      message: 'Error binding to address 127.0.0.1:0: Invalid argument',
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'COMPLETE']);
  });

  it('a local address that is not on this host: bind error, CONNECTION_REFUSED code (GLib 2.81 mapping)', async () => {
    const c = client({ localAddress: InetSocketAddress.newFromString('::2', 0) });
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('[::1]:9', 0), {
      code: IOErrorEnum.CONNECTION_REFUSED,
      message: 'Error binding to address [::2]:0: Cannot assign requested address',
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'COMPLETE']);
  });
});

describe('type and protocol (§10)', () => {
  it('STREAM + TCP gives a TcpConnection', async () => {
    const srv = await startEchoServer('127.0.0.1');
    try {
      const conn = await client({ protocol: SocketProtocol.TCP }).connectToHost(`127.0.0.1:${srv.port}`, 0);
      assert.ok(conn instanceof TcpConnection);
      await conn.close();
    } finally {
      await srv.close();
    }
  });

  it('DATAGRAM gives a connected UDP SocketConnection that keeps message boundaries', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    server.on('message', (msg, rinfo) =>
      server.send(Buffer.concat([Buffer.from('re:'), msg]), rinfo.port, rinfo.address),
    );
    try {
      const c = client({ type: SocketType.DATAGRAM });
      const events = recordEvents(c);
      const conn = await c.connectToHost(`127.0.0.1:${server.address().port}`, 0);
      assert.ok(conn instanceof DatagramConnection);
      assert.ok(conn instanceof SocketConnection);
      assert.ok(!(conn instanceof TcpConnection));
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      const got: string[] = [];
      conn.stream.on('data', (d: Buffer) => got.push(d.toString()));
      conn.stream.write(Buffer.from('one'));
      conn.stream.write(Buffer.from('two'));
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got.sort(), ['re:one', 're:two']);
      await conn.close();
    } finally {
      server.close();
    }
  });

  const unsupported: [string, Partial<{ type: SocketType; protocol: SocketProtocol }>, string][] = [
    ['SEQPACKET', { type: SocketType.SEQPACKET }, 'Unable to create socket: Socket type not supported'],
    ['STREAM + UDP', { protocol: SocketProtocol.UDP }, 'Unable to create socket: Protocol not supported'],
    ['STREAM + SCTP', { protocol: SocketProtocol.SCTP }, 'Unable to create socket: Protocol not supported'],
    [
      'DATAGRAM + TCP',
      { type: SocketType.DATAGRAM, protocol: SocketProtocol.TCP },
      'Unable to create socket: Protocol not supported',
    ],
  ];
  for (const [label, opts, message] of unsupported) {
    it(`${label} → NOT_SUPPORTED "${message}", no CONNECTING`, async () => {
      const c = client(opts);
      const events = recordEvents(c);
      await assert.rejects(c.connectToHost('127.0.0.1:9', 0), { code: IOErrorEnum.NOT_SUPPORTED, message });
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'COMPLETE']);
    });
  }
});

describe('Unix sockets', () => {
  async function listenUnix(path: string): Promise<Server> {
    const server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(path, r));
    return server;
  }

  it('a path address gives a UnixConnection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsc-'));
    const path = join(dir, 'echo.sock');
    const server = await listenUnix(path);
    try {
      const c = client();
      const events = recordEvents(c);
      const conn = await c.connect(new UnixSocketAddress(path));
      assert.ok(conn instanceof UnixConnection);
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      conn.stream.write('u');
      const data = await new Promise<Buffer>((r) => conn.stream.once('data', r));
      assert.equal(data.toString(), 'u');
      await conn.close();
    } finally {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Linux abstract name connects without a filesystem entry', async () => {
    const name = `gsocketclient-test-${process.pid}-${Date.now()}`;
    const server = await listenUnix(`\0${name}`);
    try {
      const conn = await client().connect(UnixSocketAddress.newAbstract(name));
      assert.ok(conn instanceof UnixConnection);
      assert.equal(conn.getRemoteAddress().toString(), name); // GIO: no `@` (issue 10 item 14)
      await conn.close();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a missing socket path fails with NOT_FOUND "Could not connect: No such file or directory"', async () => {
    await assert.rejects(client().connect(new UnixSocketAddress('/nonexistent/gsocketclient.sock')), {
      code: IOErrorEnum.NOT_FOUND,
      message: 'Could not connect: No such file or directory',
    });
  });
});

describe('property validation', () => {
  const bad: [string, (c: SocketClient<SocketType>) => void][] = [
    ['family 3', (c) => (c.family = 3 as SocketFamily)],
    ['type 9', (c) => (c.type = 9 as SocketType)],
    ['protocol 99', (c) => (c.protocol = 99 as SocketProtocol)],
    ['timeout -1', (c) => (c.timeout = -1)],
    ['timeout NaN', (c) => (c.timeout = Number.NaN)],
    ['timeout "5"', (c) => (c.timeout = '5' as unknown as number)],
    ['tls "yes"', (c) => (c.tls = 'yes' as unknown as boolean)],
    ['enableProxy 1', (c) => (c.enableProxy = 1 as unknown as boolean)],
    ['tlsValidationFlags 0x80', (c) => (c.tlsValidationFlags = 0x80 as TlsCertificateFlags)],
    ['attemptDelay 0', (c) => (c.attemptDelay = 0)],
    ['localAddress string', (c) => (c.localAddress = '127.0.0.1' as unknown as InetSocketAddress)],
    ['resolver object', (c) => (c.resolver = {} as never)],
    ['proxyResolver without lookup', (c) => (c.proxyResolver = {} as never)],
  ];
  for (const [label, set] of bad) {
    it(`rejects ${label} with IOError INVALID_ARGUMENT naming the property`, () => {
      const c = new SocketClient();
      assert.throws(
        () => set(c),
        (err: unknown) =>
          err instanceof IOError && err.code === IOErrorEnum.INVALID_ARGUMENT && err.message.length > 10,
      );
    });
  }

  it('defaults match GIO, and getX/setX mirror the accessors', () => {
    const c = new SocketClient();
    assert.equal(c.family, SocketFamily.INVALID);
    assert.equal(c.type, SocketType.STREAM);
    assert.equal(c.protocol, SocketProtocol.DEFAULT);
    assert.equal(c.timeout, 0);
    assert.equal(c.enableProxy, true);
    assert.equal(c.tls, false);
    assert.equal(c.tlsValidationFlags, 0x7f);
    assert.equal(c.localAddress, null);
    assert.equal(c.attemptDelay, 250);
    c.setTimeout(3);
    assert.equal(c.getTimeout(), 3);
    assert.ok(c.getProxyResolver(), 'the getter falls back to the default proxy resolver');
    assert.ok(c.getResolver());
  });

  it('bad connect() arguments reject with INVALID_ARGUMENT (never a crash)', async () => {
    const c = new SocketClient();
    await assert.rejects(c.connect(null as never), { code: IOErrorEnum.INVALID_ARGUMENT });
    await assert.rejects(c.connectToHost(42 as never, 80), { code: IOErrorEnum.INVALID_ARGUMENT });
    await assert.rejects(c.connectToHost('localhost', -1), { code: IOErrorEnum.INVALID_ARGUMENT });
    await assert.rejects(c.connectToHost('localhost', 70000), { code: IOErrorEnum.INVALID_ARGUMENT });
    await assert.rejects(c.connectToUri('http://x/', 1.5), { code: IOErrorEnum.INVALID_ARGUMENT });
  });
});

describe('close()', () => {
  it('flushes what was written before closing', async () => {
    const received: Buffer[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const { startServer } = await import('../helpers/servers.js');
    const sink = await startServer('127.0.0.1', 0, (s) => {
      s.on('data', (d: Buffer) => received.push(d));
      s.on('end', () => done());
    });
    try {
      const conn = await client().connectToHost(`127.0.0.1:${sink.port}`, 0);
      const payload = Buffer.alloc(8 * 1024 * 1024, 7);
      conn.stream.write(payload);
      await conn.close();
      await finished;
      assert.equal(Buffer.concat(received).length, payload.length);
      assert.equal(conn.stream.destroyed, true);
      await conn.close(); // idempotent
    } finally {
      await sink.close();
    }
  });
});
