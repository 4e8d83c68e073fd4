// A timeout longer than a Node timer holds (2^31-1 ms) would fire after 1 ms with a
// TimeoutOverflowWarning. Such values are refused with INVALID_ARGUMENT; the largest accepted one
// (2,147,483.647 s) is a real timer that leaves a connection alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOErrorEnum, SocketClient } from '../../src/index.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer } from '../helpers/servers.js';

const LARGEST = 2_147_483.647;

describe('timeouts beyond a Node timer', () => {
  it('the largest timeout and connectTimeout: the connect succeeds and the connection lives on, no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const echo = await startEchoServer('127.0.0.1');
    try {
      const c = new SocketClient({ timeout: LARGEST, connectTimeout: LARGEST, proxyResolver: DIRECT });
      const conn = await c.connectToHost(`127.0.0.1:${echo.port}`, 0);
      let failure: Error | null = null;
      conn.stream.on('error', (e: Error) => (failure = e));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(failure, null);
      assert.equal(conn.stream.destroyed, false, 'not killed by a 1 ms timer');
      const reply = new Promise<Buffer>((resolve) => conn.stream.once('data', resolve));
      conn.stream.write('ping');
      assert.equal((await reply).toString(), 'ping');
      await conn.close();
      assert.deepEqual(
        warnings.filter((w) => w.name === 'TimeoutOverflowWarning').map((w) => w.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
      await echo.close();
    }
  });

  it('one ms more is refused with INVALID_ARGUMENT, by the accessors and the constructor', () => {
    const c = new SocketClient();
    for (const value of [2_147_483.648, 2 ** 31, 1e12]) {
      assert.throws(() => (c.timeout = value), { code: IOErrorEnum.INVALID_ARGUMENT });
      assert.throws(() => c.setConnectTimeout(value), { code: IOErrorEnum.INVALID_ARGUMENT });
      assert.throws(() => new SocketClient({ timeout: value }), { code: IOErrorEnum.INVALID_ARGUMENT });
    }
    assert.equal(c.timeout, 0);
    assert.equal(c.connectTimeout, 0);
  });
});
