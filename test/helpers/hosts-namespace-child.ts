// Runs inside the private mount + network namespace that test/resolver/system-resolver.test.ts
// makes (its /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf are the test's files, its only
// interface is lo). It starts the recording DNS server on 127.0.0.1:53 (the resolv.conf
// nameserver), drives SystemResolver and SocketClient through getaddrinfo, and prints one JSON
// report on stdout. No network guard is loaded here: the namespace has no route off the machine,
// and the resolv.conf check below stops before any lookup if the bind mounts are not in place.
import { appendFileSync, readFileSync, utimesSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type AddressInfo } from 'node:net';
import {
  GError,
  NetworkAddress,
  ResolverNameLookupFlags,
  SocketClient,
  SystemResolver,
} from '../../src/index.js';
import { names, recordEvents } from './events.js';
import {
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  RCODE_SERVFAIL,
  RR_A,
  response,
  rr,
  startFakeDns,
} from './fake-dns.js';

const expectedResolvConf = process.env.GSC_EXPECT_RESOLV_CONF ?? '';
const expectedHosts = process.env.GSC_EXPECT_HOSTS ?? '';
if (
  expectedResolvConf === '' ||
  readFileSync('/etc/resolv.conf', 'utf8') !== expectedResolvConf ||
  expectedHosts === '' ||
  readFileSync('/etc/hosts', 'utf8') !== expectedHosts
) {
  process.stderr.write(
    'hosts-namespace-child: /etc/resolv.conf or /etc/hosts is not the test file; stopped\n',
  );
  process.exit(2);
}

interface ErrorReport {
  readonly kind: string;
  readonly domain: string;
  readonly code: number;
  readonly message: string;
}

const errorReport = (err: unknown): ErrorReport =>
  err instanceof GError
    ? { kind: err.constructor.name, domain: err.domain, code: err.code, message: err.message }
    : { kind: 'not a GError', domain: '', code: -1, message: String(err) };

/** A name only DNS knows (A 127.0.0.1): its queries show when getaddrinfo was really called. */
const DNS_NAME = 'indns.gsc.test';
// DNS_NAME → A 127.0.0.1; servfail.* → SERVFAIL; silent.* → no answer at all (the client times
// out); nodata.* → NOERROR without records (the name exists, no address); anything else → NXDOMAIN.
const dns = await startFakeDns((q) => {
  if (q.name === DNS_NAME && q.type === RR_A) {
    return response(q, { answers: [rr(DNS_NAME, RR_A, Buffer.from([127, 0, 0, 1]))] });
  }
  if (q.name === DNS_NAME) return response(q, {});
  if (q.name.startsWith('silent.')) return null;
  if (q.name.startsWith('nodata.')) return response(q, { rcode: RCODE_NOERROR });
  return response(q, { rcode: q.name.startsWith('servfail.') ? RCODE_SERVFAIL : RCODE_NXDOMAIN });
}, 53);
const server = createServer((socket) => socket.end());
await new Promise<void>((resolve) => server.listen(0, '::', resolve));
const port = (server.address() as AddressInfo).port;
const resolver = new SystemResolver({ timeout: 10_000 });
const queriesNow = (): string[] => dns.queries.map((q) => `${q.name}/${q.type}`);

async function connect(
  host: string,
  through: SystemResolver = resolver,
): Promise<{ remote: string; events: string[] }> {
  const client = new SocketClient({ resolver: through, enableProxy: false });
  const events = recordEvents(client);
  const conn = await client.connectToHost(host, port);
  try {
    return { remote: conn.getRemoteAddress().toString(), events: names(events) };
  } finally {
    await conn.close();
  }
}

async function enumerate(host: string): Promise<string[]> {
  const enumerator = new NetworkAddress(host, port).enumerate({ resolver });
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const next = await enumerator.next();
    if (next === null) break;
    out.push(next.toString());
  }
  enumerator.close?.();
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<ErrorReport | null> {
  try {
    await run();
    return null;
  } catch (err) {
    return errorReport(err);
  }
}

