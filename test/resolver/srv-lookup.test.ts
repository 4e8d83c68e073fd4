import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellable } from '../../src/cancellable.js';
import { IOErrorEnum, ResolverErrorEnum } from '../../src/errors/enums.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { DnsResolver } from '../../src/resolver/dns-resolver.js';
import { serviceRrname } from '../../src/resolver/srv-lookup.js';
import { SystemResolver } from '../../src/resolver/system-resolver.js';
import type { SrvTarget } from '../../src/resolver/srv-target.js';
import { dnsmasqAvailable, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import {
  RCODE_FORMERR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  RR_A,
  RR_SRV,
  aRdata,
  response,
  rr,
  srvRdata,
  startFakeDns,
  type DnsQuery,
} from '../helpers/fake-dns.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';

const show = (targets: readonly SrvTarget[]): string[] => targets.map((t) => `${t.hostname}:${t.port}`);

function assertResolverError(code: ResolverErrorEnum, message: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ResolverError, `expected ResolverError, got ${String(err)}`);
    assert.equal(err.codeName, ResolverErrorEnum[code]);
    assert.equal(err.message, message);
    return true;
  };
}

describe('serviceRrname (g_resolver_get_service_rrname)', () => {
  const ok: readonly [string, string, string, string][] = [
    ['http', 'tcp', 'example.test', '_http._tcp.example.test'],
    ['xmpp-client', 'tcp', 'bücher.test', '_xmpp-client._tcp.xn--bcher-kva.test'],
    ['sip', 'udp', 'Example.TEST', '_sip._udp.Example.TEST'],
  ];
  for (const [service, protocol, domain, expected] of ok) {
    it(`${service}/${protocol}/${domain} → ${expected}`, () => {
      assert.equal(serviceRrname(service, protocol, domain), expected);
    });
  }
  for (const domain of ['', 'xn--ü.test', 'ü test']) {
    it(`${JSON.stringify(domain)} → IOError FAILED "Invalid domain"`, () => {
      assert.throws(
        () => serviceRrname('http', 'tcp', domain),
        (err: unknown) =>
          err instanceof IOError && err.code === IOErrorEnum.FAILED && err.message === 'Invalid domain',
      );
    });
  }
});

describe('lookupService: invalid domain fails before any query', () => {
  // 127.0.0.1:9 (discard) would only time out if a query were sent; none may be.
  const resolvers = [
    ['DnsResolver', new DnsResolver({ servers: ['127.0.0.1:9'], timeout: 100, tries: 1 })],
    ['SystemResolver', new SystemResolver()],
  ] as const;
  for (const [name, resolver] of resolvers) {
    it(name, async () => {
      await assert.rejects(
        resolver.lookupService('http', 'tcp', 'xn--ü.test'),
        (err: unknown) =>
          err instanceof IOError && err.code === IOErrorEnum.FAILED && err.message === 'Invalid domain',
      );
    });
  }
});

