import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine, parseLocalAddress, UsageError, type ConnectCommand } from '../../src/cli/args.js';
import { SocketFamily, SocketType, TlsCertificateFlags } from '../../src/index.js';

function connect(argv: string[]): ConnectCommand {
  const cmd = parseCommandLine(argv);
  if (cmd.kind !== 'connect') assert.fail(`expected a connect command, got ${cmd.kind}`);
  return cmd;
}

test('defaults: TCP, any family, no timeout, proxies on, quiet, relay', () => {
  assert.deepEqual(connect(['h:1']), {
    kind: 'connect',
    target: 'h:1',
    service: null,
    dnsServers: [],
    tls: null,
    defaultPort: 0,
    timeout: 0,
    family: SocketFamily.INVALID,
    localAddress: null,
    type: SocketType.STREAM,
    proxy: null,
    enableProxy: true,
    verbose: false,
    json: false,
    zeroIo: false,
    sync: false,
    timings: false,
    waterfall: false,
    resolve: [],
    noProxyFor: [],
    explainProxy: false,
    proxyLoopback: false,
  });
});

const optionCases: [string, string[], Partial<ConnectCommand>][] = [
  ['-4', ['-4'], { family: SocketFamily.IPV4 }],
  ['--ipv6', ['--ipv6'], { family: SocketFamily.IPV6 }],
  ['--udp', ['--udp'], { type: SocketType.DATAGRAM }],
  ['-u', ['-u'], { type: SocketType.DATAGRAM }],
  ['--timeout 2.5', ['--timeout', '2.5'], { timeout: 2.5 }],
  ['-w 3', ['-w', '3'], { timeout: 3 }],
  ['--timeout at the Node timer limit', ['--timeout', '2147483.647'], { timeout: 2_147_483.647 }],
  ['--default-port 443', ['--default-port', '443'], { defaultPort: 443 }],
  ['-zv', ['-zv'], { zeroIo: true, verbose: true }],
  ['--json', ['--json'], { json: true }],
  ['--sync', ['--sync'], { sync: true }],
  ['--no-proxy', ['--no-proxy'], { enableProxy: false }],
  ['--explain-proxy', ['--explain-proxy'], { explainProxy: true }],
  ['--proxy-loopback', ['--proxy-loopback'], { proxyLoopback: true }],
  ['--proxy', ['--proxy', 'socks5://127.0.0.1:1080'], { proxy: 'socks5://127.0.0.1:1080' }],
  [
    '--dns-server (repeatable)',
    ['--dns-server', '127.0.0.1:5353', '--dns-server', '::1'],
    { dnsServers: ['127.0.0.1:5353', '::1'] },
  ],
  ['--dns-server [v6]:port', ['--dns-server', '[::1]:53'], { dnsServers: ['[::1]:53'] }],
  [
    '--tls',
    ['--tls'],
    {
      tls: {
        caFile: null,
        certFile: null,
        keyFile: null,
        alpn: null,
        validationFlags: TlsCertificateFlags.VALIDATE_ALL,
      },
    },
  ],
  [
    '--tls with files and ALPN',
    ['--tls', '--ca', 'ca.pem', '--cert', 'c.pem', '--key', 'k.pem', '--alpn', 'h2, http/1.1'],
    {
      tls: {
        caFile: 'ca.pem',
        certFile: 'c.pem',
        keyFile: 'k.pem',
        alpn: ['h2', 'http/1.1'],
        validationFlags: TlsCertificateFlags.VALIDATE_ALL,
      },
    },
  ],
];
for (const [name, args, expected] of optionCases) {
  test(`option ${name}`, () => {
    const cmd = connect([...args, 'h:1']);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(cmd[key as keyof ConnectCommand], value, key);
    }
  });
}

const flagCases: [string[], TlsCertificateFlags][] = [
  [['--insecure'], TlsCertificateFlags.NO_FLAGS],
  [['-k'], TlsCertificateFlags.NO_FLAGS],
  [
    ['--validation-flags', 'UNKNOWN_CA,BAD_IDENTITY'],
    TlsCertificateFlags.UNKNOWN_CA | TlsCertificateFlags.BAD_IDENTITY,
  ],
  [['--validation-flags', 'expired|revoked'], TlsCertificateFlags.EXPIRED | TlsCertificateFlags.REVOKED],
  [['--validation-flags', 'NO_FLAGS'], TlsCertificateFlags.NO_FLAGS],
  [['--validation-flags', 'VALIDATE_ALL'], TlsCertificateFlags.VALIDATE_ALL],
];
for (const [args, flags] of flagCases) {
  test(`tls validation flags: ${args.join(' ')}`, () => {
    assert.equal(connect(['--tls', ...args, 'h:1']).tls?.validationFlags, flags);
  });
}

