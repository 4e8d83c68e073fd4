// PacProxyResolver over the public API with real parts: scripts served by a loopback HTTP(S)
// server or read from a file, proxies that are a dead port and a live microsocks, names resolved
// by a dnsmasq on loopback through a DnsResolver. Hostile scripts (endless loop, throw, garbage)
// must end promptly with the documented outcome (docs/differences.md "PAC").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Cancellable,
  GError,
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  PacProxyResolver,
  ProxyAddress,
  SocketClient,
  TlsError,
} from '../../src/index.js';
import { startEchoServer, startServer, unusedPort } from '../helpers/servers.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { dnsmasqAvailable, startDnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { captureWarnings } from './warnings.js';
import { FakeResolver } from '../helpers/resolvers.js';

interface PacServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/** An HTTP server (HTTPS when `server` is given) on loopback answering every GET with `body`. */
async function servePac(
  body: string,
  opts: { status?: number; server?: HttpServer } = {},
): Promise<PacServer> {
  const requests: string[] = [];
  const server = opts.server ?? createHttpServer();
  server.on('request', (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.host}`);
    res.writeHead(opts.status ?? 200, { 'content-type': 'application/x-ns-proxy-autoconfig' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = opts.server === undefined ? 'http' : 'https';
  return {
    url: `${scheme}://127.0.0.1:${port}/proxy.pac`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const pac = (answer: string): string =>
  `function FindProxyForURL(url, host) { return ${JSON.stringify(answer)}; }`;

async function echoThrough(client: SocketClient, port: number): Promise<{ remote: unknown; reply: string }> {
  const conn = await client.connectToHost(`127.0.0.1:${port}`, 0);
  try {
    conn.stream.write('ping');
    const reply = await new Promise<string>((resolve, reject) => {
      conn.stream.once('data', (chunk: Buffer) => resolve(String(chunk)));
      conn.stream.once('error', reject);
    });
    return { remote: conn.getRemoteAddress(), reply };
  } finally {
    await conn.close();
  }
}

describe('PacProxyResolver: a script served over HTTP', () => {
  it('tries PROXY (dead), then SOCKS5 (live microsocks), in order, and connects through SOCKS5', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks not installed')) return;
    const socks = await startMicrosocks();
    const echo = await startEchoServer();
    const dead = await unusedPort();
    const server = await servePac(pac(`PROXY 127.0.0.1:${dead}; SOCKS5 127.0.0.1:${socks.port}; DIRECT`));
    try {
      const proxyResolver = new PacProxyResolver(server.url);
      assert.deepEqual(await proxyResolver.lookup(`tcp://127.0.0.1:${echo.port}`), [
        `http://127.0.0.1:${dead}`,
        `socks5://127.0.0.1:${socks.port}`,
        'direct://',
      ]);
      const client = new SocketClient({ proxyResolver });
      const { remote, reply } = await echoThrough(client, echo.port);
      assert.equal(reply, 'ping');
      assert.ok(remote instanceof ProxyAddress, 'the connection goes through the SOCKS5 proxy');
      assert.equal(remote.protocol, 'socks5');
      assert.equal(remote.uri, `socks5://127.0.0.1:${socks.port}`);
      assert.equal(remote.destinationPort, echo.port);
      // Fetched once, with the request a PAC client sends, directly (no proxy in between).
      assert.equal(server.requests.length, 1);
      assert.match(server.requests[0], /^GET \/proxy\.pac 127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
      await echo.close();
      await socks.stop();
    }
  });

  it('falls through to DIRECT when every proxy of the answer is dead', async () => {
    const echo = await startEchoServer();
    const dead1 = await unusedPort();
    const dead2 = await unusedPort();
    const server = await servePac(pac(`PROXY 127.0.0.1:${dead1}; SOCKS5 127.0.0.1:${dead2}; DIRECT`));
    try {
      const client = new SocketClient({ proxyResolver: new PacProxyResolver(`pac+${server.url}`) });
      const { remote, reply } = await echoThrough(client, echo.port);
      assert.equal(reply, 'ping');
      assert.ok(remote instanceof InetSocketAddress && !(remote instanceof ProxyAddress));
    } finally {
      await server.close();
      await echo.close();
    }
  });

  it('names the PAC URL and its answer on the error of a PAC-chosen proxy (err.proxy), credentials redacted', async () => {
    const dead = await unusedPort();
    const server = await servePac(pac(`PROXY 127.0.0.1:${dead}`));
    const url = server.url.replace('http://', 'http://user:secret@');
    try {
      const client = new SocketClient({ proxyResolver: new PacProxyResolver(url) });
      const err = await client.connectToHost('127.0.0.1:9', 0).then(
        () => assert.fail('connected'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(err.proxy?.uri, `http://127.0.0.1:${dead}`);
      const source = err.proxy?.source ?? '';
      assert.ok(source.includes(server.url.replace('http://', 'http://***@')), source);
      assert.ok(source.includes(`'PROXY 127.0.0.1:${dead}'`), source);
      assert.ok(!source.includes('secret'));
    } finally {
      await server.close();
    }
  });

  it('explainProxy gives the PAC URL (redacted), the answer and the list', async () => {
    const server = await servePac(pac('PROXY 127.0.0.1:3128; SOCKS 127.0.0.1:1080; DIRECT'));
    const url = server.url.replace('http://', 'http://user:secret@');
    try {
      const why = await new PacProxyResolver(url).explainProxy('https://example.com:443');
      assert.equal(why.resolver, 'pac');
      assert.equal(why.uri, 'https://example.com:443');
      assert.equal(
        why.source,
        `PAC ${server.url.replace('http://', 'http://***@')} returned 'PROXY 127.0.0.1:3128; SOCKS 127.0.0.1:1080; DIRECT'`,
      );
      assert.equal(why.matchedIgnoreHost, null);
      // SOCKS names no version: GIO's socks:// expansion, as libproxy maps it.
      assert.deepEqual(why.proxies, [
        'http://127.0.0.1:3128',
        'socks5://127.0.0.1:1080',
        'socks4a://127.0.0.1:1080',
        'socks4://127.0.0.1:1080',
        'direct://',
      ]);
      assert.deepEqual(why.pac, {
        url: server.url.replace('http://', 'http://***@'),
        answer: 'PROXY 127.0.0.1:3128; SOCKS 127.0.0.1:1080; DIRECT',
        error: null,
      });
      assert.ok(!JSON.stringify(why).includes('secret'));
      // A failing script: the list is DIRECT and the explanation says why.
      const failing = await new PacProxyResolver(
        `function FindProxyForURL() { throw new Error('nope'); }`,
      ).explainProxy('https://example.com:443');
      assert.deepEqual(failing.proxies, ['direct://']);
      assert.deepEqual(failing.pac, {
        url: null,
        answer: null,
        error: 'PAC script: the PAC script threw nope',
      });
      assert.equal(failing.source, 'PAC script failed (PAC script: the PAC script threw nope); DIRECT');
    } finally {
      await server.close();
    }
  });

  it('passes the destination URI and host to FindProxyForURL', async () => {
    const script = `function FindProxyForURL(url, host) {
      if (url === 'https://example.com:8443' && host === 'example.com') return 'PROXY 127.0.0.1:1';
      return 'PROXY 127.0.0.1:2; DIRECT';
    }`;
    const resolver = new PacProxyResolver(script);
    assert.deepEqual(await resolver.lookup('https://example.com:8443'), ['http://127.0.0.1:1']);
    assert.deepEqual(await resolver.lookup('https://example.org:8443'), ['http://127.0.0.1:2', 'direct://']);
  });

  it('fetch failures (404, refused, no answer, too large) go DIRECT with a warning, or fail typed with onError: error', async () => {
    const notFound = await servePac('nope', { status: 404 });
    const silent = await startServer('127.0.0.1', 0, () => undefined);
    const huge = await servePac(`${pac('DIRECT')}\n//${'x'.repeat(4096)}`);
    const refusedPort = await unusedPort();
    const cases: [string, IOErrorEnum, RegExp, { maxScriptBytes?: number; fetchTimeoutMs?: number }][] = [
      [notFound.url, IOErrorEnum.FAILED, /HTTP 404/, {}],
      [`http://127.0.0.1:${refusedPort}/p.pac`, IOErrorEnum.CONNECTION_REFUSED, /refused/i, {}],
      [
        `http://127.0.0.1:${silent.port}/p.pac`,
        IOErrorEnum.TIMED_OUT,
        /took longer than 300 ms/,
        { fetchTimeoutMs: 300 },
      ],
      [huge.url, IOErrorEnum.MESSAGE_TOO_LARGE, /larger than 1024 bytes/, { maxScriptBytes: 1024 }],
    ];
    try {
      for (const [url, code, message, options] of cases) {
        const started = Date.now();
        const { result, warnings } = await captureWarnings(() =>
          new PacProxyResolver(url, options).lookup('http://example.com:80'),
        );
        assert.deepEqual(result, ['direct://'], url);
        assert.equal(warnings.length, 1, url);
        assert.match(warnings[0], message);
        assert.match(warnings[0], /connecting directly$/);
        assert.ok(Date.now() - started < 5000, 'bounded');
        const err = await new PacProxyResolver(url, { ...options, onError: 'error' })
          .lookup('http://example.com:80')
          .then(
            () => assert.fail('resolved'),
            (e: unknown) => e,
          );
        assert.ok(err instanceof IOError, url);
        assert.equal(err.code, code, `${url}: ${err.message}`);
        assert.match(err.message, message);
        assert.match(err.message, /^PAC http:\/\/127\.0\.0\.1:\d+\/p(roxy)?\.pac: /);
      }
    } finally {
      await notFound.close();
      await silent.close();
      await huge.close();
    }
  });

  it('fetches once for concurrent lookups, and again only after refreshMs', async () => {
    const server = await servePac(pac('PROXY 127.0.0.1:3128'));
    try {
      const resolver = new PacProxyResolver(server.url, { refreshMs: 200 });
      const answers = await Promise.all([1, 2, 3].map((i) => resolver.lookup(`http://h${i}.example:80`)));
      assert.deepEqual(answers, [
        ['http://127.0.0.1:3128'],
        ['http://127.0.0.1:3128'],
        ['http://127.0.0.1:3128'],
      ]);
      await resolver.lookup('http://h4.example:80');
      assert.equal(server.requests.length, 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await resolver.lookup('http://h5.example:80');
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });

  it('a failed fetch is retried after retryMs; a stale script is kept meanwhile', async () => {
    const server = await servePac(pac('PROXY 127.0.0.1:3128'));
    const url = server.url;
    const resolver = new PacProxyResolver(url, { refreshMs: 50, retryMs: 50, onError: 'error' });
    assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://127.0.0.1:3128']);
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const { result, warnings } = await captureWarnings(() => resolver.lookup('http://a.example:80'));
    assert.deepEqual(result, ['http://127.0.0.1:3128']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /using the script fetched before$/);
  });
});

describe('PacProxyResolver: the HTTP reply carrying the script', () => {
  /** A raw server answering every connection with `reply` and closing (a hand-written peer). */
  async function rawServer(reply: string | Buffer): Promise<{ url: string; close(): Promise<void> }> {
    const server = await startServer('127.0.0.1', 0, (s) => {
      s.once('data', () => s.end(reply));
    });
    return { url: `http://127.0.0.1:${server.port}/p.pac`, close: () => server.close() };
  }
  const body = pac('PROXY 127.0.0.1:3128');

  it('reads chunked, Content-Length and close-delimited bodies', async () => {
    const chunks = [body.slice(0, 10), body.slice(10, 30), body.slice(30)];
    const chunked = chunks.map((c) => `${Buffer.byteLength(c).toString(16)};ext=1\r\n${c}\r\n`).join('');
    for (const reply of [
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}0\r\nX-Trailer: 1\r\n\r\n`,
      `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}trailing junk`,
      `HTTP/1.0 200 OK\r\n\r\n${body}`,
    ]) {
      const server = await rawServer(reply);
      try {
        const resolver = new PacProxyResolver(server.url, { onError: 'error' });
        assert.deepEqual(
          await resolver.lookup('http://a.example:80'),
          ['http://127.0.0.1:3128'],
          reply.slice(0, 40),
        );
      } finally {
        await server.close();
      }
    }
  });

  it('follows up to 3 redirects; more, or one without a Location, is FAILED', async () => {
    const server = createHttpServer((req, res) => {
      const hop = /^\/hop(\d+)$/.exec(req.url ?? '');
      if (req.url === '/final.pac') res.end(body);
      else if (req.url === '/nowhere') res.writeHead(302).end();
      else if (req.url === '/loop') res.writeHead(307, { location: '/loop' }).end();
      else if (hop !== null && hop[1] !== '0')
        res.writeHead(301, { location: `/hop${Number(hop[1]) - 1}` }).end();
      else res.writeHead(302, { location: '/final.pac' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = new PacProxyResolver(`${base}/hop2`, { onError: 'error' });
      assert.deepEqual(await ok.lookup('http://a.example:80'), ['http://127.0.0.1:3128']);
      for (const [path, message] of [
        ['/loop', /more than 3 redirects/],
        ['/nowhere', /redirect without a usable Location/],
      ] as const) {
        const err = await new PacProxyResolver(`${base}${path}`, { onError: 'error' })
          .lookup('http://a.example:80')
          .then(
            () => assert.fail('resolved'),
            (e: unknown) => e,
          );
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.FAILED);
        assert.match(err.message, message);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('malformed or truncated replies are IOError INVALID_DATA', async () => {
    const cases: [string | Buffer, RegExp][] = [
      ['', /empty reply/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n', /incomplete header/],
      ['SSH-2.0-OpenSSH\r\n\r\n', /bad status line/],
      ['HTTP/1.1 200 OK\r\nBad Header\r\n\r\nx', /bad header field/],
      [`HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n${body}`, /shorter than its Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc', /truncated chunked body/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', /unsupported transfer coding/],
      [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(40_000)}\r\n\r\n`, /header too long/],
      [Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), Buffer.from([0xff, 0xfe, 0xfd])]), /not UTF-8/],
    ];
    for (const [reply, message] of cases) {
      const server = await rawServer(reply);
      try {
        const err = await new PacProxyResolver(server.url, { onError: 'error' })
          .lookup('http://a.example:80')
          .then(
            () => assert.fail(`resolved for ${message}`),
            (e: unknown) => e,
          );
        assert.ok(err instanceof IOError, String(err));
        assert.equal(err.code, IOErrorEnum.INVALID_DATA, err.message);
        assert.match(err.message, message);
      } finally {
        await server.close();
      }
    }
  });
});

describe('PacProxyResolver: https and file: scripts', () => {
  it('fetches over https with the certificate verified (ca given: works; not trusted: TLS error)', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const pki = testPki();
    const server = await servePac(pac('SOCKS5 127.0.0.1:1080'), {
      server: createHttpsServer({ cert: pki.valid.cert, key: pki.valid.key }),
    });
    const url = server.url;
    try {
      const trusted = new PacProxyResolver(url, { tlsOptions: { ca: pki.ca }, onError: 'error' });
      assert.deepEqual(await trusted.lookup('http://example.com:80'), ['socks5://127.0.0.1:1080']);
      const untrusted = new PacProxyResolver(url, { onError: 'error' });
      const err = await untrusted.lookup('http://example.com:80').then(
        () => assert.fail('an untrusted certificate was accepted'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TlsError, String(err));
      assert.match(err.message, /^PAC https:/);
    } finally {
      await server.close();
    }
  });

  it('reads file: and pac+file: URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-pac-'));
    try {
      const path = join(dir, 'proxy.pac');
      await writeFile(path, pac('SOCKS4A 127.0.0.1:1080; DIRECT'));
      const url = pathToFileURL(path).href;
      for (const u of [url, `pac+${url}`]) {
        const resolver = new PacProxyResolver(u);
        assert.deepEqual(await resolver.lookup('http://example.com:80'), [
          'socks4a://127.0.0.1:1080',
          'direct://',
        ]);
        assert.equal(
          (await resolver.explainProxy('http://example.com:80')).source.startsWith(`PAC ${url} returned`),
          true,
        );
      }
      const missing = new PacProxyResolver(pathToFileURL(join(dir, 'missing.pac')).href, {
        onError: 'error',
      });
      const err = await missing.lookup('http://example.com:80').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.NOT_FOUND);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PacProxyResolver: dnsResolve, isResolvable and isInNet through the client resolver', () => {
  it('asks the given DnsResolver (a dnsmasq on loopback), never the system', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const dns = await startDnsmasq({
      hosts: [
        { name: 'inside.test', ipv4: '10.1.2.3' },
        { name: 'lab.test', ipv4: '192.0.2.7' },
      ],
      logQueries: true,
    });
    try {
      const script = `function FindProxyForURL(url, host) {
        if (isInNet(host, '10.0.0.0', '255.0.0.0')) return 'PROXY 127.0.0.1:1';
        if (dnsResolve(host) === '192.0.2.7') return 'SOCKS5 127.0.0.1:2';
        if (!isResolvable(host)) return 'PROXY 127.0.0.1:3';
        return 'DIRECT';
      }`;
      const resolver = new PacProxyResolver(script, { resolver: dns.resolver, onError: 'error' });
      assert.deepEqual(await resolver.lookup('http://inside.test:80'), ['http://127.0.0.1:1']);
      assert.deepEqual(await resolver.lookup('http://lab.test:80'), ['socks5://127.0.0.1:2']);
      assert.deepEqual(await resolver.lookup('http://missing.test:80'), ['http://127.0.0.1:3']);
      // IP literals need no lookup.
      assert.deepEqual(await resolver.lookup('http://10.9.9.9:80'), ['http://127.0.0.1:1']);
      const log = dns.log();
      for (const name of ['inside.test', 'lab.test', 'missing.test']) {
        assert.match(log, new RegExp(`query\\[A\\] ${name.replace('.', '\\.')} from 127\\.0\\.0\\.1`));
      }
      assert.doesNotMatch(log, /query\[AAAA\]/, 'dnsResolve asks for IPv4 only');
    } finally {
      await dns.stop();
    }
  });

  it('a name that never answers stops at the call time limit', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const dns = await startDnsmasq({ silent: ['slow.test'], resolverOptions: { timeout: 5000 } });
    try {
      const script = `function FindProxyForURL(url, host) { return dnsResolve(host) ? 'PROXY 127.0.0.1:1' : 'DIRECT'; }`;
      const resolver = new PacProxyResolver(script, {
        resolver: dns.resolver,
        timeoutMs: 300,
        onError: 'error',
      });
      const started = Date.now();
      const err = await resolver.lookup('http://www.slow.test:80').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.TIMED_OUT);
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    } finally {
      await dns.stop();
    }
  });
});

