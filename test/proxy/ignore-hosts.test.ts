import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesIgnoreHosts, parseIgnoreHosts } from '../../src/proxy/ignore-hosts.js';
import { SimpleProxyResolver } from '../../src/proxy/simple-proxy-resolver.js';
import { captureWarnings } from './warnings.js';

// §6.5 grammar and matching, beyond GLib's own matrix (which is in simple-proxy-resolver.test.ts).
// [entries, host as it appears in the URI without brackets, port (0 = none in the URI), ignored?]
type Row = readonly [entries: readonly string[], host: string, port: number, ignored: boolean, why: string];
const rows: readonly Row[] = [
  // SPEC §3: entries are trimmed on both sides (GIO keeps leading spaces, which never match).
  [[' 127.0.0.1'], '127.0.0.1', 80, true, 'leading space trimmed (IP)'],
  [['  example.com'], 'example.com', 80, true, 'leading spaces trimmed (name)'],
  [['example.com \t'], 'www.example.com', 80, true, 'trailing whitespace trimmed'],
  [[' *.example.com:8000 '], 'a.example.com', 8000, true, 'trimmed wildcard with port'],
  // IP masks: a plain IP is a full-length mask; addr/len needs all host bits zero.
  [['127.0.0.1'], '127.0.0.1', 0, true, 'plain IPv4, no port in the URI'],
  [['127.0.0.1'], '127.0.0.1', 443, true, 'IP rules carry no port'],
  [['127.0.0.1'], '127.0.0.2', 80, false, 'full-length mask'],
  [['10.0.0.0/8'], '10.1.2.3', 80, true, 'CIDR'],
  [['10.1.2.3/8'], '10.1.2.3', 80, false, 'host bits set: not a mask, a domain that never matches'],
  [['10.1.2.3/8'], '10.0.0.1', 80, false, 'host bits set: not a mask'],
  [['10.0.0.0/33'], '10.0.0.1', 80, false, 'prefix longer than the address'],
  [['10.0.0.0/x'], '10.0.0.1', 80, false, 'prefix not numeric'],
  [['0.0.0.0/0'], '192.0.2.1', 80, true, '/0 matches every IPv4'],
  [['0.0.0.0/0'], '::1', 80, false, 'an IPv4 rule never matches IPv6'],
  [['::/0'], '2001:db8::1', 80, true, '::/0 matches every IPv6'],
  [['::/0'], '127.0.0.1', 80, false, 'an IPv6 rule never matches IPv4'],
  [['fe80::/10'], 'febf::1', 80, true, 'prefix inside a byte'],
  [['fe80::/10'], 'fec0::1', 80, false, 'outside the /10'],
  [['2001:DB8::/32'], '2001:db8:1::1', 80, true, 'IPv6 mask text is case-insensitive'],
  // IPv4-mapped IPv6 is IPv6: it does not match IPv4 rules.
  [['127.0.0.0/8'], '::ffff:127.0.0.1', 80, false, 'IPv4-mapped vs IPv4 rule'],
  [['::ffff:127.0.0.1'], '::ffff:127.0.0.1', 80, true, 'IPv4-mapped vs the same IPv6 rule'],
  [['::ffff:127.0.0.1'], '127.0.0.1', 80, false, 'IPv6 rule vs IPv4 host'],
  // Scope ids (GLib 2.83+): accepted on both sides and ignored for matching.
  [['fe80::/10'], 'fe80::1%eth0', 80, true, 'scoped host in a mask'],
  [['fe80::1%eth0'], 'fe80::1', 80, true, 'scoped rule, unscoped host'],
  [['fe80::1%eth0'], 'fe80::1%lo', 80, true, 'scope does not matter'],
  // [v6]:port and name:port.
  [['[::1]:443'], '::1', 443, true, '[v6]:port, same port'],
  [['[::1]:443'], '::1', 80, false, '[v6]:port, other port'],
  [['[::1]:443'], '::1', 0, false, 'port rules need a port in the URI'],
  [['[::1]'], '::1', 80, false, 'bracket form without port is invalid'],
  [['[::1]:'], '::1', 80, true, 'empty port = any (GLib strtoul quirk)'],
  [['example.com:8080'], 'example.com', 8080, true, 'name:port'],
  [['example.com:8080'], 'www.example.com', 8080, true, 'name:port covers subdomains'],
  [['example.com:8080'], 'example.com', 80, false, 'name:port, other port'],
  [['example.com:8080'], 'example.com', 0, false, 'name:port, no port in the URI'],
  [['example.com:http'], 'example.com', 80, false, 'non-numeric port: entry dropped'],
  [['example.com:70000'], 'example.com', 70000 & 0xffff, false, 'port above 65535: entry dropped'],
  [['10.0.0.1:8000'], '10.0.0.1', 8000, true, 'v4:port is a domain rule matching the literal'],
  [['10.0.0.1:8000'], '10.0.0.1', 80, false, 'v4:port, other port'],
  // Names: `.x`, `*.x` and `x` are the same rule; no other wildcards; suffixes start at a dot.
  [['example.com'], 'example.com', 80, true, 'exact'],
  [['example.com'], 'a.b.example.com', 80, true, 'any subdomain'],
  [['example.com'], 'badexample.com', 80, false, 'suffix must start at a dot'],
  [['.example.com'], 'example.com', 80, true, 'leading dot'],
  [['*.example.com'], 'example.com', 80, true, 'leading *.'],
  [['*.example.com'], 'www.example.com', 80, true, 'leading *. subdomain'],
  [['..example.com'], 'example.com', 80, false, 'only one dot is stripped'],
  [['*'], 'a.example', 80, false, '* alone is not a wildcard'],
  [['*'], '*', 80, true, '* matches only the name "*"'],
  [['*example.com'], 'www.example.com', 80, false, '*foo has no meaning'],
  [['www.example*'], 'www.example.com', 80, false, 'foo* has no meaning'],
  [['EXAMPLE.com'], 'www.Example.COM', 80, true, 'case-insensitive'],
  [['example.com.'], 'example.com', 80, false, 'a trailing dot is part of the name'],
  // IDNA: the host is compared in its ASCII form.
  [['xn--bcher-kva.example'], 'bücher.example', 80, true, 'IDN host vs punycode rule'],
  [['xn--bcher-kva.example'], 'www.bücher.example', 80, true, 'IDN subdomain'],
  [['xn--bcher-kva.example'], 'xn--bcher-kva.example', 80, true, 'punycode host'],
  // No DNS: names never match IP rules and IPs never match name rules by resolution.
  [['127.0.0.1'], 'localhost', 80, false, 'IP rule vs name'],
  [['localhost'], '127.0.0.1', 80, false, 'name rule vs IP'],
  // Empty entries mean nothing and do not stop the entries after them (GIO: they do).
  [['a.example', '', 'b.example'], 'b.example', 80, true, 'entry after an empty one'],
  [[''], 'example.com.', 80, false, 'empty entry matches nothing'],
  [['', ' ', '*.', '.'], 'example.com', 80, false, 'blank and bare-prefix entries'],
];

