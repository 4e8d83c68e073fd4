import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostnameToAscii, isLocalhostName } from '../../src/resolver/host-checks.js';

describe('hostnameToAscii (g_hostname_to_ascii)', () => {
  const rows: [string, string | null][] = [
    ['example.org', 'example.org'],
    ['Example.ORG', 'Example.ORG'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['héllo.com', 'xn--hllo-bpa.com'],
    // Characters no host name holds: refused, not truncated at the URL delimiter.
    ['ü/x', null],
    ['ü?x', null],
    ['ü#x', null],
    ['a b.ü', null],
    ['ü@x', null],
  ];
  for (const [input, expected] of rows) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(hostnameToAscii(input), expected);
    });
  }
});

describe('isLocalhostName (§4.5)', () => {
  for (const name of [
    'localhost',
    'LOCALHOST',
    'localhost.',
    'foo.localhost',
    '.localhost',
    'a.b.localhost.',
  ]) {
    it(`${name} is loopback`, () => assert.equal(isLocalhostName(name), true));
  }
  for (const name of ['localhost.com', 'notlocalhost', 'localhostx', '']) {
    it(`${JSON.stringify(name)} is not`, () => assert.equal(isLocalhostName(name), false));
  }
});
