// Issue 10 item 1: a host name with CR, LF, NUL or another control character never reaches a
// proxy. Every entry point refuses it with INVALID_ARGUMENT, and each proxy encoder refuses it
// again (defence in depth), checked against raw recording proxies on loopback.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  GError,
  IOError,
  IOErrorEnum,
  InetAddress,
  NetworkAddress,
  NetworkService,
  ProxyAddress,
  ResolverError,
  ResolverErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  SrvTarget,
  type SocketConnection,
} from '../../src/index.js';
import { encodeHttpConnect } from '../../src/proxy/http-proxy.js';
import { encodeSocks4Connect } from '../../src/proxy/socks4.js';
import { encodeSocks5Connect } from '../../src/proxy/socks5.js';
import { FakeResolver } from '../helpers/resolvers.js';
import { startServer, type TestServer } from '../helpers/servers.js';

/**
 * A proxy that records every byte it receives. As an HTTP proxy it answers `200` once a header
 * ends; as SOCKS5 it accepts "no authentication" and then only listens.
 */
interface Recorder {
  readonly server: TestServer;
  readonly connections: number;
  readonly bytes: Buffer;
  reset(): void;
}

async function startRecorder(kind: 'http' | 'socks5' | 'silent'): Promise<Recorder> {
  let connections = 0;
  let bytes = Buffer.alloc(0);
  const server = await startServer('127.0.0.1', 0, (socket: Socket) => {
    connections++;
    let mine = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      mine = Buffer.concat([mine, chunk]);
      if (kind === 'http' && mine.includes('\r\n\r\n')) socket.write('HTTP/1.0 200 OK\r\n\r\n');
      if (kind === 'socks5' && mine.length === 3) socket.write(Buffer.from([5, 0]));
    });
    socket.on('error', () => undefined);
  });
  return {
    server,
    get connections() {
      return connections;
    },
    get bytes() {
      return bytes;
    },
    reset() {
      connections = 0;
      bytes = Buffer.alloc(0);
    },
  };
}

/** INVALID_ARGUMENT whose message names the bad character escaped (`\r`), never raw. */
function assertRefused(err: unknown, escaped: RegExp): true {
  assert.ok(err instanceof IOError, `expected IOError, got ${String(err)}`);
  assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT, err.message);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(err.message, /[\x00-\x1f\x7f]/, 'a raw control character in the message');
  assert.match(err.message, escaped);
  return true;
}

/** Every header line of a recorded HTTP request is printable ASCII (no stray CR, LF or NUL). */
function assertCleanHttpRequest(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  assert.ok(text.endsWith('\r\n\r\n'), JSON.stringify(text));
  const lines = text.slice(0, -4).split('\r\n');
  for (const line of lines) assert.match(line, /^[\x20-\x7e]+$/, JSON.stringify(line));
  return lines;
}

/** JSON-quoted, with the characters JSON leaves raw (DEL, C1, U+2028/9) escaped too. */
const printable = (text: string): string =>
  JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

const ISSUE_URI = 'http://evil.test%0D%0AProxy-Authorization%3A%20Basic%20Zm9vOmJhcg%3D%3D/';

