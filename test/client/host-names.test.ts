// Issue 10 items 10, 11 and 15: empty and over-long host names fail as GIO 2.74 fails them
// (ResolverError NOT_FOUND, no DNS query), and scoped IPv6 literals connect on loopback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DnsResolver,
  NetworkAddress,
  ResolverError,
  ResolverErrorEnum,
  SocketClient,
  SystemResolver,
  type Resolver,
} from '../../src/index.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT, FakeResolver } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';

function assertNotFound(err: unknown, host: string): true {
  assert.ok(err instanceof ResolverError, `expected ResolverError, got ${String(err)}`);
  assert.equal(err.code, ResolverErrorEnum.NOT_FOUND, err.message);
  assert.equal(err.message, `Error resolving “${host}”: Name or service not known`);
  return true;
}

/** A DnsResolver aimed at a closed loopback port: any query it sent would fail otherwise. */
async function deadDns(): Promise<DnsResolver> {
  return new DnsResolver({ servers: [`127.0.0.1:${await unusedPort('127.0.0.1')}`] });
}

const LONG_LABEL = 'a'.repeat(300);
const LABEL_64 = `${'b'.repeat(64)}.test`;
const NAME_254 = `${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(10)}`;

describe('empty host (GIO: getaddrinfo("") is EAI_NONAME)', () => {
  const cases: readonly (readonly [string, (c: SocketClient) => Promise<unknown>])[] = [
    ["connectToHost('', 80)", (c) => c.connectToHost('', 80)],
    ["connectToHost(':80', 1)", (c) => c.connectToHost(':80', 1)],
    ["connectToUri('http://', 80)", (c) => c.connectToUri('http://', 80)],
    ["connectToUri('http://:81/', 80)", (c) => c.connectToUri('http://:81/', 80)],
  ];
  for (const [label, run] of cases) {
    it(`${label} → ResolverError NOT_FOUND “”, RESOLVING then COMPLETE, no query`, async () => {
      const fake = new FakeResolver();
      const resolvers: readonly Resolver[] = [new SystemResolver(), await deadDns(), fake];
      for (const resolver of resolvers) {
        const client = new SocketClient({ resolver, proxyResolver: DIRECT });
        const events = recordEvents(client);
        await assert.rejects(run(client), (e) => assertNotFound(e, ''));
        assert.deepEqual(names(events), ['RESOLVING', 'COMPLETE']);
      }
      assert.deepEqual(fake.queries, []);
    });
  }

  it('the blocking API gives the same error', () => {
    const client = new SocketClient({ enableProxy: false });
    assert.throws(
      () => client.connectToHostSync('', 80),
      (e) => assertNotFound(e, ''),
    );
  });
});

describe('over-long host names (GIO: NOT_FOUND, not Node’s "getaddrinfo EINVAL")', () => {
  for (const host of [LONG_LABEL, LABEL_64, NAME_254, `${LONG_LABEL}.`]) {
    it(`${host.length} characters (${host.slice(0, 12)}…) → NOT_FOUND without a query`, async () => {
      const fake = new FakeResolver();
      for (const resolver of [new SystemResolver(), await deadDns(), fake]) {
        const client = new SocketClient({ resolver, proxyResolver: DIRECT });
        await assert.rejects(client.connectToHost(`${host}:80`, 1), (e) => assertNotFound(e, host));
      }
      assert.deepEqual(fake.queries, []);
    });
  }

  it('the limits themselves are allowed: a 63-character label and a 253-character name are asked', async () => {
    const fake = new FakeResolver();
    const ok63 = `${'h'.repeat(63)}.test`;
    const ok253 = NAME_254.slice(1);
    assert.equal(ok253.length, 253);
    for (const host of [ok63, ok253, `${ok253}.`]) {
      await assert.rejects(
        new SocketClient({ resolver: fake, proxyResolver: DIRECT }).connectToHost(`${host}:80`, 1),
        (e) => assertNotFound(e, host),
      );
    }
    assert.deepEqual([...new Set(fake.queries.map((q) => q.name))], [ok63, ok253, `${ok253}.`]);
  });
});

describe('scoped IPv6 literals (kept: GIO 2.74 fails to resolve them, GLib’s tests expect this)', () => {
  it('[::1%lo]:P and http://[::1%25lo]:P/ connect to ::1 on loopback', async () => {
    const server = await startEchoServer('::1');
    try {
      const client = new SocketClient({ resolver: new FakeResolver(), proxyResolver: DIRECT });
      for (const connect of [
        () => client.connectToHost(`[::1%lo]:${server.port}`, 1),
        () => client.connectToUri(`http://[::1%25lo]:${server.port}/`, 1),
      ]) {
        const events = recordEvents(client);
        const conn = await connect();
        assert.equal(conn.getRemoteAddress().toString(), `[::1%lo]:${server.port}`);
        assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
        assert.equal(events[2].remote, `[::1%lo]:${server.port}`);
        await conn.close();
      }
    } finally {
      await server.close();
    }
  });

  it('http://[fe80::1%25eth0]/ parses to host fe80::1%eth0 (the zone percent-decoded)', () => {
    const address = NetworkAddress.parseUri('http://[fe80::1%25eth0]/', 80);
    assert.equal(address.hostname, 'fe80::1%eth0');
    assert.equal(address.toString(), 'http:fe80::1%eth0:80');
  });
});
