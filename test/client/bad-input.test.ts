// Bad input of every shape gets a typed GError naming what was wrong: never a TypeError, a
// crash, a hang or an unhandled rejection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DnsResolver,
  EnvironmentProxyResolver,
  GError,
  InetSocketAddress,
  NetworkAddress,
  NetworkService,
  SimpleProxyResolver,
  SocketClient,
  UnixSocketAddress,
} from '../../src/index.js';
import { FakeProxyResolver, RecordingResolver } from '../proxy/fakes.js';

const WEIRD: readonly unknown[] = [
  undefined,
  null,
  42,
  -1,
  1.5,
  Number.NaN,
  {},
  [],
  '',
  ' ',
  '\0',
  'a'.repeat(10_000),
  '[',
  '[[[]]]',
  ':::::',
  'http://',
  '%',
  '\u{1F600}',
  Symbol('s'),
  () => 1,
  true,
  'host:port',
  'x:-1',
  '[::1]:99999',
  'http://[::1%]:1/',
  'http://a@b@c:1',
];
const PORTS: readonly unknown[] = [80, undefined, -5, 'x', 70000];

function expectGError(label: string, err: unknown): void {
  assert.ok(err instanceof GError, `${label}: ${String(err)}`);
  assert.ok(err.message.length > 0, `${label}: empty message`);
}

describe('bad input', () => {
  it('SocketClient connect methods reject with a GError for every odd argument', async () => {
    // Nothing here may reach a real resolver or the environment's proxies.
    const client = new SocketClient({
      resolver: new RecordingResolver({}),
      proxyResolver: new FakeProxyResolver(['direct://']),
    });
    let calls = 0;
    for (const a of WEIRD) {
      for (const b of PORTS) {
        const attempts: [string, () => Promise<{ close(): Promise<void> }>][] = [
          ['connectToHost', () => client.connectToHost(a as never, b as never)],
          ['connectToUri', () => client.connectToUri(a as never, b as never)],
          ['connectToService', () => client.connectToService(a as never, b as never)],
          ['connect', () => client.connect(a as never)],
        ];
        for (const [name, call] of attempts) {
          calls++;
          await call().then(
            (conn) => conn.close(),
            (err: unknown) => expectGError(`${name}(${typeof a}, ${String(b)})`, err),
          );
        }
      }
    }
    assert.equal(calls, WEIRD.length * PORTS.length * 4);
  });

  it('constructors and parsers throw GErrors (or return null where GIO returns NULL)', () => {
    for (const a of WEIRD) {
      for (const b of PORTS) {
        const attempts: [string, () => unknown][] = [
          ['NetworkAddress.parse', () => NetworkAddress.parse(a as never, b as never)],
          ['NetworkAddress.parseUri', () => NetworkAddress.parseUri(a as never, b as never)],
          ['SimpleProxyResolver', () => new SimpleProxyResolver(a as never, b as never)],
          ['InetSocketAddress.newFromString', () => InetSocketAddress.newFromString(a as never, b as never)],
          ['UnixSocketAddress', () => new UnixSocketAddress(a as never)],
          ['DnsResolver', () => new DnsResolver({ servers: a as never })],
          ['NetworkService', () => new NetworkService(a as never, 'tcp', b as never)],
          [
            'EnvironmentProxyResolver',
            () => new EnvironmentProxyResolver({ http_proxy: a as never, no_proxy: a as never }),
          ],
        ];
        for (const [name, call] of attempts) {
          try {
            call();
          } catch (err) {
            expectGError(`${name}(${typeof a}, ${String(b)})`, err);
          }
        }
      }
    }
  });

  it('proxy resolver lookups reject odd URIs with INVALID_ARGUMENT', async () => {
    const resolver = new SimpleProxyResolver('http://127.0.0.1:1', []);
    for (const a of WEIRD) {
      await resolver.lookup(a as never).then(
        (proxies) => assert.ok(Array.isArray(proxies)),
        (err: unknown) => expectGError(`lookup(${typeof a})`, err),
      );
    }
  });
});
