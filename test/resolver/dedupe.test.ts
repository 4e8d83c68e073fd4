// Issue 12 fast path: de-duplication of resolved addresses is linear (a Set of canonical texts)
// and keeps g_inet_address_equal's meaning: same family and bytes, and the same zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InetAddress, PinnedResolver } from '../../src/index.js';
import { FakeResolver } from '../helpers/resolvers.js';

describe('resolved addresses de-duplicated', () => {
  it('first occurrence kept, in order; spellings of one address are one address', async () => {
    const resolver = new PinnedResolver(
      { 'dup.test': ['127.0.0.1', '::1', '127.0.0.1', '0:0::1', '::ffff:127.0.0.1', '127.0.0.2'] },
      new FakeResolver(),
    );
    const found = await resolver.lookupByName('dup.test');
    assert.deepEqual(found.map(String), ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2']);
  });

  it('zones keep scoped addresses apart, as g_inet_address_equal does', async () => {
    const resolver = new PinnedResolver(
      { 'scoped.test': ['fe80::1%1', 'fe80::1%2', 'fe80::1%1', 'fe80::1'] },
      new FakeResolver(),
    );
    const found = await resolver.lookupByName('scoped.test');
    assert.deepEqual(
      found.map((a) => a.toNodeHost()),
      ['fe80::1%1', 'fe80::1%2', 'fe80::1'],
    );
  });

  it('InetAddress.equals compares family, bytes and zone', () => {
    const a = (text: string): InetAddress => InetAddress.newFromString(text)!;
    assert.equal(a('::1').equals(a('0:0:0:0:0:0:0:1')), true);
    assert.equal(a('::ffff:127.0.0.1').equals(a('127.0.0.1')), false);
    assert.equal(a('fe80::1%1').equals(a('fe80::1%2')), false);
    assert.equal(a('fe80::1%1').equals(a('fe80::1%1')), true);
    assert.equal(a('10.0.0.1').equals(a('10.0.0.1')), true);
  });

  it('thousands of distinct addresses: every one kept (bounded size, linear work)', async () => {
    const many = Array.from({ length: 4096 }, (_, i) => `10.${(i >> 8) & 0xff}.${i & 0xff}.1`);
    const resolver = new PinnedResolver({ 'many.test': [...many, ...many] }, new FakeResolver());
    const found = await resolver.lookupByName('many.test');
    assert.deepEqual(found.map(String), many);
  });
});