try {
  const fromHosts = {
    lookupBoth: (await resolver.lookupByName('both.gsc.test')).map(String),
    lookupV4Only: (await resolver.lookupByName('v4only.gsc.test')).map(String),
    lookupBothIpv4Only: (
      await resolver.lookupByNameWithFlags('both.gsc.test', ResolverNameLookupFlags.IPV4_ONLY)
    ).map(String),
    lookupBothIpv6Only: (
      await resolver.lookupByNameWithFlags('both.gsc.test', ResolverNameLookupFlags.IPV6_ONLY)
    ).map(String),
    lookupV6Only: (await resolver.lookupByName('v6only.gsc.test')).map(String),
    lookupV4OnlyIpv4Only: (
      await resolver.lookupByNameWithFlags('v4only.gsc.test', ResolverNameLookupFlags.IPV4_ONLY)
    ).map(String),
    lookupMixedCase: (await resolver.lookupByName('Both.GSC.test')).map(String),
    enumerateV6Only: await enumerate('v6only.gsc.test'),
    connectV6Only: await connect('v6only.gsc.test'),
    enumerateBoth: await enumerate('both.gsc.test'),
    enumerateV4Only: await enumerate('v4only.gsc.test'),
    connectBoth: await connect('both.gsc.test'),
    connectV4Only: await connect('v4only.gsc.test'),
    // Cached on the NetworkAddress, fresh for the next client: both cost no query either.
    connectV4OnlyAgain: await connect('v4only.gsc.test'),
  };
  const queriesAfterHosts = queriesNow();
  const unknown = {
    lookup: await failure(() => resolver.lookupByName('nosuch.gsc.test')),
    connect: await failure(() => connect('nosuch.gsc.test')),
    servfail: await failure(() => resolver.lookupByName('servfail.gsc.test')),
    silent: await failure(() => resolver.lookupByName('silent.gsc.test')),
    nodata: await failure(() => resolver.lookupByName('nodata.gsc.test')),
    // /etc/hosts has no IPv6 address for it: getaddrinfo(AF_INET6) goes on to DNS, as in GIO.
    v4OnlyAsIpv6: await failure(() =>
      resolver.lookupByNameWithFlags('v4only.gsc.test', ResolverNameLookupFlags.IPV6_ONLY),
    ),
  };
  const queriesAtEnd = queriesNow();

  // The serial (and with it the NetworkAddress cache) follows /etc/hosts, checked at most once a
  // second. /etc/hosts is the test's file here (checked above), so it may be changed.
  // A fresh resolver: its first serial read starts the one-second window here.
  const watcher = new SystemResolver({ timeout: 10_000 });
  const cached = new NetworkAddress('v4only.gsc.test', port);
  const enumerateCached = async (): Promise<string[]> => {
    const enumerator = cached.enumerate({ resolver: watcher });
    const out: string[] = [];
    for (
      let next = await enumerator.next();
      next !== null && out.length < 8;
      next = await enumerator.next()
    ) {
      out.push(next.toString());
    }
    return out;
  };
  // Answers shared across connects (each connectToHost makes a new NetworkAddress): a second
  // connect asks DNS nothing; once the TTL is over it asks again.
  const dnsQueries = (): number => dns.queries.filter((q) => q.name === DNS_NAME).length;
  const shortLived = new SystemResolver({ timeout: 10_000, cacheTtl: 300 });
  const sharedFirst = await connect(DNS_NAME, shortLived);
  const queriesAfterFirst = dnsQueries();
  const sharedSecond = await connect(DNS_NAME, shortLived);
  const queriesAfterSecond = dnsQueries();
  await sleep(400);
  await connect(DNS_NAME, shortLived);
  const queriesAfterTtl = dnsQueries();
  const uncached = new SystemResolver({ timeout: 10_000, cacheTtl: 0 });
  await connect(DNS_NAME, uncached);
  const queriesUncachedFirst = dnsQueries();
  await connect(DNS_NAME, uncached);
  const queriesUncachedSecond = dnsQueries();
  const sharedCache = {
    sharedFirst,
    sharedSecond,
    queriesAfterFirst,
    queriesAfterSecond,
    queriesAfterTtl,
    queriesUncachedFirst,
    queriesUncachedSecond,
  };

  const serialBefore = watcher.serial;
  const cachedBefore = await enumerateCached();
  // A long-lived cache across connects, for a name about to be added to /etc/hosts.
  const longLived = new SystemResolver({ timeout: 10_000, cacheTtl: 60_000 });
  const acrossBefore = await connect(DNS_NAME, longLived);
  appendFileSync('/etc/hosts', `::1 v4only.gsc.test\n::1 ${DNS_NAME}\n`);
  utimesSync('/etc/hosts', new Date(), new Date(Date.now() + 60_000));
  const serialWithinInterval = watcher.serial;
  const cachedWithinInterval = await enumerateCached();
  await sleep(1100);
  const serialAfterInterval = watcher.serial;
  const cachedAfterInterval = await enumerateCached();
  const acrossAfter = await connect(DNS_NAME, longLived);
  const hostsChange = {
    serialUnchangedWithinInterval: serialWithinInterval === serialBefore,
    serialChangedAfterInterval: serialAfterInterval !== serialBefore,
    cachedBefore,
    cachedWithinInterval,
    cachedAfterInterval,
    acrossBefore: acrossBefore.remote,
    acrossAfter: acrossAfter.remote,
  };
  process.stdout.write(
    `${JSON.stringify({ port, fromHosts, queriesAfterHosts, unknown, queriesAtEnd, hostsChange, sharedCache })}\n`,
  );
} finally {
  server.close();
  await dns.close();
}
