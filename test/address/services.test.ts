import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fallbackServices, getServiceByName, parseServices } from '../../src/address/services.js';

const SAMPLE = `# Network services, Internet style
tcpmux		1/tcp				# TCP port service multiplexer
http		80/tcp		www		# WorldWideWeb HTTP
https		443/tcp				# http protocol over TLS/SSL
https		443/udp				# HTTP/3
imaps		993/tcp
first		1000/tcp	dup
second		2000/tcp	dup
broken		notaport/tcp
toobig		70000/tcp
   indented	7/tcp	echo-alias
kerberos	88/udp		kerberos5 krb5	# Kerberos v5
`;

describe('parseServices (/etc/services format)', () => {
  const table = parseServices(SAMPLE);
  const cases: readonly (readonly [name: string, proto: string, port: number | null])[] = [
    ['http', 'tcp', 80],
    ['www', 'tcp', 80], // aliases count
    ['https', 'tcp', 443],
    ['https', 'udp', 443],
    ['imaps', 'tcp', 993],
    ['tcpmux', 'tcp', 1],
    ['dup', 'tcp', 1000], // the first entry naming it wins, as in glibc
    ['indented', 'tcp', 7],
    ['echo-alias', 'tcp', 7],
    ['krb5', 'udp', 88],
    ['krb5', 'tcp', null], // udp only
    ['HTTP', 'tcp', null], // case-sensitive
    ['broken', 'tcp', null],
    ['toobig', 'tcp', null],
    ['notaport', 'tcp', null],
    ['#', 'tcp', null],
    ['', 'tcp', null],
  ];
  for (const [name, proto, port] of cases) {
    it(`${JSON.stringify(name)}/${proto} → ${String(port)}`, () => {
      assert.equal(getServiceByName(name, proto, table), port);
    });
  }
});

describe('getServiceByName', () => {
  it('finds http and imaps (from /etc/services, or the built-in table when it is missing)', () => {
    assert.equal(getServiceByName('http'), 80);
    assert.equal(getServiceByName('imaps'), 993);
    assert.equal(getServiceByName('https', 'tcp'), 443);
  });
  it('returns null for unknown names', () => {
    assert.equal(getServiceByName('doesnotexist'), null);
    assert.equal(getServiceByName('-1'), null);
  });
  it('has a fallback table with the common services', () => {
    const table = fallbackServices();
    for (const [name, port] of [
      ['http', 80],
      ['https', 443],
      ['imaps', 993],
      ['ftp', 21],
      ['ssh', 22],
      ['smtp', 25],
      ['domain', 53],
      ['xmpp-client', 5222],
      ['socks', 1080],
    ] as const) {
      assert.equal(getServiceByName(name, 'tcp', table), port, name);
    }
  });
});