test('--service: TARGET is the domain', () => {
  const cmd = connect(['--service', 'xmpp-client', 'example.test']);
  assert.equal(cmd.service, 'xmpp-client');
  assert.equal(cmd.target, 'example.test');
});

test('help, version and demo commands', () => {
  assert.deepEqual(parseCommandLine(['--help']), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['-h', 'x:1']), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['-V']), { kind: 'version' });
  assert.deepEqual(parseCommandLine(['demo']), { kind: 'demo' });
});

const usageErrors: [string[], RegExp][] = [
  [[], /missing TARGET/],
  [['a:1', 'b:1'], /expected one TARGET, got 2/],
  [[''], /must not be empty/],
  [['--frobnicate', 'h:1'], /^unknown option '--frobnicate'$/],
  [['-q', 'h:1'], /^unknown option '-q'$/],
  [['h:1', '--timeout'], /^option '--timeout' needs a value$/],
  [['--json=yes', 'h:1'], /^option '--json' does not take a value$/],
  [['--timeout', '-1', 'h:1'], /^option '--timeout' needs a value \(write --timeout=VALUE/],
  [['--timeout=-1', 'h:1'], /--timeout: '-1'/],
  [['--timeout', 'soon', 'h:1'], /--timeout: 'soon'/],
  [['--timeout', '1e9', 'h:1'], /--timeout: '1e9'/],
  [['--timeout', '2147483.648', 'h:1'], /--timeout: '2147483.648'/],
  [['--default-port', '65536', 'h'], /--default-port: '65536'/],
  [['--default-port', '0x50', 'h'], /--default-port: '0x50'/],
  [['-4', '-6', 'h:1'], /-4 and -6/],
  [['--json', '-v', 'h:1'], /--json and -v/],
  [['--proxy', 'socks5://p:1', '--no-proxy', 'h:1'], /--proxy and --no-proxy/],
  [['--udp', '--proxy', 'socks5://p:1', 'h:1'], /--proxy needs TCP/],
  [['-s', 'localhost', 'h:1'], /--local-address: 'localhost' is not an IP address/],
  [['--dns-server', 'dns.example', 'h:1'], /--dns-server: 'dns.example' is not IP\[:PORT\]/],
  [['--ca', 'ca.pem', 'h:1'], /^--ca needs --tls$/],
  [['--insecure', 'h:1'], /^--insecure needs --tls$/],
  [['--tls', '--cert', 'c.pem', 'h:1'], /--cert and --key go together/],
  [['--tls', '--key', 'k.pem', 'h:1'], /--cert and --key go together/],
  [['--tls', '-k', '--validation-flags', 'EXPIRED', 'h:1'], /--insecure and --validation-flags/],
  [
    ['--tls', '--validation-flags', 'UNKNOWN_CA,SHINY', 'h:1'],
    /unknown flag 'SHINY' \(known: NO_FLAGS, UNKNOWN_CA/,
  ],
  [['--tls', '--alpn', 'h2,,x', 'h:1'], /--alpn/],
  [['--tls', '-u', 'h:1'], /--tls needs TCP/],
  [['--service', 'x', 'host:1'], /with --service, TARGET is a domain name/],
  [['--service', 'x', 'http://a/'], /with --service, TARGET is a domain name/],
  [['--service', 'x', '--default-port', '1', 'a'], /--default-port does not apply to --service/],
  [['--service', 'x', '-u', 'a'], /cannot be used with --udp/],
  [['--service', '', 'a'], /--service must not be empty/],
];
for (const [argv, message] of usageErrors) {
  test(`usage error: ${JSON.stringify(argv)}`, () => {
    assert.throws(
      () => parseCommandLine(argv),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

// Port 0 is left out of the printed form, brackets with it (GIO's to_string, issue 10 item 14).
const localAddresses: [string, string, number][] = [
  ['127.0.0.1', '127.0.0.1', 0],
  ['127.0.0.1:5000', '127.0.0.1:5000', 5000],
  ['::1', '::1', 0],
  ['[::1]', '::1', 0],
  ['[::1]:5000', '[::1]:5000', 5000],
  ['fe80::1%lo', 'fe80::1%lo', 0],
];
for (const [text, expected, port] of localAddresses) {
  test(`--local-address ${text}`, () => {
    const address = parseLocalAddress(text);
    assert.equal(address.toString(), expected);
    assert.equal(address.port, port);
  });
}

for (const bad of ['127.0.0.1:', '127.0.0.1:99999', '[::1]x', '[::1]:p', '1.2.3', 'host:80', '[]:1']) {
  test(`--local-address rejects ${bad}`, () => {
    assert.throws(() => parseLocalAddress(bad), UsageError);
  });
}
