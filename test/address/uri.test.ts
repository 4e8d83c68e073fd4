import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostnameIsIpAddress,
  isValidUri,
  joinNetworkUri,
  redactUri,
  splitNetworkUri,
  splitUriWithUser,
} from '../../src/address/uri.js';
import { IOError } from '../../src/errors/gerror.js';
import { IOErrorEnum } from '../../src/errors/enums.js';

function assertInvalid(fn: () => unknown, shown: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
    // Userinfo is masked in the message (issue 10 item 5): a password never reaches it.
    assert.equal(err.message, `Invalid URI ‘${redactUri(shown)}’`);
    return true;
  });
}

// gio/tests/network-address.c parse-uri (gio-behaviour §4.2), then GUri's other rules.
const OK: readonly (readonly [uri: string, scheme: string, host: string, port: number])[] = [
  ['http://www.gnome.org:2020/start', 'http', 'www.gnome.org', 2020],
  ['ftp://joe~:(*)%46@ftp.gnome.org:2020/start', 'ftp', 'ftp.gnome.org', 2020],
  ['ftp://[fec0::abcd]/start', 'ftp', 'fec0::abcd', -1],
  ['ftp://[fec0::abcd]:999/start', 'ftp', 'fec0::abcd', 999],
  ['http://[fec0::abcd%25em1]/start', 'http', 'fec0::abcd%em1', -1],
  ['http://[fec0::abcd%25em%31]/start', 'http', 'fec0::abcd%em1', -1],
  ['ftp://ftp.gnome.org/start?foo=bar@baz', 'ftp', 'ftp.gnome.org', -1],
  // an empty host is accepted
  ['http://', 'http', '', -1],
  ['http://:80/', 'http', '', 80],
  ['file:///etc/passwd', 'file', '', -1],
  // strict: the userinfo ends at the first '@'
  ['http://user@host@other/', 'http', 'host@other', -1],
  ['http://user:pw@host:1/', 'http', 'host', 1],
  ['http://@host/', 'http', 'host', -1],
  // a host starting with a digit that is not an IP is a name
  ['http://1.2.3/', 'http', '1.2.3', -1],
  ['http://1.2.3.4:5/', 'http', '1.2.3.4', 5],
  ['http://01.2.3.4/', 'http', '01.2.3.4', -1],
  ['http://h%41st/', 'http', 'hAst', -1],
  ['http://bücher.de/', 'http', 'xn--bcher-kva.de', -1],
  ['http://b%C3%BCcher.de/', 'http', 'xn--bcher-kva.de', -1],
  ['http://host name/', 'http', 'host name', -1],
  ['HTTP://Host.Example:81', 'http', 'Host.Example', 81],
  ['HTTPS://user:pw@Example.Test:8443/p?q#f', 'https', 'Example.Test', 8443],
  ['svn+ssh://h', 'svn+ssh', 'h', -1],
  ['a.b-c://h', 'a.b-c', 'h', -1],
  ['http://h:', 'http', 'h', -1], // empty port = absent
  ['http://h:/p', 'http', 'h', -1],
  ['http://h:0', 'http', 'h', 0],
  ['http://h:00080', 'http', 'h', 80],
  ['http://h:65535', 'http', 'h', 65535],
  ['http://[::1]:', 'http', '::1', -1],
  ['http://[FEC0::ABCD]/', 'http', 'FEC0::ABCD', -1], // case kept
  ['http://[::ffff:1.2.3.4]:8/', 'http', '::ffff:1.2.3.4', 8],
  ['http://h?q', 'http', 'h', -1],
  ['http://h#f', 'http', 'h', -1],
  ['http://h/a%20b?c%2Fd#e%41', 'http', 'h', -1],
  ['http://h/ü?ü#ü', 'http', 'h', -1],
  ['http://h/<"{}>', 'http', 'h', -1], // raw characters are not policed
];

describe('splitNetworkUri: accepted', () => {
  for (const [uri, scheme, host, port] of OK) {
    it(`${uri} → ${scheme}, ${JSON.stringify(host)}, ${port}`, () => {
      assert.deepEqual(splitNetworkUri(uri), { scheme, host, port });
    });
  }
});

