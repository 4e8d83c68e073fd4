import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { formatAddress, viewAddress } from '../../src/cli/describe.js';
import { JsonReporter, QuietReporter, TextReporter } from '../../src/cli/reporter.js';
import {
  InetAddress,
  InetSocketAddress,
  IOError,
  IOErrorEnum,
  NetworkAddress,
  ProxyAddress,
  SocketClientEvent,
  TcpConnection,
} from '../../src/index.js';

/** A Writable that keeps what was written. */
function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

const proxyAddress = (): ProxyAddress =>
  new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, 1080, {
    protocol: 'socks5',
    destinationProtocol: 'none',
    destinationHostname: '2001:db8::1',
    destinationPort: 443,
    username: 'alice',
    password: 'pa55word',
    uri: 'socks5://alice:pa55word@127.0.0.1:1080',
  });

test('viewAddress: plain addresses as GIO prints them', () => {
  const v6 = new InetSocketAddress(InetAddress.newFromString('::1')!, 80);
  assert.deepEqual(viewAddress(v6), { address: '[::1]:80', proxy: null });
  assert.equal(formatAddress(viewAddress(v6)), '[::1]:80');
});

test('viewAddress: a ProxyAddress shows protocol, proxy and destination, never credentials', () => {
  const view = viewAddress(proxyAddress());
  assert.deepEqual(view, {
    address: '127.0.0.1:1080',
    proxy: { protocol: 'socks5', destination: '[2001:db8::1]:443' },
  });
  assert.equal(formatAddress(view), 'socks5 proxy 127.0.0.1:1080 → [2001:db8::1]:443');
  assert.doesNotMatch(JSON.stringify(view), /alice|pa55word/);
});

test('text and JSON reporters never print proxy credentials', () => {
  // A connection object that was never connected: no file descriptor is opened.
  const connection = new TcpConnection(new Socket(), proxyAddress());
  const connectable = new NetworkAddress('example.test', 443);
  for (const make of [(w: Writable) => new TextReporter(w), (w: Writable) => new JsonReporter(w)]) {
    const out = sink();
    const reporter = make(out);
    reporter.event(SocketClientEvent.CONNECTING, connectable, connection);
    reporter.event(SocketClientEvent.PROXY_NEGOTIATING, connectable, connection);
    reporter.connected(connection);
    assert.match(out.text(), /socks5/);
    assert.doesNotMatch(out.text(), /alice|pa55word/);
  }
});

test('TextReporter: +Nms EVENT connectable → remote; COMPLETE without a connection says so', () => {
  const out = sink();
  const reporter = new TextReporter(out);
  const connectable = new NetworkAddress('localhost', 8080);
  const connection = new TcpConnection(
    new Socket(),
    new InetSocketAddress(InetAddress.newFromString('::1')!, 8080),
  );
  reporter.event(SocketClientEvent.RESOLVING, connectable, null);
  reporter.event(SocketClientEvent.CONNECTING, connectable, connection);
  reporter.event(SocketClientEvent.COMPLETE, connectable, null);
  assert.deepEqual(
    out
      .text()
      .split('\n')
      .map((l) => l.replace(/^\+\d+ms /, '')),
    [
      'RESOLVING localhost:8080',
      'CONNECTING localhost:8080 → [::1]:8080',
      'COMPLETE localhost:8080 (no connection)',
      '',
    ],
  );
});

test('JsonReporter: one object per line with t_ms, event, event_number, connectable, remote', () => {
  const out = sink();
  const reporter = new JsonReporter(out);
  const connectable = new NetworkAddress('localhost', 8080);
  reporter.event(SocketClientEvent.RESOLVED, connectable, null);
  reporter.failed(new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out'), 5);
  const [event, error] = out
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(typeof event.t_ms, 'number');
  assert.deepEqual(
    { ...event, t_ms: 0 },
    {
      t_ms: 0,
      event: 'RESOLVED',
      event_number: 1,
      connectable: 'localhost:8080',
      remote: null,
    },
  );
  assert.deepEqual(error.error, {
    domain: 'g-io-error-quark',
    code: 24,
    code_name: 'TIMED_OUT',
    message: 'Socket I/O timed out',
  });
  assert.equal(error.exit_status, 5);
});

test('QuietReporter prints only the error line', () => {
  const out = sink();
  const reporter = new QuietReporter(out);
  reporter.event();
  reporter.failed(new IOError(IOErrorEnum.CANCELLED, 'Operation was cancelled'));
  assert.equal(out.text(), 'gsocketclient: g-io-error-quark CANCELLED: Operation was cancelled\n');
});
