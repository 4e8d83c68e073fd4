// The Happy Eyeballs address enumerator (gio-behaviour §4.4, §14.3 happy-eyeballs/*) and the
// SPEC §3 fixes to GIO 2.74. Lookups come from mock resolvers: nothing reaches DNS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cancellable } from '../../src/cancellable.js';
import { NetworkAddress, RESOLUTION_DELAY_MS } from '../../src/address/network-address.js';
import type { SocketAddressEnumerator } from '../../src/address/connectable.js';
import { InetSocketAddress } from '../../src/address/socket-address.js';
import { IOError, ResolverError, type GError } from '../../src/errors/gerror.js';
import { IOErrorEnum, ResolverErrorEnum } from '../../src/errors/enums.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DelayedResolver, ManualResolver, type FamilyPlan } from './mock-resolvers.js';

const V4 = ['1.1.1.1', '2.2.2.2'];
const V6 = ['ff::11', 'ff::22'];
const ALL = [...V4, ...V6].sort();
const FAST = 25; // < RESOLUTION_DELAY_MS
const SLOW = 100; // > RESOLUTION_DELAY_MS
const HOST = 'test.fake';
const timedOut = (what: string): IOError => new IOError(IOErrorEnum.TIMED_OUT, `${what} timed out`);

async function nextText(e: SocketAddressEnumerator, cancellable?: Cancellable): Promise<string | null> {
  const a = await e.next(cancellable);
  if (a === null) return null;
  assert.ok(a instanceof InetSocketAddress);
  return a.address.toString();
}

/** Pulls every address, sleeping `pauseMs` between pulls (GLib's tests pull every FAST ms). */
async function collect(e: SocketAddressEnumerator, pauseMs = FAST): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const a = await nextText(e);
    if (a === null) return out;
    out.push(a);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  throw new Error('enumeration did not end');
}

function enumerator(
  resolver: DelayedResolver | ManualResolver,
  na = new NetworkAddress(HOST, 80),
): SocketAddressEnumerator {
  return na.enumerate({ resolver });
}

const plan = (delayMs: number, addresses: readonly string[] | null, error?: GError): FamilyPlan =>
  error ? { delayMs, error } : { delayMs, addresses: addresses ?? [] };

describe('Happy Eyeballs: GLib’s /network-address/happy-eyeballs/* cases', () => {
  it('basic: all four, interleaved v6, v4, v6, v4', async () => {
    const r = new DelayedResolver(plan(0, V4), plan(0, V6));
    const got = await collect(enumerator(r));
    assert.deepEqual(got, ['ff::11', '1.1.1.1', 'ff::22', '2.2.2.2']);
  });

  it('parallel: two enumerators at once, then a third from the cache', async () => {
    const r = new DelayedResolver(plan(FAST, V4), plan(0, V6));
    const na = new NetworkAddress(HOST, 80);
    const [a, b] = await Promise.all([collect(enumerator(r, na)), collect(enumerator(r, na))]);
    assert.deepEqual([...a].sort(), ALL);
    assert.deepEqual([...b].sort(), ALL);
    const lookups = r.calls.length;
    assert.equal(lookups, 4); // one A and one AAAA per enumerator
    const c = await collect(enumerator(r, na), 0);
    assert.deepEqual([...c].sort(), ALL);
    assert.equal(r.calls.length, lookups, 'the third enumeration is served from the cache');
  });

  const allCases: readonly (readonly [string, FamilyPlan, FamilyPlan, number])[] = [
    ['slow-ipv4', plan(FAST, V4), plan(0, V6), FAST],
    ['slow-ipv6', plan(0, V4), plan(FAST, V6), FAST],
    ['very-slow-ipv6', plan(0, V4), plan(SLOW, V6), FAST],
    ['slow-connection-and-ipv4', plan(SLOW, V4), plan(0, V6), 200],
  ];
  for (const [name, v4, v6, pause] of allCases) {
    it(`${name}: all four`, async () => {
      const got = await collect(enumerator(new DelayedResolver(v4, v6)), pause);
      assert.deepEqual([...got].sort(), ALL);
    });
  }

  const oneFamily: readonly (readonly [string, FamilyPlan, FamilyPlan, readonly string[]])[] = [
    ['ipv6-error-ipv4-first', plan(0, V4), plan(FAST, null, timedOut('v6')), V4],
    ['ipv6-error-ipv6-first', plan(FAST, V4), plan(0, null, timedOut('v6')), V4],
    ['ipv6-error-ipv4-very-slow', plan(SLOW, V4), plan(0, null, timedOut('v6')), V4],
    ['ipv4-error-ipv4-first', plan(0, null, timedOut('v4')), plan(FAST, V6), V6],
    ['ipv4-error-ipv6-first', plan(FAST, null, timedOut('v4')), plan(0, V6), V6],
  ];
  for (const [name, v4, v6, want] of oneFamily) {
    it(`${name}: only ${want === V4 ? 'IPv4' : 'IPv6'}`, async () => {
      const got = await collect(enumerator(new DelayedResolver(v4, v6)));
      assert.deepEqual(got, want);
    });
  }

  const bothError: readonly (readonly [string, number, number, string])[] = [
    ['both-error', 0, 0, 'v4 timed out'], // same tick: IPv4 (asked second) fails last
    ['both-error-delays-1', FAST, 0, 'v4 timed out'],
    ['both-error-delays-2', 0, FAST, 'v6 timed out'],
    ['both-error-delays-3', 0, SLOW, 'v6 timed out'],
  ];
  for (const [name, v4Delay, v6Delay, message] of bothError) {
    it(`${name}: the error of the family that failed last, no addresses`, async () => {
      const r = new DelayedResolver(plan(v4Delay, null, timedOut('v4')), plan(v6Delay, null, timedOut('v6')));
      const e = enumerator(r);
      await assert.rejects(e.next(), (err: unknown) => {
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.TIMED_OUT);
        assert.equal(err.message, message);
        return true;
      });
    });
  }
});

