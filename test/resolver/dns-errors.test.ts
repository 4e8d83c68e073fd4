import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IOErrorEnum, ResolverErrorEnum } from '../../src/errors/enums.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { nameLookupError, serviceLookupError } from '../../src/resolver/dns-errors.js';

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

describe('nameLookupError (getaddrinfo / c-ares code → gthreadedresolver name error)', () => {
  const msg = (text: string): string => `Error resolving “host.test”: ${text}`;
  // Node's dns.lookup turns both EAI_NONAME and EAI_NODATA into ENOTFOUND; the errno (libuv's
  // UV_EAI_NONAME -3008, UV_EAI_NODATA -3007) still tells them apart, as gai_strerror does in GIO.
  const table: readonly [Record<string, unknown>, ResolverErrorEnum, string][] = [
    [{ code: 'ENOTFOUND', errno: -3008 }, ResolverErrorEnum.NOT_FOUND, msg('Name or service not known')],
    [
      { code: 'ENOTFOUND', errno: -3007 },
      ResolverErrorEnum.NOT_FOUND,
      msg('No address associated with hostname'),
    ],
    // c-ares (DnsResolver) has no errno: ENOTFOUND is NXDOMAIN.
    [{ code: 'ENOTFOUND' }, ResolverErrorEnum.NOT_FOUND, msg('Name or service not known')],
    [{ code: 'ENOTFOUND', errno: 12345 }, ResolverErrorEnum.NOT_FOUND, msg('Name or service not known')],
    [
      { code: 'EAI_AGAIN', errno: -3001 },
      ResolverErrorEnum.TEMPORARY_FAILURE,
      msg('Temporary failure in name resolution'),
    ],
    [
      { code: 'EAI_FAIL', errno: -3004 },
      ResolverErrorEnum.NOT_FOUND,
      msg('Non-recoverable failure in name resolution'),
    ],
  ];
  for (const [fields, expected, message] of table) {
    it(`${JSON.stringify(fields)} → ${ResolverErrorEnum[expected]}`, () => {
      const cause = Object.assign(new Error('getaddrinfo failed'), fields);
      const err = nameLookupError(cause, 'host.test');
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, expected);
      assert.equal(err.message, message);
      assert.equal(err.cause, cause);
    });
  }
});
