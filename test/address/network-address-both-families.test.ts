// Issue 12: a resolver whose one DEFAULT lookup answers both families (SystemResolver: getaddrinfo
// with AF_UNSPEC) is asked once per enumeration, and the answer is split by family in RFC 8305
// order; resolvers that answer per family keep two lookups. Mock resolvers only: nothing reaches DNS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cancellable } from '../../src/cancellable.js';
import type { InetAddress } from '../../src/address/inet-address.js';
import { NetworkAddress } from '../../src/address/network-address.js';
import type { SocketAddressEnumerator } from '../../src/address/connectable.js';
import { InetSocketAddress } from '../../src/address/socket-address.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { IOErrorEnum, ResolverErrorEnum, ResolverNameLookupFlags } from '../../src/errors/enums.js';
import { DnsResolver } from '../../src/resolver/dns-resolver.js';
import { PinnedResolver } from '../../src/resolver/pinned-resolver.js';
import { Resolver } from '../../src/resolver/resolver.js';
import type { SrvTarget } from '../../src/resolver/srv-target.js';
import { SystemResolver } from '../../src/resolver/system-resolver.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DelayedResolver, ip } from './mock-resolvers.js';

interface Pending {
  readonly flags: ResolverNameLookupFlags;
  readonly answer: (addresses: readonly string[]) => void;
  readonly fail: (error: Error) => void;
}

/** Answers both families in one call, by hand, as getaddrinfo(AF_UNSPEC) would. */
class OneCallResolver extends Resolver {
  readonly calls: Pending[] = [];
  override get answersBothFamiliesAtOnce(): boolean {
    return true;
  }
  protected lookupAddresses(
    _ascii: string,
    _display: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    return new Promise<InetAddress[]>((resolve, reject) => {
      const id = cancellable?.connect((c) => reject(c.error())) ?? 0;
      this.calls.push({
        flags,
        answer: (addresses) => {
          cancellable?.disconnect(id);
          resolve(addresses.map(ip));
        },
        fail: (error) => {
          cancellable?.disconnect(id);
          reject(error);
        },
      });
    });
  }
  lookupService(): Promise<SrvTarget[]> {
    return Promise.reject(new Error('lookupService must not be called'));
  }
}

const HOST = 'both.fake';

async function texts(e: SocketAddressEnumerator): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const a = await e.next();
    if (a === null) return out;
    assert.ok(a instanceof InetSocketAddress);
    out.push(a.address.toString());
  }
  throw new Error('enumeration did not end');
}

/** Waits (bounded) until the resolver has been asked `n` times. */
async function asked(r: OneCallResolver, n: number): Promise<Pending> {
  for (let i = 0; i < 100 && r.calls.length < n; i++) await sleep(1);
  assert.equal(r.calls.length, n);
  return r.calls[n - 1];
}