describe('ignore hosts: grammar and matching (§6.5)', () => {
  for (const [entries, host, port, ignored, why] of rows) {
    it(`${JSON.stringify(entries)} ${ignored ? 'ignores' : 'does not ignore'} ${host}:${port} — ${why}`, () => {
      const rules = parseIgnoreHosts(entries);
      assert.equal(matchesIgnoreHosts(rules, host, port), ignored);
    });
  }

  it('warns about invalid entries and drops them', async () => {
    const entries = ['[::1]', '[::1]:abc', 'example.com:http', 'ok.example'];
    const { result, warnings } = await captureWarnings(() =>
      parseIgnoreHosts(entries, (m) => process.emitWarning(m, 'GioWarning')),
    );
    assert.equal(result.length, 1);
    assert.deepEqual(warnings, [
      "Ignoring invalid ignore_hosts value '[::1]'",
      "Ignoring invalid ignore_hosts value '[::1]:abc'",
      "Ignoring invalid ignore_hosts value 'example.com:http'",
    ]);
  });

  it('SimpleProxyResolver warns through process warnings', async () => {
    const { warnings } = await captureWarnings(() => new SimpleProxyResolver(null, ['[::1]']));
    assert.deepEqual(warnings, ["Ignoring invalid ignore_hosts value '[::1]'"]);
  });
});

describe('ignore hosts through lookup(): the host and port come from the URI', () => {
  const resolver = new SimpleProxyResolver('http://127.0.0.1:3128', [
    ' fe80::/10',
    ' [::1]:8443',
    ' internal.example',
    ' 192.0.2.0/24',
  ]);
  const table: readonly (readonly [string, string])[] = [
    ['http://[fe80::1%25eth0]:80/', 'direct://'],
    ['none://[::1]:8443', 'direct://'],
    ['none://[::1]:8444', 'http://127.0.0.1:3128'],
    ['https://svc.internal.example:443', 'direct://'],
    ['none://192.0.2.77:22', 'direct://'],
    ['none://[::ffff:192.0.2.77]:22', 'http://127.0.0.1:3128'],
    ['http://external.example/', 'http://127.0.0.1:3128'],
    ['mailto:someone@internal.example', 'http://127.0.0.1:3128'],
  ];
  for (const [uri, expected] of table) {
    it(`${uri} → ${expected}`, async () => {
      assert.deepEqual(await resolver.lookup(uri), [expected]);
    });
  }
});
