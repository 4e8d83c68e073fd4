import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostAndPort } from '../../src/address/host-and-port.js';
import { IOError } from '../../src/errors/gerror.js';
import { IOErrorEnum } from '../../src/errors/enums.js';

// gio-behaviour §4.1 / gio/tests/network-address.c parse-host (default port 1234).
const OK: readonly (readonly [input: string, host: string, port: number])[] = [
  ['www.gnome.org', 'www.gnome.org', 1234],
  ['www.gnome.org:8080', 'www.gnome.org', 8080],
  ['www.gnome.org:http', 'www.gnome.org', 80],
  ['1.2.3.4:imaps', '1.2.3.4', 993],
  ['[2001:db8::1]', '2001:db8::1', 1234],
  ['[2001:db8::1]:888', '2001:db8::1', 888],
  ['[2001:db8::1%em1]', '2001:db8::1%em1', 1234],
  ['[2001:db8::1%25em1]', '2001:db8::1%25em1', 1234], // taken verbatim, not %-decoded
  ['::1', '::1', 1234],
  ['::1:80', '::1:80', 1234], // two colons: an unbracketed IPv6 literal, no port
  ['fe80::1%eth0', 'fe80::1%eth0', 1234],
  ['a:b:c', 'a:b:c', 1234],
  ['hostname:0', 'hostname', 0],
  ['hostname:65535', 'hostname', 65535],
  ['hostname:00080', 'hostname', 80],
  ['[hostname]', 'hostname', 1234], // the bracketed host is not checked to be an IP
  ['[]', '', 1234],
  ['[]:80', '', 80],
  ['', '', 1234],
  [':80', '', 80],
  ['héllo.com', 'héllo.com', 1234],
  ['Host.Example:81', 'Host.Example', 81],
];

describe('parseHostAndPort: accepted', () => {
  for (const [input, host, port] of OK) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(host)}, ${port}`, () => {
      assert.deepEqual(parseHostAndPort(input, 1234), { host, port });
    });
  }
});

const missingBracket = (i: string): string => `Hostname “${i}” contains “[” but not “]”`;
const bracketEnd = (i: string): string =>
  `The ']' character (in hostname '${i}') must come at the end or be immediately followed by ':' and a port`;
const noPort = (i: string): string =>
  `If a ':' character is given, it must be followed by a port (in hostname '${i}').`;
const badNumeric = (p: string, i: string): string =>
  `Invalid numeric port '${p}' specified in hostname '${i}'`;
const unknownService = (p: string, i: string): string =>
  `Unknown service '${p}' specified in hostname '${i}'`;

const BAD: readonly (readonly [input: string, message: string])[] = [
  ['[hostname', missingBracket('[hostname')],
  ['[2001:db8::1', missingBracket('[2001:db8::1')],
  ['[hostnam]e', bracketEnd('[hostnam]e')],
  ['[::1]80', bracketEnd('[::1]80')],
  ['hostname:', noPort('hostname:')],
  ['[host]:', noPort('[host]:')],
  [':', noPort(':')],
  ['hostname:-1', unknownService('-1', 'hostname:-1')],
  ['hostname:+80', unknownService('+80', 'hostname:+80')],
  ['host: 80', unknownService(' 80', 'host: 80')],
  ['1.2.3.4:doesnotexist', unknownService('doesnotexist', '1.2.3.4:doesnotexist')],
  ['[::1]:nosuchservice', unknownService('nosuchservice', '[::1]:nosuchservice')],
  ['hostname:9999999', badNumeric('9999999', 'hostname:9999999')],
  ['hostname:65536', badNumeric('65536', 'hostname:65536')],
  ['hostname:80x', badNumeric('80x', 'hostname:80x')],
  ['hostname:8 0', badNumeric('8 0', 'hostname:8 0')],
  ['[::1]:99999999999999999999999', badNumeric('99999999999999999999999', '[::1]:99999999999999999999999')],
];

describe('parseHostAndPort: rejected with IOError INVALID_ARGUMENT and GIO’s message', () => {
  for (const [input, message] of BAD) {
    it(JSON.stringify(input), () => {
      assert.throws(
        () => parseHostAndPort(input, 1234),
        (err: unknown) => {
          assert.ok(err instanceof IOError);
          assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
          assert.equal(err.domain, 'g-io-error-quark');
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }
});
