// Issue 10: a bounded fuzz (fast-check) over host names and URIs feeding the HTTP CONNECT
// encoder, directly and through NetworkAddress.parse / parseUri and a real client against a
// recording proxy on loopback. The property: either a typed GError, or a request whose every
// byte is printable ASCII apart from the CRLF line ends — no control byte ever reaches the wire.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  GError,
  IOError,
  IOErrorEnum,
  NetworkAddress,
  SimpleProxyResolver,
  SocketClient,
} from '../../src/index.js';
import { encodeHttpConnect } from '../../src/proxy/http-proxy.js';
import { startServer, type TestServer } from '../helpers/servers.js';

/** Request lines of printable ASCII, each ended by CRLF, then the blank line. */
const CLEAN_REQUEST = /^(?:[\x20-\x7e]+\r\n)+\r\n$/;

const PIECES = [
  'a',
  'Z',
  '0',
  '9',
  '-',
  '.',
  '_',
  '~',
  ':',
  '%',
  '[',
  ']',
  '@',
  '/',
  '?',
  '#',
  ' ',
  '!',
  '*',
  '\r',
  '\n',
  '\r\n',
  '\0',
  '\t',
  '\v',
  '\x1b',
  '\x7f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ud800',
  'ü',
  'ß',
  '例',
  '\u{1f600}',
  'xn--',
  'localhost',
  '::1',
  '127.0.0.1',
  'fe80::1%lo',
  '%0D',
  '%0A',
  '%0d%0a',
  '%00',
  '%09',
  '%20',
  '%25',
  '%3A',
  '%40',
  '%C3%BC',
  '%E2%80%A8',
  '%C2%85',
  '%FF',
  '%zz',
];

/** Host-ish strings: known-dangerous pieces mixed with arbitrary code points. */
const hostText = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 16 })
  .map((parts) => parts.join(''));
/** Names that parse, so that the end-to-end run does reach the proxy often. */
const plainHost = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/);
const port = fc.integer({ min: 0, max: 65535 });
const credential = fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: null });

const RUNS = 500;

/** The property for one encoder call: a typed GError, or clean bytes with the expected shape. */
function checkEncode(hostname: string, p: number, user: string | null, pass: string | null): boolean {
  let bytes: Buffer;
  try {
    bytes = encodeHttpConnect(hostname, p, user, pass).bytes;
  } catch (err) {
    assert.ok(err instanceof IOError, `not a GError: ${String(err)}`);
    assert.ok([IOErrorEnum.INVALID_ARGUMENT, IOErrorEnum.FAILED].includes(err.code), err.message);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(err.message, /[\x00-\x1f\x7f]/);
    return false;
  }
  const text = bytes.toString('latin1');
  assert.match(text, CLEAN_REQUEST, JSON.stringify(text));
  const lines = text.slice(0, -4).split('\r\n');
  assert.equal(lines.length, user !== null && pass !== null ? 5 : 4, JSON.stringify(text));
  // The target is an IP literal or a reg-name (RFC 3986 §3.2.2) with its port: nothing else.
  assert.match(lines[0], /^CONNECT (?:\[[0-9a-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+):\d+ HTTP\/1\.0$/);
  assert.equal(lines[1], `Host: ${lines[0].split(' ')[1]}`);
  return true;
}

describe('fuzz: the HTTP CONNECT encoder never puts a control byte on the wire', () => {
  it(`arbitrary host names and credentials, straight to the encoder (${RUNS} runs)`, () => {
    const outcomes = { encoded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(hostText, plainHost), port, credential, credential, (h, p, u, pw) => {
        outcomes[checkEncode(h, p, u, pw) ? 'encoded' : 'refused']++;
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: both outcomes are common.
    assert.ok(outcomes.encoded > RUNS / 10 && outcomes.refused > RUNS / 10, JSON.stringify(outcomes));
  });

  it(`through NetworkAddress.parse (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(hostText, port, (h, p) => {
        let address: NetworkAddress;
        try {
          address = NetworkAddress.parse(h, p);
        } catch (err) {
          assert.ok(err instanceof GError, String(err));
          return;
        }
        checkEncode(address.hostname, address.port, null, null);
      }),
      { numRuns: RUNS },
    );
  });

  it(`through NetworkAddress.parseUri, percent-encodings included (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(hostText, fc.constantFrom('http://', 'https://u:p@', 'socks5://'), (h, prefix) => {
        let address: NetworkAddress;
        try {
          address = NetworkAddress.parseUri(`${prefix}${h}/`, 443);
        } catch (err) {
          assert.ok(err instanceof GError, String(err));
          return;
        }
        checkEncode(address.hostname, address.port, null, null);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: connectToUri through a recording HTTP proxy on loopback', () => {
  let proxy: TestServer;
  const received: Buffer[] = [];
  before(async () => {
    proxy = await startServer('127.0.0.1', 0, (socket: Socket) => {
      let mine = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        mine = Buffer.concat([mine, chunk]);
        if (mine.includes('\r\n\r\n')) {
          received.push(mine);
          socket.end('HTTP/1.0 200 OK\r\n\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
  });
  after(async () => {
    await proxy.close();
  });

  it('every request the proxy got is clean; every refusal is a GError (100 runs)', async () => {
    const client = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${proxy.port}`),
      timeout: 5,
    });
    let connected = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostText, plainHost), async (h) => {
        received.length = 0;
        try {
          const conn = await client.connectToUri(`http://${h}/`, 443);
          connected++;
          await conn.close();
        } catch (err) {
          assert.ok(err instanceof GError, String(err));
        }
        for (const bytes of received) assert.match(bytes.toString('latin1'), CLEAN_REQUEST);
      }),
      { numRuns: 100 },
    );
    // The property is not vacuous: plenty of names did reach the proxy.
    assert.ok(connected > 20, `only ${connected} connections`);
  });
});