describe('Happy Eyeballs: SPEC §3 fixes and RFC 8305 ordering', () => {
  it('a negative IPv4 answer does not end the lookup while AAAA is pending (GIO 2.74 failed after 50 ms)', async () => {
    const notFound = new ResolverError(
      ResolverErrorEnum.NOT_FOUND,
      `Error resolving “${HOST}”: Name or service not known`,
    );
    const r = new DelayedResolver(plan(0, null, notFound), plan(SLOW, ['ff::11']));
    const e = enumerator(r);
    assert.equal(await nextText(e), 'ff::11');
    assert.equal(await nextText(e), null);
  });

  it('the same, driven by hand: A fails, AAAA answers well after the resolution delay', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v4')).reject(new ResolverError(ResolverErrorEnum.NOT_FOUND, 'no A'));
    await sleep(RESOLUTION_DELAY_MS * 3);
    (await r.lookup('v6')).resolve(['ff::11']);
    assert.equal(await first, 'ff::11');
    assert.equal(await nextText(e), null);
  });

  it('IPv6 arriving inside the resolution delay after IPv4 is handed out first', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const r = new ManualResolver();
    const e = enumerator(r);
    let settled = false;
    const first = nextText(e).finally(() => (settled = true));
    (await r.lookup('v4')).resolve(V4);
    await flush();
    assert.equal(settled, false, 'the first IPv4 address waits for the resolution delay');
    t.mock.timers.tick(RESOLUTION_DELAY_MS - 1);
    await flush();
    assert.equal(settled, false);
    (await r.lookup('v6')).resolve(V6);
    assert.equal(await first, 'ff::11');
    assert.deepEqual(await rest(e), ['1.1.1.1', 'ff::22', '2.2.2.2']);
  });

  it('IPv4 is handed out when the resolution delay expires; late IPv6 joins interleaved', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v4')).resolve(V4);
    await flush();
    t.mock.timers.tick(RESOLUTION_DELAY_MS);
    assert.equal(await first, '1.1.1.1');
    (await r.lookup('v6')).resolve(V6);
    await flush(); // let the answer be merged before the next request
    // what is left is re-interleaved starting opposite the family last handed out
    assert.deepEqual(await rest(e), ['ff::11', '2.2.2.2', 'ff::22']);
  });

  it('IPv6 first: handed out at once, IPv4 merged later; addresses already handed out stay', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v6')).resolve(V6);
    assert.equal(await first, 'ff::11');
    (await r.lookup('v4')).resolve(V4);
    await flush();
    assert.deepEqual(await rest(e), ['1.1.1.1', 'ff::22', '2.2.2.2']);
  });

  it('while IPv4 is pending, further IPv6 addresses are handed out without waiting', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v6')).resolve(V6);
    assert.equal(await first, 'ff::11');
    assert.equal(await nextText(e), 'ff::22');
    const third = nextText(e);
    (await r.lookup('v4')).resolve(V4);
    assert.deepEqual([await third, ...(await rest(e))], ['1.1.1.1', '2.2.2.2']);
  });

  it('a request made after the list ran out waits for the pending family instead of ending', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v6')).resolve(['ff::11']);
    assert.equal(await first, 'ff::11');
    let settled = false;
    const second = nextText(e).finally(() => (settled = true));
    await flush();
    assert.equal(settled, false);
    (await r.lookup('v4')).resolve(['1.1.1.1']);
    assert.equal(await second, '1.1.1.1');
    assert.equal(await nextText(e), null);
    assert.equal(await nextText(e), null, 'the end is sticky');
  });

  it('the IPv6 error is ignored once IPv4 has answered', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const first = nextText(e);
    (await r.lookup('v4')).resolve(['1.1.1.1']);
    (await r.lookup('v6')).reject(timedOut('v6'));
    assert.equal(await first, '1.1.1.1');
    assert.equal(await nextText(e), null);
  });

  it('overlapping next() calls are serialised: distinct addresses, then the end', async () => {
    const r = new DelayedResolver(plan(FAST, V4), plan(FAST, V6));
    const e = enumerator(r);
    const calls = [0, 1, 2, 3, 4, 5].map(() => nextText(e));
    const got = await Promise.all(calls);
    assert.deepEqual(got.slice(0, 4).sort(), ALL);
    assert.deepEqual(got.slice(4), [null, null]);
    assert.equal(r.calls.length, 2, 'one lookup per family, not per request');
  });

  it('overlapping next() calls with both answers in: interleaved order', async () => {
    const r = new ManualResolver();
    const e = enumerator(r);
    const calls = [0, 1, 2, 3, 4].map(() => nextText(e));
    (await r.lookup('v4')).resolve(V4);
    (await r.lookup('v6')).resolve(V6);
    assert.deepEqual(await Promise.all(calls), ['ff::11', '1.1.1.1', 'ff::22', '2.2.2.2', null]);
  });

  it('asks for each family once, with IPV6_ONLY and IPV4_ONLY', async () => {
    const r = new DelayedResolver(plan(0, V4), plan(0, V6));
    await collect(enumerator(r), 0);
    assert.deepEqual([...r.calls].sort(), [1, 2]);
  });

  it('the async iterator yields the same interleaved order', async () => {
    const r = new DelayedResolver(plan(0, V4), plan(0, V6));
    const out: string[] = [];
    for await (const a of enumerator(r)) {
      assert.ok(a instanceof InetSocketAddress);
      out.push(a.address.toString());
      assert.ok(out.length <= 4);
      await sleep(5);
    }
    assert.deepEqual(out, ['ff::11', '1.1.1.1', 'ff::22', '2.2.2.2']);
  });
});

