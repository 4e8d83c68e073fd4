// Issue 12 fast path: with no proxy configured, the proxy enumerator hands out the target's own
// addresses without building, checking or parsing the destination URI. Everything observable —
// events, addresses, errors, err.proxy, the enumerator's `uri` — must be what the full lookup
// gives; a FakeProxyResolver (a plain lookup(), no fast path) is the reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EnvironmentProxyResolver,
  InetAddress,
  InetSocketAddress,
  IOErrorEnum,
  NetworkAddress,
  ProxyAddressEnumerator,
  SimpleProxyResolver,
  SocketClient,
  SystemProxyResolver,
  type GError,
  type ProxyResolver,
} from '../../src/index.js';
import { recordEvents } from '../helpers/events.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';
import { FakeProxyResolver } from './fakes.js';

const noProxy = (): ProxyResolver => new EnvironmentProxyResolver({});

async function connectWith(proxyResolver: ProxyResolver, target: string): Promise<string[]> {
  const client = new SocketClient({ proxyResolver });
  const events = recordEvents(client);
  const connection = await client.connectToHost(target, 0);
  try {
    return events.map((e) => `${e.event} ${e.remote ?? '-'}`);
  } finally {
    await connection.close();
  }
}

async function failureWith(
  proxyResolver: ProxyResolver,
  target: string,
): Promise<{
  readonly code: number;
  readonly message: string;
  readonly proxy: unknown;
  readonly events: string[];
}> {
  const client = new SocketClient({ proxyResolver });
  const events = recordEvents(client);
  const err = await client.connectToHost(target, 0).then(
    () => assert.fail('connected'),
    (e: GError) => e,
  );
  return { code: err.code, message: err.message, proxy: err.proxy, events: events.map((e) => e.event) };
}

async function firstError(enumerator: { next(): Promise<unknown> }): Promise<GError> {
  return enumerator.next().then(
    () => assert.fail('enumerated'),
    (e: GError) => e,
  );
}

describe('direct:// without a URI (no proxy configured)', () => {
  it('the same events and addresses as a full lookup answering direct://', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const target = `127.0.0.1:${server.port}`;
      const reference = await connectWith(new FakeProxyResolver(['direct://']), target);
      assert.deepEqual(await connectWith(noProxy(), target), reference);
      assert.deepEqual(await connectWith(new SystemProxyResolver({}), target), reference);
      assert.deepEqual(reference, [
        'RESOLVING -',
        'RESOLVED -',
        `CONNECTING ${target}`,
        `CONNECTED ${target}`,
        `COMPLETE ${target}`,
      ]);
    } finally {
      await server.close();
    }
  });

  it('a refused direct connect: same error and events, and no err.proxy', async () => {
    const port = await unusedPort('127.0.0.1');
    const target = `127.0.0.1:${port}`;
    const reference = await failureWith(new FakeProxyResolver(['direct://']), target);
    const fast = await failureWith(noProxy(), target);
    assert.deepEqual(fast, reference);
    assert.equal(fast.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(fast.proxy, undefined);
  });

  it('the enumerator still reports the destination URI it would have asked about', () => {
    const opts = { proxyResolver: noProxy() };
    const cases: [ProxyAddressEnumerator, string][] = [
      [
        NetworkAddress.parse('127.0.0.1:80', 0).proxyEnumerate(opts) as ProxyAddressEnumerator,
        'none://127.0.0.1:80',
      ],
      [
        NetworkAddress.parse('[::1]:443', 0).proxyEnumerate(opts) as ProxyAddressEnumerator,
        'none://[::1]:443',
      ],
      [
        NetworkAddress.parseUri('HTTPS://Example.test', 443).proxyEnumerate(opts) as ProxyAddressEnumerator,
        'https://Example.test:443',
      ],
      [
        new InetSocketAddress(InetAddress.newFromString('::1')!, 8).proxyEnumerate(
          opts,
        ) as ProxyAddressEnumerator,
        'none://[::1]:8',
      ],
    ];
    for (const [enumerator, uri] of cases) {
      assert.ok(enumerator instanceof ProxyAddressEnumerator);
      assert.equal(enumerator.uri, uri);
    }
  });

  it('a destination URI that is not valid is still INVALID_ARGUMENT, as with a full lookup', async () => {
    // A scheme with a space makes `bad scheme://example.test:80`, which is not a valid URI.
    const odd = new NetworkAddress('example.test', 80, 'bad scheme');
    const reference = await firstError(
      odd.proxyEnumerate({ proxyResolver: new FakeProxyResolver(['direct://']) }),
    );
    const fast = await firstError(odd.proxyEnumerate({ proxyResolver: noProxy() }));
    assert.equal(reference.code, IOErrorEnum.INVALID_ARGUMENT);
    assert.deepEqual([fast.code, fast.message], [reference.code, reference.message]);
  });

  it('a subclass that overrides lookup() is asked, not bypassed', async () => {
    const asked: string[] = [];
    class Recording extends EnvironmentProxyResolver {
      override async lookup(uri: string): Promise<string[]> {
        asked.push(uri);
        return ['direct://'];
      }
    }
    const enumerator = NetworkAddress.parse('127.0.0.1:81', 0).proxyEnumerate({
      proxyResolver: new Recording({}),
    });
    assert.equal(String(await enumerator.next()), '127.0.0.1:81');
    assert.deepEqual(asked, ['none://127.0.0.1:81']);
  });

  it('a proxy that is configured is still used (decided without a Promise), err.proxy and all', async () => {
    const port = await unusedPort('127.0.0.1');
    const reference = await failureWith(
      new FakeProxyResolver([`socks5://127.0.0.1:${port}`]),
      'db.example.test:5432',
    );
    const simple = await failureWith(
      new SimpleProxyResolver(`socks5://127.0.0.1:${port}`),
      'db.example.test:5432',
    );
    assert.equal(simple.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.deepEqual(
      [simple.code, simple.message, simple.events],
      [reference.code, reference.message, reference.events],
    );
    assert.deepEqual(simple.proxy, { uri: `socks5://127.0.0.1:${port}`, source: 'default proxy' });
    assert.deepEqual(reference.proxy, { uri: `socks5://127.0.0.1:${port}`, source: 'proxy resolver' });
  });
});
