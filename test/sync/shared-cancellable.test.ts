import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Cancellable, IOError, IOErrorEnum, SharedCancellable } from '../../src/index.js';
import { LinkedCancellable } from '../../src/cancellable.js';
import { startTsWorker } from './threads.js';

describe('SharedCancellable', () => {
  it('is a Cancellable; a copy made from its buffer shares the state both ways', () => {
    const a = new SharedCancellable();
    const b = SharedCancellable.fromBuffer(a.buffer);
    assert.ok(a instanceof Cancellable);
    assert.equal(b.isCancelled(), false);
    b.cancel();
    assert.equal(a.isCancelled(), true, 'seen through the shared word');
    assert.equal(a.signal.aborted, true, 'and the local signal follows once it is seen');
    assert.throws(
      () => a.throwIfCancelled(),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.CANCELLED,
    );
  });

  it('handlers run when another thread cancels; no handler is left behind', async () => {
    const c = new SharedCancellable();
    const worker = startTsWorker(new URL('./fixtures/remote-cancel.ts', import.meta.url), {
      buffer: c.buffer,
    });
    try {
      const [ready] = (await once(worker, 'message')) as [unknown];
      assert.equal(ready, 'ready');
      c.cancel();
      const [report] = (await once(worker, 'message')) as [{ cancelled: boolean; code: number }];
      assert.deepEqual(report, { cancelled: true, code: IOErrorEnum.CANCELLED });
    } finally {
      await worker.terminate();
    }
  });

  it('links like any Cancellable and releases its handlers', () => {
    const c = new SharedCancellable();
    const linked = new LinkedCancellable(c);
    assert.equal(c.handlerCount, 1);
    linked.dispose();
    assert.equal(c.handlerCount, 0);
    const other = new LinkedCancellable(c);
    SharedCancellable.fromBuffer(c.buffer).cancel();
    assert.equal(other.isCancelled(), false, 'remote cancellation reaches handlers on a later tick');
    assert.equal(c.isCancelled(), true, 'reading the state runs them now');
    assert.equal(other.isCancelled(), true);
  });

  it('rejects a buffer that is not shared', () => {
    assert.throws(
      () => SharedCancellable.fromBuffer(new ArrayBuffer(4) as unknown as SharedArrayBuffer),
      (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
    );
  });
});