const BAD: readonly string[] = [
  'ftp://joe%x-@ftp.gnome.org:2020/start', // bad escape in userinfo
  'http://[fec0::abcd%em1]/start', // zone must be written %25
  'http://[fec0::abcd%10]/start',
  'http://[fec0::abcd%25]/', // empty zone
  'http://[fec0::abcd%25em%3]/', // bad escape in zone
  'http://[fec0::abcd%25a%25b%ZZ]/',
  'http://[fe80::42%lo]:99/foo',
  'asdf', // not absolute
  '1http://h',
  '//host/path',
  '',
  ':',
  'http:foo', // no host component
  'http:/foo',
  'mailto:joe@example.com',
  'http://h:-1', // ports: digits only, at most 65535
  'http://h:+1',
  'http://h: 1',
  'http://h:8a',
  'http://h:80abc',
  'http://h:65536',
  'http://h:99999999999999999999',
  'http://h:1:2',
  'http://[1.2.3.4]/', // brackets need IPv6
  'http://[v1.fe]/', // IPvFuture
  'http://[]/',
  'http://[::1/',
  'http://[::1]x/',
  'http://[::1]]/',
  'http://[::1:80/',
  'http://[not-an-ip]/',
  'http://%31.2.3.4/', // Illegal encoded IP address
  'http://%3A%3A1/',
  'http://1.2.3.%34/',
  'http://h%zzst/',
  'http://h%4/',
  'http://h%/',
  'http://h%FF/', // decodes to invalid UTF-8
  'http://h%00st/', // decodes to NUL
  'http://h/%zz', // path, query and fragment must decode too
  'http://h/%FF',
  'http://h/%00',
  'http://h/?%',
  'http://h/?a=%G0',
  'http://h/#%4',
  'http://h/#%C3',
  'http://user%ZZ@h/',
  'http://us%C3er@h/',
  'http://h\u0000x/', // a C string would end there
  'http://h\ud800/', // a lone surrogate has no UTF-8 form
  'http://xn--a.b\u00e9/', // IDNA failure
];

describe('splitNetworkUri: rejected with IOError INVALID_ARGUMENT `Invalid URI ‘…’`', () => {
  for (const uri of BAD) {
    it(JSON.stringify(uri), () => assertInvalid(() => splitNetworkUri(uri), uri));
  }
  it('non-string input', () => {
    assert.throws(() => splitNetworkUri(42 as unknown as string), IOError);
  });
});

describe('isValidUri (g_uri_is_valid, flags NONE)', () => {
  const cases: readonly (readonly [string, boolean])[] = [
    ['http://h/', true],
    ['none://example.test:80', true],
    ['http://[fe80::1%25lo]:81', true],
    ['mailto:joe@example.com', true], // no host needed
    ['urn:isbn:0451450523', true],
    ['http:', true],
    ['file:///etc/passwd', true],
    ['asdf', false],
    ['', false],
    ['//h/', false],
    ['http://h/%zz', false],
    ['http://h:x/', false],
    ['http://%31.2.3.4/', false],
    ['mailto:%', false],
  ];
  for (const [uri, valid] of cases) {
    it(`${JSON.stringify(uri)} → ${valid}`, () => assert.equal(isValidUri(uri), valid));
  }
  it('non-string input is not valid', () => assert.equal(isValidUri(null as unknown as string), false));
});