describe('enumerator with a resolver that answers both families at once', () => {
  it('asks once with DEFAULT flags and hands the answer out interleaved, IPv6 first', async () => {
    const r = new OneCallResolver();
    const all = texts(new NetworkAddress(HOST, 80).enumerate({ resolver: r }));
    (await asked(r, 1)).answer(['1.1.1.1', '2.2.2.2', 'ff::11', 'ff::22']);
    assert.deepEqual(await all, ['ff::11', '1.1.1.1', 'ff::22', '2.2.2.2']);
    assert.deepEqual(
      r.calls.map((c) => c.flags),
      [ResolverNameLookupFlags.DEFAULT],
    );
  });

  it('an IPv4-only answer is handed out at once, without the resolution delay', async () => {
    const baseline = activeResources();
    const r = new OneCallResolver();
    const first = new NetworkAddress(HOST, 80).enumerate({ resolver: r }).next();
    (await asked(r, 1)).answer(['1.1.1.1']);
    // Handed out within the same turn (microtasks only), before any timer could fire.
    const winner = await Promise.race([
      first.then((a) => (a instanceof InetSocketAddress ? a.address.toString() : String(a))),
      new Promise<string>((resolve) => setImmediate(() => resolve('still waiting'))),
    ]);
    assert.equal(winner, '1.1.1.1');
    assert.deepEqual(await settleLeaks(baseline, 0), {});
  });

  it('an IPv6-only answer gives the IPv6 addresses and then the end', async () => {
    const r = new OneCallResolver();
    const all = texts(new NetworkAddress(HOST, 80).enumerate({ resolver: r }));
    (await asked(r, 1)).answer(['ff::11', 'ff::22']);
    assert.deepEqual(await all, ['ff::11', 'ff::22']);
  });

  it('a failed lookup is the enumeration’s error, unchanged', async () => {
    const r = new OneCallResolver();
    const error = new ResolverError(
      ResolverErrorEnum.NOT_FOUND,
      'Error resolving “both.fake”: Name or service not known',
    );
    const first = new NetworkAddress(HOST, 80).enumerate({ resolver: r }).next();
    (await asked(r, 1)).fail(error);
    await assert.rejects(first, (e) => e === error);
  });

  it('the answer is cached on the NetworkAddress: the next enumeration asks nothing', async () => {
    const r = new OneCallResolver();
    const na = new NetworkAddress(HOST, 80);
    const all = texts(na.enumerate({ resolver: r }));
    (await asked(r, 1)).answer(['1.1.1.1', 'ff::11']);
    assert.deepEqual(await all, ['ff::11', '1.1.1.1']);
    assert.deepEqual(await texts(na.enumerate({ resolver: r })), ['ff::11', '1.1.1.1']);
    assert.equal(r.calls.length, 1);
  });

  it('a cancelled lookup rejects with CANCELLED and caches nothing', async () => {
    const baseline = activeResources();
    const r = new OneCallResolver();
    const na = new NetworkAddress(HOST, 80);
    const c = new Cancellable();
    const first = na.enumerate({ resolver: r }).next(c);
    await asked(r, 1);
    c.cancel();
    await assert.rejects(first, (e) => e instanceof IOError && e.code === IOErrorEnum.CANCELLED);
    const again = texts(na.enumerate({ resolver: r }));
    (await asked(r, 2)).answer(['1.1.1.1']);
    assert.deepEqual(await again, ['1.1.1.1']);
    assert.deepEqual(await settleLeaks(baseline, 0), {});
  });
});

describe('which resolvers answer both families at once', () => {
  it('SystemResolver does; DnsResolver and per-family resolvers do not; PinnedResolver follows its fallback', () => {
    const system = new SystemResolver();
    const dns = new DnsResolver({ servers: ['127.0.0.1:9'] });
    const perFamily = new DelayedResolver({}, {});
    assert.equal(system.answersBothFamiliesAtOnce, true);
    assert.equal(dns.answersBothFamiliesAtOnce, false);
    assert.equal(perFamily.answersBothFamiliesAtOnce, false);
    assert.equal(new PinnedResolver({ a: '1.1.1.1' }, system).answersBothFamiliesAtOnce, true);
    assert.equal(new PinnedResolver({ a: '1.1.1.1' }, dns).answersBothFamiliesAtOnce, false);
  });

  it('a per-family resolver is still asked IPV6_ONLY and IPV4_ONLY, never DEFAULT', async () => {
    const r = new DelayedResolver({ addresses: ['1.1.1.1'] }, { addresses: ['ff::11'] });
    assert.deepEqual(await texts(new NetworkAddress(HOST, 80).enumerate({ resolver: r })), [
      'ff::11',
      '1.1.1.1',
    ]);
    assert.deepEqual(
      [...r.calls].sort(),
      [ResolverNameLookupFlags.IPV4_ONLY, ResolverNameLookupFlags.IPV6_ONLY].sort(),
    );
  });
});
