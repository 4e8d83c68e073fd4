import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sortSrvTargets } from '../../src/resolver/srv-order.js';
import { SrvTarget } from '../../src/resolver/srv-target.js';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1), so distribution tests are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const names = (list: readonly SrvTarget[]): string => list.map((t) => t.hostname).join('');
const t = (hostname: string, priority: number, weight: number): SrvTarget =>
  new SrvTarget(hostname, 1, priority, weight);

describe('sortSrvTargets (g_srv_target_list_sort, RFC 2782)', () => {
  it('a lone "." target means "not available": an empty list', () => {
    assert.deepEqual(sortSrvTargets([t('.', 0, 0)]), []);
  });

  it('"." among other targets is kept in place (only a single "." is special)', () => {
    assert.equal(names(sortSrvTargets([t('a', 1, 0), t('.', 0, 0)], () => 0)), '.a');
  });

  it('an empty list stays empty, and the input is not modified', () => {
    assert.deepEqual(sortSrvTargets([]), []);
    const input = [t('b', 2, 0), t('a', 1, 0)];
    sortSrvTargets(input, () => 0);
    assert.equal(names(input), 'ba');
  });

  it('sorts by priority ascending, each group before the next whatever the random source', () => {
    const input = [t('c', 30, 5), t('a', 10, 5), t('b', 20, 5), t('d', 10, 50)];
    for (const r of [0, 0.5, 0.999999]) {
      const out = names(sortSrvTargets(input, () => r));
      assert.match(out, /^(ad|da)bc$/);
    }
  });

  // Table of exact picks with a fixed random value; group [a(w0), d(w5), b(w10), c(w15)], sum 30.
  const cases: readonly { random: number; expected: string; why: string }[] = [
    { random: 0, expected: 'adbc', why: 'val 0 always takes the first entry: the sorted (weight) order' },
    { random: 0.999999, expected: 'cbda', why: 'val = sum always takes the last entry' },
    // val = floor(0.1 * 31) = 3 → d (0 < 3, 3 <= 5); then sum 25, val = floor(0.1*26) = 2 → d gone,
    // a(0) < 2, b(10) >= 2 → b; sum 15, val 1 → c; then a.
    { random: 0.1, expected: 'dbca', why: 'walk subtracts weights until one reaches val' },
  ];
  for (const c of cases) {
    it(`random ${c.random} → ${c.expected} (${c.why})`, () => {
      const input = [t('b', 1, 10), t('c', 1, 15), t('a', 1, 0), t('d', 1, 5)];
      assert.equal(names(sortSrvTargets(input, () => c.random)), c.expected);
    });
  }

  it('all weights 0: the original order is kept (stable sort)', () => {
    const input = [t('x', 1, 0), t('y', 1, 0), t('z', 1, 0)];
    for (const r of [0, 0.5, 0.99]) assert.equal(names(sortSrvTargets(input, () => r)), 'xyz');
  });

  it('a random source returning 1 does not run past the group', () => {
    assert.equal(names(sortSrvTargets([t('a', 1, 1), t('b', 1, 1)], () => 1)), 'ba');
  });

  it('val is drawn from [0, sum] inclusive: a weight-0 entry has a 1/(sum+1) chance to go first', () => {
    // Two entries e(0), f(50): e first exactly when val = 0, i.e. random < 1/51.
    const input = [t('e', 1, 0), t('f', 1, 50)];
    assert.equal(names(sortSrvTargets(input, () => 0.5 / 51)), 'ef');
    assert.equal(names(sortSrvTargets(input, () => 1.5 / 51)), 'fe');
    // x(1), y(1): val ∈ {0, 1, 2}; only val = 2 picks y first (with [0, sum) y could never lead).
    const pair = [t('x', 1, 1), t('y', 1, 1)];
    assert.equal(names(sortSrvTargets(pair, () => 0.6)), 'xy');
    assert.equal(names(sortSrvTargets(pair, () => 0.7)), 'yx');
  });

  it('GLib srvtarget test: the RFC 2782 distribution over 50 000 seeded runs', () => {
    // gio/tests/srvtarget.c: a(2,0) b(2,10) c(2,15) d(2,5) e(1,0) f(1,50).
    const input = [t('a', 2, 0), t('b', 2, 10), t('c', 2, 15), t('d', 2, 5), t('e', 1, 0), t('f', 1, 50)];
    const random = mulberry32(0x5eed);
    const runs = 50_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const order = names(sortSrvTargets(input, random));
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    for (const order of counts.keys()) assert.match(order, /^(fe|ef)[abcd]{4}$/, order);
    const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1]);
    assert.equal(ranked[0][0], 'fecbda');
    // Exact: 50/51 · 15/31 · 10/16 · 5/6 = 0.24704; the sampling sd at 50 000 runs is ~0.0019.
    const p = (order: string): number => (counts.get(order) ?? 0) / runs;
    assert.ok(Math.abs(p('fecbda') - 0.24704) < 0.01, `fecbda ${p('fecbda')}`);
    // e first only when val = 0 out of [0, 50]: 1/51 ≈ 0.0196.
    const eFirst =
      [...counts.entries()].filter(([o]) => o.startsWith('ef')).reduce((s, [, n]) => s + n, 0) / runs;
    assert.ok(Math.abs(eFirst - 1 / 51) < 0.004, `ef… ${eFirst}`);
    // a (weight 0) goes last unless some draw hits val = 0 while it remains. Summing over which of
    // d, b, c is drawn first: 5/31·(15/26·10/11 + 10/26·15/16) + 10/31·(5/21·15/16 + 15/21·5/6)
    // + 15/31·(5/16·10/11 + 10/16·5/6) = 0.79625.
    const aLast =
      [...counts.entries()].filter(([o]) => o.endsWith('a')).reduce((s, [, n]) => s + n, 0) / runs;
    assert.ok(Math.abs(aLast - 0.79625) < 0.01, `…a ${aLast}`);
  });
});

describe('SrvTarget', () => {
  it('keeps its fields and GIO getters; toString shows them', () => {
    const s = new SrvTarget('host.test', 5222, 10, 20);
    assert.deepEqual(
      [s.getHostname(), s.getPort(), s.getPriority(), s.getWeight()],
      ['host.test', 5222, 10, 20],
    );
    assert.equal(String(s), 'host.test:5222 (priority 10, weight 20)');
    assert.notEqual(s.copy(), s);
    assert.deepEqual(s.copy(), s);
  });

  it('SrvTarget.listSort is sortSrvTargets', () => {
    assert.equal(names(SrvTarget.listSort([t('b', 2, 0), t('a', 1, 0)])), 'ab');
    assert.deepEqual(SrvTarget.listSort([t('.', 0, 0)]), []);
  });

  const invalid: readonly (readonly [string, readonly [string, number, number, number]])[] = [
    ['port', ['h', -1, 0, 0]],
    ['port', ['h', 65536, 0, 0]],
    ['priority', ['h', 1, 1.5, 0]],
    ['weight', ['h', 1, 0, Number.NaN]],
  ];
  for (const [field, args] of invalid) {
    it(`rejects an invalid ${field} (${args.join(', ')})`, () => {
      assert.throws(
        () => new SrvTarget(...args),
        (err: Error) => err.name === 'IOError' && err.message.includes(field),
      );
    });
  }
});
