import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSED,
  IOError,
  IOErrorEnum,
  ResolverError,
  ResolverErrorEnum,
  SocketClientEvent,
  TlsCertificateFlags,
  TlsError,
  TlsErrorEnum,
} from '../../src/index.js';
import { ioErrorCodeFromErrno, strerror, toGError } from '../../src/errors/errno.js';

describe('GError classes', () => {
  it('carry GIO domains, numeric codes and code names', () => {
    const e = new IOError(IOErrorEnum.CONNECTION_REFUSED, 'Connection refused');
    assert.equal(e.domain, 'g-io-error-quark');
    assert.equal(e.code, 39);
    assert.equal(e.codeName, 'CONNECTION_REFUSED');
    assert.equal(new IOError(CONNECTION_CLOSED, 'x').codeName, 'CONNECTION_CLOSED');
    assert.equal(new ResolverError(ResolverErrorEnum.NOT_FOUND, 'x').domain, 'g-resolver-error-quark');
    assert.equal(new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'x').domain, 'g-tls-error-quark');
    assert.ok(e.matches(IOError, IOErrorEnum.CONNECTION_REFUSED));
    assert.ok(!e.matches(ResolverError, IOErrorEnum.CONNECTION_REFUSED));
    assert.ok(e instanceof Error);
  });

  it('withPrefix keeps class, code and cause', () => {
    const cause = new Error('root');
    const e = new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out', { cause }).withPrefix(
      'Could not connect to h: ',
    );
    assert.ok(e instanceof IOError);
    assert.equal(e.code, IOErrorEnum.TIMED_OUT);
    assert.equal(e.message, 'Could not connect to h: Socket I/O timed out');
    assert.equal(e.cause, cause);
  });

  it('enum values are GIO’s', () => {
    assert.equal(SocketClientEvent.COMPLETE, 8);
    assert.equal(IOErrorEnum.PROXY_NEED_AUTH, 42);
    assert.equal(IOErrorEnum.NO_SUCH_DEVICE, 47);
    assert.equal(TlsCertificateFlags.VALIDATE_ALL, 0x7f);
    assert.equal(TlsErrorEnum.BAD_CERTIFICATE_PASSWORD, 8);
  });
});

describe('errno → GIOErrorEnum (§11) with glibc wording', () => {
  const rows: [string, IOErrorEnum, string][] = [
    ['ECONNREFUSED', IOErrorEnum.CONNECTION_REFUSED, 'Connection refused'],
    ['ETIMEDOUT', IOErrorEnum.TIMED_OUT, 'Connection timed out'],
    ['EHOSTUNREACH', IOErrorEnum.HOST_UNREACHABLE, 'No route to host'],
    ['ENETUNREACH', IOErrorEnum.NETWORK_UNREACHABLE, 'Network is unreachable'],
    ['ENETDOWN', IOErrorEnum.NETWORK_UNREACHABLE, 'Network is down'],
    ['EADDRINUSE', IOErrorEnum.ADDRESS_IN_USE, 'Address already in use'],
    ['EADDRNOTAVAIL', IOErrorEnum.CONNECTION_REFUSED, 'Cannot assign requested address'],
    ['ECONNRESET', IOErrorEnum.BROKEN_PIPE, 'Connection reset by peer'],
    ['EPIPE', IOErrorEnum.BROKEN_PIPE, 'Broken pipe'],
    ['EAFNOSUPPORT', IOErrorEnum.NOT_SUPPORTED, 'Address family not supported by protocol'],
    ['EACCES', IOErrorEnum.PERMISSION_DENIED, 'Permission denied'],
    ['EPERM', IOErrorEnum.PERMISSION_DENIED, 'Operation not permitted'],
    ['EINVAL', IOErrorEnum.INVALID_ARGUMENT, 'Invalid argument'],
    ['ENOENT', IOErrorEnum.NOT_FOUND, 'No such file or directory'],
    ['EMFILE', IOErrorEnum.TOO_MANY_OPEN_FILES, 'Too many open files'],
    ['ENOTCONN', IOErrorEnum.NOT_CONNECTED, 'Transport endpoint is not connected'],
    ['EMSGSIZE', IOErrorEnum.MESSAGE_TOO_LARGE, 'Message too long'],
    ['EDESTADDRREQ', IOErrorEnum.DESTINATION_UNSET, 'Destination address required'],
    ['ECANCELED', IOErrorEnum.CANCELLED, 'Operation canceled'],
  ];
  for (const [errno, code, text] of rows) {
    it(`${errno} → ${IOErrorEnum[code]} "${text}"`, () => {
      assert.equal(ioErrorCodeFromErrno(errno), code);
      assert.equal(strerror(errno), text);
      const node = Object.assign(new Error(`connect ${errno} 127.0.0.1:1`), { code: errno });
      const g = toGError(node);
      assert.ok(g instanceof IOError);
      assert.equal(g.code, code);
      assert.equal(g.message, text);
      assert.equal(g.cause, node);
    });
  }

  it('unknown errnos are FAILED; non-errno errors keep their message; AbortError is CANCELLED', () => {
    assert.equal(ioErrorCodeFromErrno('EWHATEVER'), IOErrorEnum.FAILED);
    assert.equal(toGError(new Error('odd')).code, IOErrorEnum.FAILED);
    assert.equal(toGError(new Error('odd')).message, 'odd');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.equal(toGError(abort).code, IOErrorEnum.CANCELLED);
    assert.equal(toGError('str').code, IOErrorEnum.FAILED);
  });
});
