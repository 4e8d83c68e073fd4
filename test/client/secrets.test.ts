// Issue 10 item 5: a password in a destination URI never reaches an error message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOError, IOErrorEnum, NetworkAddress, SimpleProxyResolver, SocketClient } from '../../src/index.js';

function assertRedacted(err: unknown, shown: string): true {
  assert.ok(err instanceof IOError, String(err));
  assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
  assert.equal(err.message, `Invalid URI ‘${shown}’`);
  return true;
}

describe('URIs with userinfo are shown redacted in errors', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['http://u:pw@h:99999/', 'http://***@h:99999/'],
    ['https://user:secret@[::1/', 'https://***@[::1/'],
    ['ftp://joe:pw%zz@h/', 'ftp://***@h/'],
  ];
  for (const [uri, shown] of cases) {
    it(`${shown}: connectToUri, connectToUriSync, parseUri, a proxy resolver lookup`, async () => {
      const client = new SocketClient({ enableProxy: false });
      await assert.rejects(client.connectToUri(uri, 80), (e) => assertRedacted(e, shown));
      assert.throws(
        () => client.connectToUriSync(uri, 80),
        (e) => assertRedacted(e, shown),
      );
      assert.throws(
        () => NetworkAddress.parseUri(uri, 80),
        (e) => assertRedacted(e, shown),
      );
      await assert.rejects(new SimpleProxyResolver(null).lookup(uri), (e) => assertRedacted(e, shown));
    });
  }
});
