import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IOErrorEnum, ResolverErrorEnum } from '../../src/errors/enums.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { serviceLookupError } from '../../src/resolver/dns-errors.js';

describe('serviceLookupError (c-ares code → gthreadedresolver SRV error)', () => {
  const rrname = '_imap._tcp.mail.test';
  const notFound = `No DNS record of the requested type for “${rrname}”`;
  const temporary = `Temporarily unable to resolve “${rrname}”`;
  const internal = `Error resolving “${rrname}”`;
  const table: readonly [string, ResolverErrorEnum, string][] = [
    ['ENOTFOUND', ResolverErrorEnum.NOT_FOUND, notFound],
    ['ENODATA', ResolverErrorEnum.NOT_FOUND, notFound],
    ['ENONAME', ResolverErrorEnum.NOT_FOUND, notFound],
    ['ESERVFAIL', ResolverErrorEnum.TEMPORARY_FAILURE, temporary],
    ['ETIMEOUT', ResolverErrorEnum.TEMPORARY_FAILURE, temporary],
    ['ECONNREFUSED', ResolverErrorEnum.TEMPORARY_FAILURE, temporary],
    ['EREFUSED', ResolverErrorEnum.TEMPORARY_FAILURE, temporary],
    ['EBADRESP', ResolverErrorEnum.INTERNAL, internal],
    ['EFORMERR', ResolverErrorEnum.INTERNAL, internal],
    ['ENOTIMP', ResolverErrorEnum.INTERNAL, internal],
    ['EBADNAME', ResolverErrorEnum.INTERNAL, internal],
    ['EWHATEVER', ResolverErrorEnum.INTERNAL, internal],
  ];
  for (const [code, expected, message] of table) {
    it(`${code} → ${ResolverErrorEnum[expected]}`, () => {
      const cause = Object.assign(new Error(`querySrv ${code} ${rrname}`), { code });
      const err = serviceLookupError(cause, rrname);
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, expected);
      assert.equal(err.message, message);
      assert.equal(err.cause, cause);
    });
  }

  it('ECANCELLED → IOError CANCELLED', () => {
    const err = serviceLookupError(Object.assign(new Error('cancelled'), { code: 'ECANCELLED' }), rrname);
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.CANCELLED);
  });

  it('a GError passes through unchanged', () => {
    const original = new IOError(IOErrorEnum.FAILED, 'Invalid domain');
    assert.equal(serviceLookupError(original, rrname), original);
  });

  it('a non-Error value still becomes INTERNAL', () => {
    const err = serviceLookupError('weird', rrname);
    assert.ok(err instanceof ResolverError);
    assert.equal(err.code, ResolverErrorEnum.INTERNAL);
  });
});
