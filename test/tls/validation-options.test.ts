// No silent off-switches (issue 9): validation flags must be GTlsCertificateFlags bits, and
// tlsOptions that would replace GIO's verification are refused with an error naming the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSecureContext } from 'node:tls';
import { IOErrorEnum, TlsCertificateFlags as F } from '../../src/errors/enums.js';
import { IOError } from '../../src/errors/gerror.js';
import { SocketClient } from '../../src/index.js';
import { flagForReason, opensslFlags } from '../../src/tls/openssl-verdict.js';
import { checkValidationFlags, refuseConflictingOptions } from '../../src/tls/validation-options.js';

const invalidArgument = (pattern: RegExp) => (e: unknown) =>
  e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT && pattern.test(e.message);

describe('validation flags and conflicting tlsOptions', () => {
  it('checkValidationFlags takes integers within VALIDATE_ALL only', () => {
    for (const ok of [0, 1, F.UNKNOWN_CA | F.EXPIRED, F.VALIDATE_ALL])
      assert.equal(checkValidationFlags(ok, 'x'), ok);
    for (const bad of [undefined, null, '1', 1.5, -1, 0x80, 0xff, Number.NaN, Infinity, {}]) {
      assert.throws(
        () => checkValidationFlags(bad, 'validationFlags'),
        invalidArgument(/^Invalid validationFlags/),
      );
    }
  });

  it('rejectUnauthorized and checkServerIdentity are refused, naming the key; others pass', () => {
    assert.throws(
      () => refuseConflictingOptions({ rejectUnauthorized: false }),
      invalidArgument(/tlsOptions\.rejectUnauthorized/),
    );
    assert.throws(
      () => refuseConflictingOptions({ checkServerIdentity: () => undefined }),
      invalidArgument(/tlsOptions\.checkServerIdentity/),
    );
    assert.throws(
      () => refuseConflictingOptions({ ca: 'x', secureContext: createSecureContext() }),
      invalidArgument(/tlsOptions\.ca cannot be combined with tlsOptions\.secureContext/),
    );
    const fine = { ca: 'x', servername: 'sni.example', rejectUnauthorized: undefined };
    assert.equal(refuseConflictingOptions(fine), fine);
  });

  it('SocketClient refuses them when tlsOptions is set', () => {
    assert.throws(
      () => new SocketClient({ tls: true, tlsOptions: { rejectUnauthorized: false } }),
      invalidArgument(/tlsOptions\.rejectUnauthorized/),
    );
    const client = new SocketClient();
    assert.throws(
      () => (client.tlsOptions = { checkServerIdentity: () => undefined }),
      invalidArgument(/tlsOptions\.checkServerIdentity/),
    );
    assert.equal(client.tlsOptions, null);
  });
});

describe('OpenSSL verdict → GTlsCertificateFlags', () => {
  it('reasons with a GIO flag map to it; any other reason is GENERIC_ERROR', () => {
    assert.equal(flagForReason('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), F.UNKNOWN_CA);
    assert.equal(flagForReason('SELF_SIGNED_CERT_IN_CHAIN'), F.UNKNOWN_CA);
    assert.equal(flagForReason('CERT_HAS_EXPIRED'), F.EXPIRED);
    assert.equal(flagForReason('CERT_NOT_YET_VALID'), F.NOT_ACTIVATED);
    assert.equal(flagForReason('CERT_REVOKED'), F.REVOKED);
    assert.equal(flagForReason('CA_MD_TOO_WEAK'), F.INSECURE);
    assert.equal(flagForReason('HOSTNAME_MISMATCH'), F.BAD_IDENTITY);
    for (const other of [
      'PATH_LENGTH_EXCEEDED',
      'INVALID_PURPOSE',
      'UNSPECIFIED',
      'PERMITTED_VIOLATION',
      'NEW_THING',
    ]) {
      assert.equal(flagForReason(other), F.GENERIC_ERROR, other);
    }
  });

  it('authorized means no flag; refused without a reason is still a flag', () => {
    assert.equal(opensslFlags(true, null), F.NO_FLAGS);
    assert.equal(opensslFlags(false, null), F.GENERIC_ERROR);
    assert.equal(opensslFlags(false, ''), F.GENERIC_ERROR);
    assert.equal(opensslFlags(false, 'CERT_HAS_EXPIRED'), F.EXPIRED);
  });
});