describe('host names with control characters never reach an HTTP proxy', () => {
  let proxy: Recorder;
  let client: SocketClient;
  before(async () => {
    proxy = await startRecorder('http');
    client = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${proxy.server.port}`),
      timeout: 5,
    });
  });
  after(async () => {
    await proxy.server.close();
  });

  it('control: a clean name goes through as CONNECT host:port with only the expected lines', async () => {
    proxy.reset();
    const conn: SocketConnection = await client.connectToHost('good.test:443', 80);
    await conn.close();
    const lines = assertCleanHttpRequest(proxy.bytes);
    assert.equal(lines[0], 'CONNECT good.test:443 HTTP/1.0');
    assert.equal(lines[1], 'Host: good.test:443');
    assert.equal(lines.length, 4);
  });

  it(`connectToUri(${ISSUE_URI}) → INVALID_ARGUMENT, nothing sent`, async () => {
    proxy.reset();
    await assert.rejects(client.connectToUri(ISSUE_URI, 443), (e) => assertRefused(e, /evil\.test\\r\\n/));
    assert.equal(proxy.connections, 0);
    assert.equal(proxy.bytes.length, 0);
  });

  const hosts: readonly (readonly [string, RegExp])[] = [
    ['a\r\nX: y:443', /a\\r\\nX: y/],
    ['a\nb:443', /a\\nb/],
    ['a\rb:443', /U\+000D/],
    ['a\0b:443', /a\\0b/],
    ['a\tb:443', /a\\tb/],
    ['a\x7fb:443', /a\\x7fb/],
    ['a\u0085b:443', /a\\x85b/],
    ['a\u2028b:443', /a\\u\{2028\}b/],
    ['[::1%\r\nX]:443', /::1%\\r\\nX/],
  ];
  for (const [host, escaped] of hosts) {
    it(`connectToHost(${printable(host)}) → INVALID_ARGUMENT, nothing sent`, async () => {
      proxy.reset();
      await assert.rejects(client.connectToHost(host, 80), (e) => assertRefused(e, escaped));
      assert.equal(proxy.connections, 0);
    });
  }

  it('the blocking API refuses them too', () => {
    assert.throws(
      () => client.connectToHostSync('a\r\nX: y:443', 80),
      (e) => assertRefused(e, /a\\r\\nX: y/),
    );
    assert.throws(
      () => client.connectToUriSync(ISSUE_URI, 443),
      (e) => assertRefused(e, /evil\.test\\r\\n/),
    );
    assert.equal(proxy.connections, 0);
  });

  it('a ProxyAddress altered after construction is refused by the HTTP encoder: no byte sent', async () => {
    proxy.reset();
    const target = new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, proxy.server.port, {
      protocol: 'http',
      destinationProtocol: 'http',
      destinationHostname: 'good.test',
      destinationPort: 443,
    });
    // Readonly only to TypeScript: a hostile caller can still change it.
    Object.defineProperty(target, 'destinationHostname', { value: 'evil.test\r\nX-Injected: 1' });
    await assert.rejects(new SocketClient({ timeout: 5 }).connect(target), (e) =>
      assertRefused(e, /HTTP CONNECT.*U\+000D/),
    );
    assert.equal(proxy.connections, 1);
    assert.equal(proxy.bytes.length, 0);
  });

  it('a password with CR/LF travels base64-encoded: the request keeps its exact lines', async () => {
    proxy.reset();
    const withCreds = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`http://us%0Aer:p%0D%0Aw@127.0.0.1:${proxy.server.port}`),
      timeout: 5,
    });
    const conn = await withCreds.connectToHost('good.test:443', 80);
    await conn.close();
    const lines = assertCleanHttpRequest(proxy.bytes);
    assert.equal(lines.length, 5);
    assert.equal(lines[4], `Proxy-Authorization: Basic ${Buffer.from('us\ner:p\r\nw').toString('base64')}`);
  });
});

describe('SOCKS encoders refuse such names too (defence in depth)', () => {
  it('SOCKS5: the greeting is answered, then nothing but the greeting was sent', async () => {
    const proxy = await startRecorder('socks5');
    try {
      const target = new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, proxy.server.port, {
        protocol: 'socks5',
        destinationProtocol: 'none',
        destinationHostname: 'good.test',
        destinationPort: 80,
      });
      Object.defineProperty(target, 'destinationHostname', { value: 'evil\r\n.test' });
      await assert.rejects(new SocketClient({ timeout: 5 }).connect(target), (e) =>
        assertRefused(e, /SOCKSv5.*evil\\r\\n\.test/),
      );
      assert.deepEqual([...proxy.bytes], [5, 1, 0]);
    } finally {
      await proxy.server.close();
    }
  });

  it('SOCKS4a: a NUL in the name would end it early; refused before any byte', async () => {
    const proxy = await startRecorder('silent');
    try {
      const target = new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, proxy.server.port, {
        protocol: 'socks4a',
        destinationProtocol: 'none',
        destinationHostname: 'good.test',
        destinationPort: 80,
      });
      Object.defineProperty(target, 'destinationHostname', { value: 'evil.test\0GET /' });
      await assert.rejects(new SocketClient({ timeout: 5 }).connect(target), (e) =>
        assertRefused(e, /SOCKSv4a.*evil\.test\\0GET/),
      );
      assert.equal(proxy.bytes.length, 0);
    } finally {
      await proxy.server.close();
    }
  });

  it('the codecs themselves', () => {
    assert.throws(
      () => encodeHttpConnect('a\r\nb', 443, null, null),
      (e) => assertRefused(e, /a\\r\\nb/),
    );
    assert.throws(
      () => encodeHttpConnect('a b', 443, null, null),
      (e) => assertRefused(e, /a space/),
    );
    // Characters a proxy could read as another authority are refused too.
    for (const ch of ['@', '/', '?', '#', '%', ':', '[', '"', '\\']) {
      assert.throws(
        () => encodeHttpConnect(`user${ch}evil.test`, 443, null, null),
        (e) => assertRefused(e, /for an HTTP CONNECT request: it contains the character “.”$/),
      );
    }
    assert.throws(
      () => encodeSocks4Connect('a\0b', 80, null),
      (e) => assertRefused(e, /a\\0b/),
    );
    assert.throws(
      () => encodeSocks4Connect('good.test', 80, 'user\0id'),
      (e) => assertRefused(e, /user id: it contains the control character U\+0000$/),
    );
    assert.throws(
      () => encodeSocks5Connect('a\nb', 80),
      (e) => assertRefused(e, /a\\nb/),
    );
    // Clean names still encode.
    assert.ok(encodeHttpConnect('bücher.test', 443, null, null).bytes.includes('xn--bcher-kva.test:443'));
    assert.equal(encodeSocks5Connect('good.test', 80)[4], 'good.test'.length);
  });
});

