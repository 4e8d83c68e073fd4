// One SecureContext per distinct set of context options, so the system store (a few hundred
// roots) is loaded once, not per handshake; a changed option, even inside an array, is a miss.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedSecureContext } from '../../src/tls/secure-context-cache.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';

describe('cachedSecureContext', () => {
  it('reuses a context for the same values; a different value or an edited array is a new one', (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI not installed (needed to make certificates)')) return;
    const p = testPki();
    const ca = [p.ca];
    const first = cachedSecureContext({ ca, minVersion: 'TLSv1.2' });
    assert.equal(cachedSecureContext({ ca, minVersion: 'TLSv1.2' }), first);
    // Options that are not part of a context (SNI, ALPN, session) do not matter.
    assert.equal(cachedSecureContext({ ca, minVersion: 'TLSv1.2', servername: 'x.example' }), first);
    assert.notEqual(cachedSecureContext({ ca, minVersion: 'TLSv1.3' }), first);
    ca.push(p.otherCa);
    const edited = cachedSecureContext({ ca, minVersion: 'TLSv1.2' });
    assert.notEqual(edited, first);
    assert.equal(cachedSecureContext({ ca: [p.ca, p.otherCa], minVersion: 'TLSv1.2' }), edited);
  });

  it('invalid context options throw (the connection turns that into INVALID_ARGUMENT)', () => {
    assert.throws(() => cachedSecureContext({ minVersion: 'TLSv0.9' as 'TLSv1' }));
  });
});
