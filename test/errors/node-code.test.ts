// GError.nodeCode: Node's string code beside GIO's numeric one, from the cause when it has one,
// else from GIO's domain and code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GError,
  IOError,
  IOErrorEnum,
  ResolverError,
  ResolverErrorEnum,
  SocketClient,
  TlsError,
  TlsErrorEnum,
} from '../../src/index.js';
import { toGError } from '../../src/errors/errno.js';
import { unusedPort } from '../helpers/servers.js';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { DIRECT } from '../helpers/resolvers.js';

const sysErr = (code: string): Error => Object.assign(new Error(code), { code });

describe('GError.nodeCode', () => {
  const table: readonly [string, GError, string][] = [
    ['refused, made by the library', new IOError(IOErrorEnum.CONNECTION_REFUSED, 'x'), 'ECONNREFUSED'],
    ['timed out by our timer', new IOError(IOErrorEnum.TIMED_OUT, 'x'), 'ETIMEDOUT'],
    ['timed out by a socket timeout', toGError(sysErr('ERR_SOCKET_CONNECTION_TIMEOUT')), 'ETIMEDOUT'],
    ['BROKEN_PIPE from ECONNRESET keeps ECONNRESET', toGError(sysErr('ECONNRESET')), 'ECONNRESET'],
    ['BROKEN_PIPE from EPIPE keeps EPIPE', toGError(sysErr('EPIPE')), 'EPIPE'],
    ['unreachable', toGError(sysErr('ENETUNREACH')), 'ENETUNREACH'],
    ['cancelled', new IOError(IOErrorEnum.CANCELLED, 'x'), 'ABORT_ERR'],
    ['proxy auth', new IOError(IOErrorEnum.PROXY_AUTH_FAILED, 'x'), 'ERR_PROXY_AUTH_FAILED'],
    ['NXDOMAIN', new ResolverError(ResolverErrorEnum.NOT_FOUND, 'x'), 'ENOTFOUND'],
    ['temporary', new ResolverError(ResolverErrorEnum.TEMPORARY_FAILURE, 'x'), 'EAI_AGAIN'],
    [
      'certificate, OpenSSL reason as cause',
      new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'x', { cause: sysErr('CERT_HAS_EXPIRED') }),
      'CERT_HAS_EXPIRED',
    ],
    ['certificate, no cause', new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'x'), 'ERR_TLS_CERT_REJECTED'],
    ['not TLS', new TlsError(TlsErrorEnum.NOT_TLS, 'x'), 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [
      'decorated keeps the cause',
      toGError(sysErr('EHOSTUNREACH')).withPrefix('Could not connect: '),
      'EHOSTUNREACH',
    ],
    ['nothing known', new IOError(IOErrorEnum.FAILED, 'x'), 'ERR_GIO_FAILED'],
  ];
  for (const [what, err, expected] of table) {
    it(what, () => {
      assert.equal(err.nodeCode, expected);
      assert.equal(typeof err.code, 'number');
    });
  }

  it('real certificate refusals: OpenSSL’s reason, or Node’s code for a wrong name', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is not installed')) return;
    const pki = testPki();
    const expected = { wrongName: 'ERR_TLS_CERT_ALTNAME_INVALID', expired: 'CERT_HAS_EXPIRED' } as const;
    for (const [kind, code] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const server = createTlsServer({ cert: pki[kind].cert, key: pki[kind].key }, (s) => s.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const client = new SocketClient({ proxyResolver: DIRECT, tls: true, tlsOptions: { ca: pki.ca } });
        await assert.rejects(client.connectToHost(`localhost:${port}`, 0), (err: GError) => {
          assert.equal(err.nodeCode, code, `${kind}: ${err.message}`);
          return true;
        });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });

  it('a real refused connect', async () => {
    const port = await unusedPort();
    await assert.rejects(
      new SocketClient({ proxyResolver: DIRECT }).connectToHost(`127.0.0.1:${port}`, 0),
      (err: IOError) => err.nodeCode === 'ECONNREFUSED' && err.code === IOErrorEnum.CONNECTION_REFUSED,
    );
  });
});