describe('Happy Eyeballs: cancellation', () => {
  const isCancelled = (err: unknown): boolean => {
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.CANCELLED);
    return true;
  };

  it('cancelling a next() waiting for both lookups rejects with CANCELLED and leaves no timer', async () => {
    const baseline = activeResources();
    const r = new DelayedResolver(plan(SLOW * 3, V4), plan(SLOW * 3, V6));
    const e = enumerator(r);
    const c = new Cancellable();
    const pending = e.next(c);
    await sleep(10);
    c.cancel();
    await assert.rejects(pending, isCancelled);
    assert.deepEqual(await settleLeaks(baseline), {});
    assert.equal(c.handlerCount, 0, 'no handler left on the caller’s cancellable');
  });

  it('cancelling during the resolution delay clears its timer', async () => {
    const baseline = activeResources();
    const r = new DelayedResolver(plan(0, V4), plan(SLOW * 10, V6));
    const e = enumerator(r);
    const c = new Cancellable();
    const pending = e.next(c);
    await sleep(10); // IPv4 has answered; the 50 ms timer runs; IPv6 is pending
    c.cancel();
    await assert.rejects(pending, isCancelled);
    // checked at once: the 50 ms timer must be gone now, not merely expired later
    assert.deepEqual(await settleLeaks(baseline, 0), {});
  });

  it('cancelling during the resolution delay clears its timer even if the resolver ignores cancellation', async () => {
    const baseline = activeResources();
    const r = new ManualResolver({ ignoreCancellation: true });
    const e = enumerator(r);
    const c = new Cancellable();
    const pending = e.next(c);
    (await r.lookup('v4')).resolve(V4);
    await flush(); // the 50 ms timer now runs
    assert.equal((activeResources().Timeout ?? 0) - (baseline.Timeout ?? 0), 1, 'the resolution delay timer');
    c.cancel();
    await assert.rejects(pending, isCancelled);
    assert.deepEqual(await settleLeaks(baseline, 0), {});
  });

  it('a cancelled enumeration does not cache what it had: the next one asks again and gets both', async () => {
    const r = new DelayedResolver(plan(0, V4), plan(FAST * 4, V6));
    const na = new NetworkAddress(HOST, 80);
    const c = new Cancellable();
    const pending = enumerator(r, na).next(c);
    await sleep(10);
    c.cancel();
    await assert.rejects(pending, isCancelled);
    await sleep(10);
    const got = await collect(enumerator(r, na), 0);
    assert.deepEqual([...got].sort(), ALL);
    assert.equal(r.calls.length, 4);
  });

  it('an already-cancelled cancellable rejects at once without starting lookups', async () => {
    const r = new DelayedResolver(plan(0, V4), plan(0, V6));
    const e = enumerator(r);
    const c = new Cancellable();
    c.cancel();
    await assert.rejects(e.next(c), isCancelled);
    assert.deepEqual(r.calls, []);
  });

  it('close() stops lookups and timers', async () => {
    const baseline = activeResources();
    const r = new DelayedResolver(plan(0, V4), plan(SLOW * 10, V6));
    const e = enumerator(r);
    const pending = e.next();
    await sleep(10);
    e.close?.();
    // the request is not left hanging: IPv4's address is handed out or the lookup's end reported
    assert.equal(
      await Promise.race([
        pending.then(
          () => 'settled',
          () => 'settled',
        ),
        sleep(1000).then(() => 'hung'),
      ]),
      'settled',
    );
    assert.deepEqual(await settleLeaks(baseline), {});
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

async function rest(e: SocketAddressEnumerator): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const a = await nextText(e);
    if (a === null) return out;
    out.push(a);
  }
  throw new Error('enumeration did not end');
}