describe('every other entry point refuses such names', () => {
  it('NetworkAddress: new, parse, parseUri (percent-decoded hosts too)', () => {
    assert.throws(
      () => new NetworkAddress('a\r\nX: y', 443),
      (e) => assertRefused(e, /hostname “a\\r\\nX: y”/),
    );
    assert.throws(
      () => NetworkAddress.parse('a\nb:443', 80),
      (e) => assertRefused(e, /a\\nb/),
    );
    assert.throws(
      () => NetworkAddress.parseUri('http://evil.test%0D%0AX%3A%20y/', 80),
      (e) => assertRefused(e, /evil\.test\\r\\nX: y/),
    );
    assert.throws(
      () => NetworkAddress.parseUri('http://h%00/', 80),
      (e) => e instanceof IOError,
    );
    // Names GIO accepts stay accepted: spaces, IDN, `@`, zones.
    assert.equal(NetworkAddress.parseUri('http://host name/', 80).hostname, 'host name');
    assert.equal(NetworkAddress.parse('[fe80::1%eth0]:80', 1).hostname, 'fe80::1%eth0');
  });

  it('NetworkService (domain, service, protocol) and connectToService', async () => {
    assert.throws(
      () => new NetworkService('http', 'tcp', 'a\nb.test'),
      (e) => assertRefused(e, /domain “a\\nb\.test”/),
    );
    assert.throws(
      () => new NetworkService('ht\rtp', 'tcp', 'a.test'),
      (e) => assertRefused(e, /service/),
    );
    await assert.rejects(new SocketClient().connectToService('a\r\nb.test', 'http'), (e) =>
      assertRefused(e, /a\\r\\nb\.test/),
    );
  });

  it('ProxyAddress destination hostname', () => {
    assert.throws(
      () =>
        new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, 1080, {
          protocol: 'socks5',
          destinationProtocol: 'none',
          destinationHostname: 'evil\r\n',
          destinationPort: 80,
        }),
      (e) => assertRefused(e, /destination hostname “evil\\r\\n”/),
    );
  });

  it('an SRV target from a resolver → INVALID_ARGUMENT "Received invalid hostname" (escaped)', async () => {
    class SrvResolver extends FakeResolver {
      override async lookupService(): Promise<SrvTarget[]> {
        return [new SrvTarget('evil\r\nx.test', 443, 0, 0)];
      }
    }
    const resolver = new SrvResolver();
    const err = await new SocketClient({ resolver, enableProxy: false })
      .connectToService('svc.test', 'https')
      .then(
        () => null,
        (e: unknown) => e,
      );
    assertRefused(err, /^Received invalid hostname 'evil\\r\\nx\.test' from GSrvTarget$/);
    assert.deepEqual(resolver.queries, []);
  });

  it('the resolver refuses them as names too (no lookup)', async () => {
    const resolver = new FakeResolver();
    await assert.rejects(resolver.lookupByName('a\r\nb'), (e) => e instanceof GError);
    assert.deepEqual(resolver.queries, []);
    // Control: a plain unknown name does reach it, and is NOT_FOUND.
    await assert.rejects(
      resolver.lookupByName('unknown.test'),
      (e) => e instanceof ResolverError && e.code === ResolverErrorEnum.NOT_FOUND,
    );
    assert.equal(resolver.queries.length, 1);
  });
});