describe('joinNetworkUri (g_uri_join as GNetworkAddress uses it, §6.1)', () => {
  const cases: readonly (readonly [string, string, number, string])[] = [
    ['none', 'example.test', 80, 'none://example.test:80'],
    ['https', 'Example.Test', 8443, 'https://Example.Test:8443'], // host case kept
    ['http', 'fe80::1%lo', 81, 'http://[fe80::1%25lo]:81'],
    ['none', '2001:db8::1', 0, 'none://[2001:db8::1]:0'], // the port is always there
    ['none', '::ffff:1.2.3.4', 1, 'none://[::ffff:1.2.3.4]:1'],
    ['none', '1.2.3.4', 80, 'none://1.2.3.4:80'],
    ['none', 'a:b:c', 1234, 'none://a%3Ab%3Ac:1234'], // not an IP: escaped as a reg-name
    ['none', 'host name', 1, 'none://host%20name:1'],
    ['none', 'héllo.com', 1, 'none://héllo.com:1'], // UTF-8 kept
    ['none', "a!$&'()*+,;=b", 1, "none://a!$&'()*+,;=b:1"],
    ['none', 'a/b?c#d@e%f', 1, 'none://a%2Fb%3Fc%23d%40e%25f:1'],
    ['none', '', 1, 'none://:1'],
  ];
  for (const [scheme, host, port, want] of cases) {
    it(`${scheme} ${JSON.stringify(host)} ${port} → ${want}`, () => {
      assert.equal(joinNetworkUri(scheme, host, port), want);
    });
  }
  it('round-trips through splitNetworkUri', () => {
    for (const host of ['fe80::1%lo', 'example.test', 'a:b:c', 'host name', '2001:db8::1']) {
      assert.deepEqual(splitNetworkUri(joinNetworkUri('http', host, 81)), { scheme: 'http', host, port: 81 });
    }
  });
});

describe('splitUriWithUser (proxy URIs, §6.2)', () => {
  it('percent-decodes username and password', () => {
    assert.deepEqual(splitUriWithUser('socks5://us%40er:p%3Ass@proxy.test:1080'), {
      scheme: 'socks5',
      host: 'proxy.test',
      port: 1080,
      username: 'us@er',
      password: 'p:ss',
    });
  });
  it('user without a password', () => {
    assert.deepEqual(splitUriWithUser('http://user@host'), {
      scheme: 'http',
      host: 'host',
      port: -1,
      username: 'user',
      password: null,
    });
  });
  it('no userinfo', () => {
    const parts = splitUriWithUser('HTTP://[::1]:3128/');
    assert.deepEqual(parts, { scheme: 'http', host: '::1', port: 3128, username: null, password: null });
  });
  it('empty user and password, and a password holding colons', () => {
    assert.equal(splitUriWithUser('socks5://:@h').username, '');
    assert.equal(splitUriWithUser('socks5://:@h').password, '');
    assert.equal(splitUriWithUser('socks5://u:a:b@h').password, 'a:b');
  });
  it('errors never show the credentials', () => {
    assertInvalid(() => splitUriWithUser('socks5://user:secret@h:99999'), 'socks5://***@h:99999');
    assertInvalid(() => splitUriWithUser('socks5://user:s%ZZ@h'), 'socks5://***@h');
    assertInvalid(() => splitUriWithUser('socks5:nohost'), 'socks5:nohost');
  });
});

describe('redactUri', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['http://user:pw@host:1/p', 'http://***@host:1/p'],
    ['http://a@b@host/', 'http://***@host/'],
    ['//u:p@h', '//***@h'],
    ['http://host/p@q', 'http://host/p@q'],
    ['http://host/?a@b', 'http://host/?a@b'],
    ['asdf', 'asdf'],
  ];
  for (const [uri, want] of cases) it(uri, () => assert.equal(redactUri(uri), want));
});

describe('hostnameIsIpAddress (g_hostname_is_ip_address)', () => {
  const cases: readonly (readonly [string, boolean])[] = [
    ['1.2.3.4', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['1.2.3.4.', false],
    ['1.2.3.4.5', false],
    ['3232235778', false],
    ['::', true],
    ['::1', true],
    ['1::', true],
    ['2001:db8::1', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    [':1', false],
    ['1:', false],
    ['12345::1', false],
    ['::ffff:1.2.3.4', true],
    ['1:2:3:4:5:6:1.2.3.4', true],
    ['1:2:3:4:5:6:7:1.2.3.4', false],
    ['::ffff:01.2.3.4', false],
    ['fe80::1%eth0', true],
    ['fe80::1%', false],
    ['1.2.3.4%eth0', false],
    ['', false],
    ['example.com', false],
  ];
  for (const [h, want] of cases)
    it(`${JSON.stringify(h)} → ${want}`, () => assert.equal(hostnameIsIpAddress(h), want));
});