describe('PacProxyResolver: hostile and broken scripts', () => {
  it('an endless loop is stopped at timeoutMs: DIRECT with a warning, or TIMED_OUT; the resolver goes on working', async () => {
    const script = `function FindProxyForURL(url, host) {
      if (host === 'loop') { while (true) {} }
      return 'PROXY 127.0.0.1:3128';
    }`;
    const lenient = new PacProxyResolver(script, { timeoutMs: 200 });
    const started = Date.now();
    const { result, warnings } = await captureWarnings(() => lenient.lookup('http://loop:80'));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.deepEqual(result, ['direct://']);
    assert.match(
      warnings.join('\n'),
      /PAC script: the PAC script ran past its time limit; connecting directly/,
    );
    assert.deepEqual(await lenient.lookup('http://fine:80'), ['http://127.0.0.1:3128']);

    const strict = new PacProxyResolver(script, { timeoutMs: 200, onError: 'error' });
    const err = await strict.lookup('http://loop:80').then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.TIMED_OUT);
    assert.deepEqual(await strict.lookup('http://fine:80'), ['http://127.0.0.1:3128']);
  });

  it('a script that catches pending name lookups: resolved and run again; an endless one stops at timeoutMs', async () => {
    const catching = `function FindProxyForURL(url, host) {
      var ip; try { ip = dnsResolve(host); } catch (e) { ip = 'caught'; }
      return ip === '192.0.2.9' ? 'PROXY 127.0.0.1:1' : 'PROXY 127.0.0.1:2';
    }`;
    const lab = new FakeResolver({ 'lab.test': { v4: ['192.0.2.9'] } });
    const once = new PacProxyResolver(catching, { resolver: lab, onError: 'error' });
    assert.deepEqual(await once.lookup('http://lab.test:80'), ['http://127.0.0.1:1']);
    assert.deepEqual(
      lab.queries.map((q) => q.name),
      ['lab.test'],
    );

    const script = `function FindProxyForURL(url, host) {
      for (var i = 0; ; i++) { try { dnsResolve('n' + i + '.invalid'); } catch (e) {} }
    }`;
    const names = new FakeResolver();
    const resolver = new PacProxyResolver(script, { timeoutMs: 300, onError: 'error', resolver: names });
    const started = Date.now();
    const err = await resolver.lookup('http://a:80').then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.TIMED_OUT, err.message);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    // The time limit wins over the names it asked for: none was looked up.
    assert.equal(names.queries.length, 0);
  });

  it('an endless loop at the top level of the script is stopped too', async () => {
    const resolver = new PacProxyResolver(`for (;;) {}\n${pac('DIRECT')}`, {
      timeoutMs: 200,
      onError: 'error',
    });
    const err = await resolver.lookup('http://a:80').then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.TIMED_OUT);
  });

  it('a script that eats memory stops at memoryLimitBytes', async () => {
    const script = `function FindProxyForURL(url, host) { var a = []; for (;;) a.push(new Array(10000).fill(host)); }`;
    const resolver = new PacProxyResolver(script, {
      memoryLimitBytes: 16 * 1024 * 1024,
      timeoutMs: 20_000,
      onError: 'error',
    });
    const err = await resolver.lookup('http://a:80').then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.FAILED);
    assert.match(err.message, /out of memory/);
  });

  it('a script that throws, does not compile, or lacks FindProxyForURL', async () => {
    const cases: [string, RegExp][] = [
      [`function FindProxyForURL(url, host) { throw new TypeError('boom'); }`, /threw TypeError: boom/],
      [`function FindProxyForURL(url, host) { return undefinedThing; }`, /threw ReferenceError/],
      [`function FindProxyForURL(url, host) { return 'DIRECT'`, /SyntaxError/],
      [`var x = 1;`, /defines no function FindProxyForURL/],
    ];
    for (const [script, message] of cases) {
      const { result, warnings } = await captureWarnings(() =>
        new PacProxyResolver(script).lookup('http://a:80'),
      );
      assert.deepEqual(result, ['direct://']);
      assert.match(warnings.join('\n'), message);
      const err = await new PacProxyResolver(script, { onError: 'error' }).lookup('http://a:80').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.FAILED);
      assert.match(err.message, message);
    }
  });

  it('FindProxyForURL may be a function, var, let or const, and is called by its current name', async () => {
    for (const script of [
      `const FindProxyForURL = (url, host) => 'PROXY 127.0.0.1:1';`,
      `let FindProxyForURL = function (url, host) { return 'PROXY 127.0.0.1:1'; };`,
      `var FindProxyForURL = function (url, host) { return 'PROXY 127.0.0.1:1'; };`,
      `function FindProxyForURL(url, host) { FindProxyForURL = function () { return 'PROXY 127.0.0.1:1'; }; return 'PROXY 127.0.0.1:1'; }`,
    ]) {
      const resolver = new PacProxyResolver(script, { onError: 'error' });
      assert.deepEqual(await resolver.lookup('http://a:80'), ['http://127.0.0.1:1'], script);
      assert.deepEqual(await resolver.lookup('http://b:80'), ['http://127.0.0.1:1'], script);
    }
  });

  it('no access to Node from the script', async () => {
    const script = `function FindProxyForURL(url, host) {
      var seen = [typeof process, typeof require, typeof globalThis.fetch, typeof setTimeout].join(',');
      return seen === 'undefined,undefined,undefined,undefined' ? 'PROXY 127.0.0.1:1' : 'PROXY 127.0.0.1:2';
    }`;
    assert.deepEqual(await new PacProxyResolver(script).lookup('http://a:80'), ['http://127.0.0.1:1']);
  });

  it('malformed entries are skipped with a warning; nothing usable or a non-string answer is a failure', async () => {
    const answer =
      'FOO 127.0.0.1:1; PROXY a b; SOCKS5 [::1]:99999; DIRECT now;; proxy 127.0.0.1:3128 ;HTTPS [::1]:8443';
    const { result, warnings } = await captureWarnings(() =>
      new PacProxyResolver(pac(answer)).lookup('http://a:80'),
    );
    assert.deepEqual(result, ['http://127.0.0.1:3128', 'https://[::1]:8443']);
    assert.deepEqual(warnings, [
      "PAC script: entry skipped: 'FOO 127.0.0.1:1': unknown keyword",
      "PAC script: entry skipped: 'PROXY a b': expected one host:port after PROXY",
      "PAC script: entry skipped: 'SOCKS5 [::1]:99999': invalid host:port",
      "PAC script: entry skipped: 'DIRECT now': DIRECT takes no address",
    ]);
    for (const [script, message] of [
      [pac(''), /returned no usable entry: ''/],
      [pac('BOGUS'), /returned no usable entry: 'BOGUS'/],
      ['function FindProxyForURL() { return 42; }', /returned number, not a string/],
      ['function FindProxyForURL() { return null; }', /returned null, not a string/],
    ] as const) {
      const err = await new PacProxyResolver(script, { onError: 'error' }).lookup('http://a:80').then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.FAILED);
      assert.match(err.message, message);
      const lenient = await captureWarnings(() => new PacProxyResolver(script).lookup('http://a:80'));
      assert.deepEqual(lenient.result, ['direct://']);
    }
  });

  it('the standard helpers answer as browsers do', async () => {
    const script = `function FindProxyForURL(url, host) {
      var checks = [
        shExpMatch('www.example.com', '*.example.com'), !shExpMatch('example.org', '*.example.com'),
        shExpMatch('a.b', 'a?b'), !shExpMatch('axxb', 'a?b'),
        dnsDomainIs('www.example.com', '.example.com'), !dnsDomainIs('www.example.org', '.example.com'),
        isPlainHostName('intranet'), !isPlainHostName('www.example.com'),
        localHostOrDomainIs('www', 'www.example.com'), localHostOrDomainIs('www.example.com', 'www.example.com'),
        !localHostOrDomainIs('www.example.org', 'www.example.com'),
        dnsDomainLevels('www.example.com') === 2, dnsDomainLevels('www') === 0,
        isInNet('192.168.1.7', '192.168.0.0', '255.255.0.0'), !isInNet('192.169.1.7', '192.168.0.0', '255.255.0.0'),
        isInNet('10.0.0.1', '10.0.0.1', '255.255.255.255'),
        weekdayRange('SUN', 'SAT'), dateRange(1970, 2999), timeRange(0, 24), timeRange(0, 0, 23, 59) || true,
        !weekdayRange('BOGUS'), typeof myIpAddress() === 'string', /^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(myIpAddress()),
      ];
      for (var i = 0; i < checks.length; i++) if (checks[i] !== true) return 'PROXY 127.0.0.1:' + (i + 1);
      return 'DIRECT';
    }`;
    assert.deepEqual(await new PacProxyResolver(script).lookup('http://a:80'), ['direct://']);
    const mine = `function FindProxyForURL() { return 'PROXY ' + myIpAddress() + ':1'; }`;
    assert.deepEqual(await new PacProxyResolver(mine, { myIpAddress: '192.0.2.55' }).lookup('http://a:80'), [
      'http://192.0.2.55:1',
    ]);
  });

  it('checks its arguments and the lookup URI, and honours cancellation', async () => {
    assert.throws(
      () => new PacProxyResolver(''),
      (e: unknown) => e instanceof GError && e.code === IOErrorEnum.INVALID_ARGUMENT,
    );
    assert.throws(
      () => new PacProxyResolver(pac('DIRECT'), { timeoutMs: -1 }),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
    );
    assert.throws(
      () => new PacProxyResolver('http://'),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
    );
    const resolver = new PacProxyResolver(pac('DIRECT'));
    await assert.rejects(
      resolver.lookup('not a uri'),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
    );
    const cancellable = new Cancellable();
    cancellable.cancel();
    await assert.rejects(
      resolver.lookup('http://a:80', { cancellable }),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.CANCELLED,
    );
    assert.equal(resolver.url, null);
    assert.equal(
      new PacProxyResolver('pac+http://u:p@127.0.0.1:1/x.pac').url,
      'http://***@127.0.0.1:1/x.pac',
    );
  });
});
