// Mapping of what ends a handshake to GErrors (glib-networking's end_*_io rules, §8.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOErrorEnum, TlsErrorEnum } from '../../src/errors/enums.js';
import { GError, IOError, TlsError } from '../../src/errors/gerror.js';
import { handshakeError, PeerClosedError, type HandshakeContext } from '../../src/tls/handshake-errors.js';

const NO_REQUEST: HandshakeContext = { certificateRequested: false, haveCertificate: false };
const MISSING_CERT: HandshakeContext = { certificateRequested: true, haveCertificate: false };
const HAD_CERT: HandshakeContext = { certificateRequested: true, haveCertificate: true };

/** An OpenSSL error as Node reports it. */
function ssl(code: string, reason: string): Error {
  return Object.assign(new Error(`error:0A000000:SSL routines::${reason}`), {
    code,
    reason,
    library: 'SSL routines',
  });
}
function sys(code: string, syscall = 'read'): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall, errno: -1 });
}
/** Node's "Client network socket disconnected before secure TLS connection was established". */
const disconnected = (): Error =>
  Object.assign(
    new Error('Client network socket disconnected before secure TLS connection was established'),
    {
      code: 'ECONNRESET',
    },
  );

const CASES: readonly (readonly [
  string,
  unknown,
  HandshakeContext,
  typeof TlsError | typeof IOError,
  number,
  string,
])[] = [
  [
    'echo server (unexpected message)',
    ssl('ERR_SSL_UNEXPECTED_MESSAGE', 'unexpected message'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.MISC,
    'Error performing TLS handshake: An unexpected TLS handshake packet was received.',
  ],
  [
    'HTTP server (wrong version number)',
    ssl('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.MISC,
    'Error performing TLS handshake: An unexpected TLS packet was received.',
  ],
  [
    'fatal alert',
    ssl('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.HANDSHAKE,
    'Error performing TLS handshake: sslv3 alert handshake failure',
  ],
  [
    'protocol version alert',
    ssl('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.HANDSHAKE,
    'Error performing TLS handshake: tlsv1 alert protocol version',
  ],
  [
    'no ciphers',
    ssl('ERR_SSL_NO_CIPHERS_AVAILABLE', 'no ciphers available'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.HANDSHAKE,
    'Error performing TLS handshake: no ciphers available',
  ],
  [
    'ALPN refused',
    ssl('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'tlsv1 alert no application protocol'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.HANDSHAKE,
    'Error performing TLS handshake: tlsv1 alert no application protocol',
  ],
  [
    'other OpenSSL error',
    ssl('ERR_SSL_BAD_SIGNATURE', 'bad signature'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.MISC,
    'Error performing TLS handshake: bad signature',
  ],
  [
    'TLS 1.3 certificate_required alert',
    ssl('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'),
    MISSING_CERT,
    TlsError,
    TlsErrorEnum.CERTIFICATE_REQUIRED,
    'TLS connection peer did not send a certificate',
  ],
  [
    'TLS 1.2 handshake_failure after a certificate request we could not answer',
    ssl('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'),
    MISSING_CERT,
    TlsError,
    TlsErrorEnum.CERTIFICATE_REQUIRED,
    'Server required TLS certificate',
  ],
  [
    'close after a certificate request we could not answer',
    new PeerClosedError(),
    MISSING_CERT,
    TlsError,
    TlsErrorEnum.CERTIFICATE_REQUIRED,
    'Server required TLS certificate',
  ],
  [
    'handshake_failure when we had a certificate',
    ssl('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'),
    HAD_CERT,
    TlsError,
    TlsErrorEnum.HANDSHAKE,
    'Error performing TLS handshake: sslv3 alert handshake failure',
  ],
  [
    'our certificate refused (unknown_ca alert)',
    ssl('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'),
    HAD_CERT,
    TlsError,
    TlsErrorEnum.BAD_CERTIFICATE,
    'Unacceptable TLS certificate authority',
  ],
  [
    'peer closed cleanly (Node)',
    disconnected(),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.NOT_TLS,
    'Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.',
  ],
  [
    'peer closed cleanly (marker)',
    new PeerClosedError(),
    HAD_CERT,
    TlsError,
    TlsErrorEnum.NOT_TLS,
    'Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.',
  ],
  [
    'OpenSSL unexpected EOF',
    ssl('ERR_SSL_UNEXPECTED_EOF_WHILE_READING', 'unexpected eof while reading'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.NOT_TLS,
    'Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.',
  ],
  [
    'connection reset',
    sys('ECONNRESET'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.NOT_TLS,
    'Peer failed to perform TLS handshake: Connection reset by peer',
  ],
  [
    'broken pipe',
    sys('EPIPE', 'write'),
    NO_REQUEST,
    TlsError,
    TlsErrorEnum.NOT_TLS,
    'Peer failed to perform TLS handshake: Broken pipe',
  ],
  [
    'kernel timeout stays an IOError',
    sys('ETIMEDOUT'),
    NO_REQUEST,
    IOError,
    IOErrorEnum.TIMED_OUT,
    'Connection timed out',
  ],
];

describe('handshakeError', () => {
  for (const [name, err, ctx, cls, code, message] of CASES) {
    it(name, () => {
      const g = handshakeError(err, ctx);
      assert.ok(g instanceof cls, `${g.name} ${g.message}`);
      assert.equal(g.code, code);
      assert.equal(g.message, message);
      assert.equal(g.cause, err, 'the Node error is kept as cause');
    });
  }

  it('a GError (the client timeout, a cancellation) passes through unchanged', () => {
    const timeout = new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out');
    assert.equal(handshakeError(timeout, NO_REQUEST), timeout);
    const tls = new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate');
    assert.equal(handshakeError(tls, MISSING_CERT), tls);
  });

  it('never returns a raw error', () => {
    for (const err of [new Error('x'), 'a string', undefined, { code: 42 }]) {
      assert.ok(handshakeError(err, NO_REQUEST) instanceof GError);
    }
  });
});