describe('DnsResolver.lookupService against dnsmasq', () => {
  let dns: Dnsmasq | null = null;
  before(async () => {
    if (!dnsmasqAvailable()) return;
    dns = await startDnsmasq({
      srv: [
        { name: '_xmpp._tcp.svc.test', target: 'low.svc.test', port: 5222, priority: 20, weight: 0 },
        { name: '_xmpp._tcp.svc.test', target: 'high.svc.test', port: 5223, priority: 10, weight: 0 },
        { name: '_xmpp._tcp.svc.test', target: 'mid.svc.test', port: 5224, priority: 15, weight: 7 },
        { name: '_gone._tcp.svc.test' },
        { name: '_http._tcp.bücher.test', target: 'idn.test', port: 80 },
      ],
      hosts: [{ name: 'noservice.test', ipv4: '127.0.0.1' }],
      servfail: ['broken.test'],
      silent: ['slow.test'],
      resolverOptions: { timeout: 200, tries: 1 },
    });
  });
  after(async () => {
    await dns?.stop();
  });

  it('returns the targets in priority order', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const targets = await dns!.resolver.lookupService('xmpp', 'tcp', 'svc.test');
    assert.deepEqual(show(targets), ['high.svc.test:5223', 'mid.svc.test:5224', 'low.svc.test:5222']);
    assert.deepEqual(
      targets.map((x) => [x.priority, x.weight]),
      [
        [10, 0],
        [15, 7],
        [20, 0],
      ],
    );
  });

  it('queries the IDNA form of the domain', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    // dnsmasq holds the record under its ACE name; the query only matches if we converted.
    assert.deepEqual(show(await dns!.resolver.lookupService('http', 'tcp', 'bücher.test')), ['idn.test:80']);
  });

  it('a lone "." target gives an empty list, no error (as g_resolver_lookup_service)', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    assert.deepEqual(await dns!.resolver.lookupService('gone', 'tcp', 'svc.test'), []);
  });

  it('NXDOMAIN → NOT_FOUND "No DNS record of the requested type"', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      dns!.resolver.lookupService('xmpp', 'tcp', 'nothing.test'),
      assertResolverError(
        ResolverErrorEnum.NOT_FOUND,
        'No DNS record of the requested type for “_xmpp._tcp.nothing.test”',
      ),
    );
  });

  it('a domain with addresses but no SRV record → NOT_FOUND', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      dns!.resolver.lookupService('http', 'tcp', 'noservice.test'),
      assertResolverError(
        ResolverErrorEnum.NOT_FOUND,
        'No DNS record of the requested type for “_http._tcp.noservice.test”',
      ),
    );
  });

  it('SERVFAIL → TEMPORARY_FAILURE "Temporarily unable to resolve"', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      dns!.resolver.lookupService('http', 'tcp', 'broken.test'),
      assertResolverError(
        ResolverErrorEnum.TEMPORARY_FAILURE,
        'Temporarily unable to resolve “_http._tcp.broken.test”',
      ),
    );
  });

  it('no answer (timeout) → TEMPORARY_FAILURE', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      dns!.resolver.lookupService('http', 'tcp', 'slow.test'),
      assertResolverError(
        ResolverErrorEnum.TEMPORARY_FAILURE,
        'Temporarily unable to resolve “_http._tcp.slow.test”',
      ),
    );
  });

  it('REFUSED (a name outside dnsmasq’s zones) → TEMPORARY_FAILURE', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      dns!.resolver.lookupService('http', 'tcp', 'elsewhere.invalid'),
      assertResolverError(
        ResolverErrorEnum.TEMPORARY_FAILURE,
        'Temporarily unable to resolve “_http._tcp.elsewhere.invalid”',
      ),
    );
  });

  it('cancellation while waiting → IOError CANCELLED at once', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const slowDns = new DnsResolver({ servers: dns!.servers, timeout: 5000, tries: 1 });
    const c = new Cancellable();
    const started = Date.now();
    setTimeout(() => c.cancel(), 50);
    await assert.rejects(
      slowDns.lookupService('http', 'tcp', 'slow.test', { cancellable: c }),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
    assert.ok(Date.now() - started < 2500, 'cancelled well before the 5 s DNS timeout');
    assert.equal(c.handlerCount, 0);
  });

  it('an already-cancelled cancellable fails without a query', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = new Cancellable();
    c.cancel();
    await assert.rejects(
      dns!.resolver.lookupService('xmpp', 'tcp', 'svc.test', { cancellable: c }),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
  });
});

