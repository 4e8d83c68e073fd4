import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, exitStatusFor } from '../../src/cli/exit-status.js';
import {
  CONNECTION_CLOSED,
  IOError,
  IOErrorEnum,
  ResolverError,
  ResolverErrorEnum,
  TlsError,
  TlsErrorEnum,
  type GError,
} from '../../src/index.js';

// The table docs/cli.md documents.
const cases: [GError, number][] = [
  [new IOError(IOErrorEnum.FAILED, 'x'), 1],
  [new IOError(CONNECTION_CLOSED, 'x'), 1],
  [new IOError(IOErrorEnum.NOT_SUPPORTED, 'x'), 1],
  [new IOError(IOErrorEnum.INVALID_ARGUMENT, 'x'), 2],
  [new ResolverError(ResolverErrorEnum.NOT_FOUND, 'x'), 3],
  [new ResolverError(ResolverErrorEnum.TEMPORARY_FAILURE, 'x'), 3],
  [new IOError(IOErrorEnum.HOST_NOT_FOUND, 'x'), 3],
  [new IOError(IOErrorEnum.CONNECTION_REFUSED, 'x'), 4],
  [new IOError(IOErrorEnum.HOST_UNREACHABLE, 'x'), 4],
  [new IOError(IOErrorEnum.NETWORK_UNREACHABLE, 'x'), 4],
  [new IOError(IOErrorEnum.TIMED_OUT, 'x'), 5],
  [new IOError(IOErrorEnum.PROXY_FAILED, 'x'), 6],
  [new IOError(IOErrorEnum.PROXY_AUTH_FAILED, 'x'), 6],
  [new IOError(IOErrorEnum.PROXY_NEED_AUTH, 'x'), 6],
  [new IOError(IOErrorEnum.PROXY_NOT_ALLOWED, 'x'), 6],
  [new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'x'), 7],
  [new TlsError(TlsErrorEnum.HANDSHAKE, 'x'), 7],
  [new IOError(IOErrorEnum.CANCELLED, 'x'), 8],
];
for (const [error, status] of cases) {
  test(`${error.domain} ${error.codeName} → exit ${status}`, () => {
    assert.equal(exitStatusFor(error), status);
  });
}

test('describeError: <domain> <CODE_NAME>: <message>', () => {
  assert.equal(
    describeError(
      new IOError(IOErrorEnum.CONNECTION_REFUSED, 'Could not connect to 127.0.0.1: Connection refused'),
    ),
    'g-io-error-quark CONNECTION_REFUSED: Could not connect to 127.0.0.1: Connection refused',
  );
  assert.equal(
    describeError(new IOError(CONNECTION_CLOSED, 'gone')),
    'g-io-error-quark CONNECTION_CLOSED: gone',
  );
});
