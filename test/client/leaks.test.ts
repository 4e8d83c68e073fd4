// No sockets, timers or listeners of ours remain after many operations (bounded loops).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellable, IOErrorEnum, SocketClient } from '../../src/index.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';

describe('resource hygiene', () => {
  it('1 000 connect/cancel cycles leave nothing behind', async () => {
    const baseline = activeResources();
    const srv = await startEchoServer('127.0.0.1');
    const refused = await unusedPort();
    const client = new SocketClient({ proxyResolver: DIRECT });
    const shared = new Cancellable(); // reused by every operation: must not accumulate handlers
    const deadline = Date.now() + 60_000;
    let connected = 0;
    let cancelled = 0;
    try {
      for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
        const mode = i % 4;
        if (mode === 0) {
          const conn = await client.connectToHost(`127.0.0.1:${srv.port}`, 0, { cancellable: shared });
          connected++;
          await conn.close();
        } else if (mode === 1) {
          const c = new Cancellable();
          const onEvent = (e: number): void => {
            if (e === 2) c.cancel();
          };
          client.on('event', onEvent);
          await assert.rejects(client.connectToHost(`localhost:${srv.port}`, 0, { cancellable: c }), {
            code: IOErrorEnum.CANCELLED,
          });
          client.off('event', onEvent);
          cancelled++;
        } else if (mode === 2) {
          const ac = new AbortController();
          ac.abort();
          await assert.rejects(client.connectToHost(`127.0.0.1:${srv.port}`, 0, { signal: ac.signal }));
          cancelled++;
        } else {
          await assert.rejects(client.connectToHost(`localhost:${refused}`, 0, { cancellable: shared }), {
            code: IOErrorEnum.CONNECTION_REFUSED,
          });
        }
      }
    } finally {
      await srv.close();
    }
    assert.ok(connected >= 200 && cancelled >= 400, `ran ${connected} connects and ${cancelled} cancels`);
    assert.equal(shared.handlerCount, 0, 'the reused cancellable holds no handlers');
    assert.equal(client.listenerCount('event'), 0);
    assert.deepEqual(await settleLeaks(baseline, 5000), {}, 'no sockets or timers left');
  });
});
