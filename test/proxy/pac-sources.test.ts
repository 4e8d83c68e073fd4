// PAC reached from the other sources: GNOME's mode auto with autoconfig-url (real gsettings and
// dconf in a private D-Bus session), libproxy's `pac+` proxy URIs given to SimpleProxyResolver and
// in a proxy variable, and a connect through the proxy the script chose, named on the error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  EnvironmentProxyResolver,
  IOError,
  IOErrorEnum,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
} from '../../src/index.js';
import { requireOrSkip } from '../helpers/env.js';
import { canRunGsettings, runInPrivateDbusSession } from '../helpers/dbus-session.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';

const CHILD = fileURLToPath(new URL('../helpers/gsettings-pac-child.ts', import.meta.url));

/** Serves `script` at /proxy.pac on loopback; counts the requests. */
async function servePac(
  script: string,
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end(script);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/proxy.pac`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SCRIPT = `function FindProxyForURL(url, host) {
  if (host === '127.0.0.1') return 'SOCKS5 127.0.0.1:1081';
  return 'PROXY 127.0.0.1:3128; DIRECT';
}`;

describe('PAC from the desktop settings', () => {
  it('GNOME mode auto with autoconfig-url runs the script (loopback too, as the script says)', async (t) => {
    if (!requireOrSkip(t, canRunGsettings(), 'gsettings, dconf and dbus-run-session not installed')) return;
    const pac = await servePac(SCRIPT);
    let stdout: string;
    try {
      stdout = await runInPrivateDbusSession(CHILD, { GSC_PAC_URL: pac.url });
    } finally {
      await pac.close();
    }
    const out = JSON.parse(stdout) as {
      lookup: string[];
      lookupLoopback: string[];
      explain: { resolver: string; source: string; proxies: string[] };
      sync: string;
    };
    // http_proxy is set in the child: GNOME's settings win over it, as in GIO.
    assert.deepEqual(out.lookup, ['http://127.0.0.1:3128', 'direct://']);
    assert.deepEqual(out.lookupLoopback, ['socks5://127.0.0.1:1081']);
    assert.equal(out.explain.resolver, 'gnome');
    assert.equal(
      out.explain.source,
      `org.gnome.system.proxy mode auto, org.gnome.system.proxy autoconfig-url: PAC ${pac.url} returned 'PROXY 127.0.0.1:3128; DIRECT'`,
    );
    assert.deepEqual(out.explain.proxies, ['http://127.0.0.1:3128', 'direct://']);
    assert.equal(out.sync, 'NOT_SUPPORTED');
  });
});

describe('pac+ proxy URIs (libproxy)', () => {
  it('SimpleProxyResolver: a pac+http default proxy is replaced by the script answer; connects through it', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks not installed')) return;
    const socks = await startMicrosocks();
    const echo = await startEchoServer();
    const dead = await unusedPort();
    const pac = await servePac(
      `function FindProxyForURL(url, host) { return 'PROXY 127.0.0.1:${dead}; SOCKS5 127.0.0.1:${socks.port}'; }`,
    );
    try {
      const resolver = new SimpleProxyResolver(`pac+${pac.url}`);
      const uri = `none://127.0.0.1:${echo.port}`;
      assert.deepEqual(await resolver.lookup(uri), [
        `http://127.0.0.1:${dead}`,
        `socks5://127.0.0.1:${socks.port}`,
      ]);
      const why = await resolver.explainProxy(uri);
      assert.equal(why.resolver, 'simple');
      assert.match(why.source, /^default proxy: PAC http:\/\/127\.0\.0\.1:\d+\/proxy\.pac returned 'PROXY /);
      assert.throws(
        () => resolver.lookupSync(uri),
        (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.NOT_SUPPORTED,
      );

      const client = new SocketClient({ proxyResolver: resolver });
      const conn = await client.connectToHost(`127.0.0.1:${echo.port}`, 0);
      try {
        const remote = conn.getRemoteAddress();
        assert.ok(remote instanceof ProxyAddress);
        assert.equal(remote.protocol, 'socks5');
        conn.stream.write('hi');
        const [reply] = (
          await new Promise<Buffer[]>((resolve) => conn.stream.once('data', (c: Buffer) => resolve([c])))
        ).map(String);
        assert.equal(reply, 'hi');
      } finally {
        await conn.close();
      }
      assert.equal(pac.hits(), 1, 'one fetch for every lookup of the process');
    } finally {
      await pac.close();
      await echo.close();
      await socks.stop();
    }
  });

  it('a pac+file proxy variable: the script decides; the error of its proxy names the variable and the script', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-pac-env-'));
    const dead = await unusedPort();
    try {
      const file = join(dir, 'proxy.pac');
      await writeFile(file, `function FindProxyForURL(url, host) { return 'PROXY 127.0.0.1:${dead}'; }`);
      const url = pathToFileURL(file).href;
      const resolver = new EnvironmentProxyResolver({ all_proxy: `pac+${url}` });
      assert.deepEqual(await resolver.lookup('imap://mail.example:143'), [`http://127.0.0.1:${dead}`]);
      // The loopback rule of the environment comes first: no script, no proxy.
      assert.deepEqual(await resolver.lookup('imap://127.0.0.1:143'), ['direct://']);
      const client = new SocketClient({ proxyResolver: resolver });
      const err = await client.connectToHost('mail.example:143', 0).then(
        () => assert.fail('connected'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(err.proxy?.uri, `http://127.0.0.1:${dead}`);
      assert.equal(err.proxy?.source, `all_proxy: PAC ${url} returned 'PROXY 127.0.0.1:${dead}'`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
