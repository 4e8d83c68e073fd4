import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine, parseLocalAddress, UsageError, type ConnectCommand } from '../../src/cli/args.js';
import { SocketFamily, SocketType } from '../../src/index.js';

function connect(argv: string[]): ConnectCommand {
  const cmd = parseCommandLine(argv);
  assert.equal(cmd.kind, 'connect');
  return cmd as ConnectCommand;
}

test('defaults: TCP, any family, no timeout, proxies on, quiet, relay', () => {
  assert.deepEqual(connect(['h:1']), {
    kind: 'connect',
    target: 'h:1',
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
  });
});

const optionCases: [string, string[], Partial<ConnectCommand>][] = [
  ['-4', ['-4'], { family: SocketFamily.IPV4 }],
  ['--ipv6', ['--ipv6'], { family: SocketFamily.IPV6 }],
  ['--udp', ['--udp'], { type: SocketType.DATAGRAM }],
  ['-u', ['-u'], { type: SocketType.DATAGRAM }],
  ['--timeout 2.5', ['--timeout', '2.5'], { timeout: 2.5 }],
  ['-w 3', ['-w', '3'], { timeout: 3 }],
  ['--default-port 443', ['--default-port', '443'], { defaultPort: 443 }],
  ['-zv', ['-zv'], { zeroIo: true, verbose: true }],
  ['--json', ['--json'], { json: true }],
  ['--no-proxy', ['--no-proxy'], { enableProxy: false }],
  ['--proxy', ['--proxy', 'socks5://127.0.0.1:1080'], { proxy: 'socks5://127.0.0.1:1080' }],
];
for (const [name, args, expected] of optionCases) {
  test(`option ${name}`, () => {
    const cmd = connect([...args, 'h:1']);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(cmd[key as keyof ConnectCommand], value, key);
    }
  });
}

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
  [['--default-port', '65536', 'h'], /--default-port: '65536'/],
  [['--default-port', '0x50', 'h'], /--default-port: '0x50'/],
  [['-4', '-6', 'h:1'], /-4 and -6/],
  [['--json', '-v', 'h:1'], /--json and -v/],
  [['--proxy', 'socks5://p:1', '--no-proxy', 'h:1'], /--proxy and --no-proxy/],
  [['--udp', '--proxy', 'socks5://p:1', 'h:1'], /--proxy needs TCP/],
  [['-s', 'localhost', 'h:1'], /--local-address: 'localhost' is not an IP address/],
];
for (const [argv, message] of usageErrors) {
  test(`usage error: ${JSON.stringify(argv)}`, () => {
    assert.throws(() => parseCommandLine(argv), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, message);
      return true;
    });
  });
}

const localAddresses: [string, string][] = [
  ['127.0.0.1', '127.0.0.1:0'],
  ['127.0.0.1:5000', '127.0.0.1:5000'],
  ['::1', '[::1]:0'],
  ['[::1]', '[::1]:0'],
  ['[::1]:5000', '[::1]:5000'],
  ['fe80::1%lo', '[fe80::1%lo]:0'],
];
for (const [text, expected] of localAddresses) {
  test(`--local-address ${text}`, () => {
    assert.equal(parseLocalAddress(text).toString(), expected);
  });
}

for (const bad of ['127.0.0.1:', '127.0.0.1:99999', '[::1]x', '[::1]:p', '1.2.3', 'host:80', '[]:1']) {
  test(`--local-address rejects ${bad}`, () => {
    assert.throws(() => parseLocalAddress(bad), UsageError);
  });
}
