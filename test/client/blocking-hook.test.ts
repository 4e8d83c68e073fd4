// client/ does not import sync/ (docs/architecture.md, "Layering"): SocketClient's …Sync methods
// call the entry points src/sync/sync-connect.ts installs. This file imports the client module
// alone first, then loads sync-connect the way the package entry point does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SocketClient } from '../../src/client/socket-client.js';
import { NetworkAddress } from '../../src/address/network-address.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { IOError } from '../../src/errors/gerror.js';

function isCode(code: IOErrorEnum, message: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof IOError, `expected IOError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  };
}

describe('SocketClient …Sync methods and the blocking engine', () => {
  it('without src/sync loaded, each throws IOError NOT_SUPPORTED naming what to import', () => {
    const client = new SocketClient();
    const missing = isCode(
      IOErrorEnum.NOT_SUPPORTED,
      /^The blocking API needs its engine: import gsocketclient/,
    );
    assert.throws(() => client.connectSync(new NetworkAddress('127.0.0.1', 1)), missing);
    assert.throws(() => client.connectToHostSync('127.0.0.1', 1), missing);
    assert.throws(() => client.connectToUriSync('tcp://127.0.0.1:1', 1), missing);
    assert.throws(() => client.connectToServiceSync('example.test', 'http'), missing);
  });

  it('once src/sync/sync-connect.ts is loaded, the methods reach it (its own argument errors)', async () => {
    await import('../../src/sync/sync-connect.js');
    const client = new SocketClient();
    // Errors sync-connect.ts throws before any engine work: the parsers', then its own.
    assert.throws(
      () => client.connectToHostSync('[::1', 1),
      isCode(IOErrorEnum.INVALID_ARGUMENT, /^Hostname “\[::1” contains “\[” but not “\]”$/),
    );
    assert.throws(
      () => client.connectToUriSync('no uri', 1),
      isCode(IOErrorEnum.INVALID_ARGUMENT, /^Invalid URI ‘no uri’$/),
    );
    const custom = { enumerate: () => null, proxyEnumerate: () => null, toString: () => 'custom' };
    assert.throws(
      () => client.connectSync(custom as never),
      isCode(IOErrorEnum.NOT_SUPPORTED, /^The blocking API cannot use the connectable/),
    );
  });
});