describe('lookupService against a hand-written DNS server (broken replies)', () => {
  const srvAnswer = (q: DnsQuery): Buffer =>
    response(q, { answers: [rr(q.name, RR_SRV, srvRdata(1, 2, 80, 'a.test'))] });
  const rrname = '_x._tcp.svc.test';
  const internal = `Error resolving “${rrname}”`;
  const cases: readonly {
    readonly name: string;
    readonly reply: (q: DnsQuery) => Buffer | null;
    readonly code: ResolverErrorEnum;
    readonly message: string;
  }[] = [
    {
      name: 'answer cut off in the middle of the SRV rdata',
      reply: (q) => srvAnswer(q).subarray(0, srvAnswer(q).length - 5),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'packet shorter than a DNS header',
      reply: (q) => srvAnswer(q).subarray(0, 8),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'answer count larger than the records present',
      reply: (q) => {
        const b = srvAnswer(q);
        b.writeUInt16BE(3, 6);
        return b;
      },
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'an SRV record whose rdata is an A record (4 bytes)',
      reply: (q) => response(q, { answers: [rr(q.name, RR_SRV, aRdata('127.0.0.1'))] }),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'a compression pointer pointing at itself',
      reply: (q) => {
        const head = response(q);
        head.writeUInt16BE(1, 6);
        const fixed = Buffer.alloc(10);
        fixed.writeUInt16BE(RR_SRV, 0);
        fixed.writeUInt16BE(1, 2);
        fixed.writeUInt32BE(60, 4);
        const selfAt = head.length + 2 + 10 + 6; // where the target name (the pointer) sits
        const rdata = Buffer.from([0, 1, 0, 2, 0, 80, 0xc0 | (selfAt >> 8), selfAt & 0xff]);
        fixed.writeUInt16BE(rdata.length, 8);
        return Buffer.concat([head, Buffer.from([0xc0, 12]), fixed, rdata]);
      },
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'bytes that are not DNS at all',
      reply: () => Buffer.from('this is not a DNS message, just text'),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'FORMERR',
      reply: (q) => response(q, { rcode: RCODE_FORMERR }),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      name: 'NOTIMP',
      reply: (q) => response(q, { rcode: RCODE_NOTIMP }),
      code: ResolverErrorEnum.INTERNAL,
      message: internal,
    },
    {
      // GIO skips answer records of another type (CNAMEs legitimately precede the SRV); none left
      // is NOT_FOUND there too, never an empty success.
      name: 'an A record answering the SRV question',
      reply: (q) => response(q, { answers: [rr(q.name, RR_A, aRdata('127.0.0.1'))] }),
      code: ResolverErrorEnum.NOT_FOUND,
      message: `No DNS record of the requested type for “${rrname}”`,
    },
    {
      name: 'NXDOMAIN',
      reply: (q) => response(q, { rcode: RCODE_NXDOMAIN }),
      code: ResolverErrorEnum.NOT_FOUND,
      message: `No DNS record of the requested type for “${rrname}”`,
    },
    {
      name: 'NOERROR with no answers (NODATA)',
      reply: (q) => response(q),
      code: ResolverErrorEnum.NOT_FOUND,
      message: `No DNS record of the requested type for “${rrname}”`,
    },
    {
      name: 'SERVFAIL',
      reply: (q) => response(q, { rcode: RCODE_SERVFAIL }),
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: `Temporarily unable to resolve “${rrname}”`,
    },
    {
      name: 'REFUSED',
      reply: (q) => response(q, { rcode: RCODE_REFUSED }),
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: `Temporarily unable to resolve “${rrname}”`,
    },
    {
      // The TC bit sends c-ares to TCP, where nothing listens.
      name: 'truncated (TC) with no TCP server',
      reply: (q) => response(q, { truncated: true }),
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: `Temporarily unable to resolve “${rrname}”`,
    },
    {
      name: 'a reply with the wrong query id (ignored, so the query times out)',
      reply: (q) => {
        const b = srvAnswer(q);
        b.writeUInt16BE((q.id + 1) & 0xffff, 0);
        return b;
      },
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: `Temporarily unable to resolve “${rrname}”`,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${ResolverErrorEnum[c.code]}`, { timeout: 5000 }, async () => {
      const baseline = activeResources();
      const fake = await startFakeDns(c.reply);
      try {
        const resolver = new DnsResolver({ servers: [fake.server], timeout: 200, tries: 1 });
        await assert.rejects(
          resolver.lookupService('x', 'tcp', 'svc.test'),
          assertResolverError(c.code, c.message),
        );
        assert.ok(fake.queries.length >= 1, 'the query reached the server');
        assert.equal(fake.queries[0].name, rrname);
        assert.equal(fake.queries[0].type, RR_SRV);
      } finally {
        await fake.close();
      }
      assert.deepEqual(await settleLeaks(baseline), {});
    });
  }

  it('several records come back in RFC 2782 order; an empty target name is "."', async () => {
    const fake = await startFakeDns((q) =>
      response(q, {
        answers: [
          rr(q.name, RR_SRV, srvRdata(30, 0, 3, 'c.test')),
          rr(q.name, RR_SRV, srvRdata(10, 0, 1, 'a.test')),
          rr(q.name, RR_SRV, srvRdata(20, 0, 2, 'b.test')),
        ],
      }),
    );
    const dot = await startFakeDns((q) =>
      response(q, { answers: [rr(q.name, RR_SRV, srvRdata(0, 0, 0, '.'))] }),
    );
    const both = await startFakeDns((q) =>
      response(q, {
        answers: [
          rr(q.name, RR_SRV, srvRdata(0, 0, 0, '.')),
          rr(q.name, RR_SRV, srvRdata(1, 0, 7, 'z.test')),
        ],
      }),
    );
    try {
      const r = (s: string): DnsResolver => new DnsResolver({ servers: [s], timeout: 200, tries: 1 });
      assert.deepEqual(show(await r(fake.server).lookupService('x', 'tcp', 'svc.test')), [
        'a.test:1',
        'b.test:2',
        'c.test:3',
      ]);
      assert.deepEqual(await r(dot.server).lookupService('x', 'tcp', 'svc.test'), []);
      // "." is only special alone; with other targets it stays in the list.
      assert.deepEqual(show(await r(both.server).lookupService('x', 'tcp', 'svc.test')), ['.:0', 'z.test:7']);
    } finally {
      await Promise.all([fake.close(), dot.close(), both.close()]);
    }
  });
});
