import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellable, IOError, IOErrorEnum } from '../src/index.js';
import { LinkedCancellable, errorForAbortReason, raceCancellable } from '../src/cancellable.js';

describe('Cancellable', () => {
  it('cancel() aborts its signal, runs handlers once, and reports CANCELLED', () => {
    const c = new Cancellable();
    const signal = c.signal;
    let calls = 0;
    c.connect(() => calls++);
    assert.equal(c.isCancelled(), false);
    c.cancel();
    c.cancel();
    assert.equal(calls, 1);
    assert.equal(signal.aborted, true);
    assert.throws(() => c.throwIfCancelled(), {
      code: IOErrorEnum.CANCELLED,
      message: 'Operation was cancelled',
    });
  });

  it('a signal asked for after cancellation is already aborted', () => {
    const c = new Cancellable();
    c.cancel();
    assert.equal(c.signal.aborted, true);
    assert.ok(c.signal.reason instanceof IOError);
  });

  it('connect() on a cancelled object calls back at once and returns 0; disconnect() removes a handler', () => {
    const c = new Cancellable();
    let calls = 0;
    const id = c.connect(() => calls++);
    c.disconnect(id);
    assert.equal(c.handlerCount, 0);
    c.cancel();
    assert.equal(calls, 0);
    assert.equal(
      c.connect(() => calls++),
      0,
    );
    assert.equal(calls, 1);
  });

  it('fromSignal() follows an AbortSignal; AbortSignal.timeout() maps to TIMED_OUT', async () => {
    const ac = new AbortController();
    const c = Cancellable.fromSignal(ac.signal);
    ac.abort();
    assert.equal(c.isCancelled(), true);
    assert.equal(c.error().code, IOErrorEnum.CANCELLED);
    const t = Cancellable.fromSignal(AbortSignal.timeout(1));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.error().code, IOErrorEnum.TIMED_OUT);
    assert.equal(t.error().message, 'Socket I/O timed out');
  });

  it('errorForAbortReason keeps GErrors and maps anything else to CANCELLED', () => {
    const own = new IOError(IOErrorEnum.TIMED_OUT, 'x');
    assert.equal(errorForAbortReason(own), own);
    assert.equal(errorForAbortReason('because').code, IOErrorEnum.CANCELLED);
  });

  it('LinkedCancellable follows its parents and dispose() unlinks them', () => {
    const parent = new Cancellable();
    const ac = new AbortController();
    const linked = new LinkedCancellable(parent, ac.signal);
    assert.equal(parent.handlerCount, 1);
    linked.dispose();
    assert.equal(parent.handlerCount, 0);
    parent.cancel();
    assert.equal(linked.isCancelled(), false);
    const linked2 = new LinkedCancellable(null, ac.signal);
    ac.abort();
    assert.equal(linked2.isCancelled(), true);
  });

  it('raceCancellable rejects on cancellation, runs the teardown and leaves no handler', async () => {
    const c = new Cancellable();
    let torn = false;
    const never = new Promise<never>(() => undefined);
    const raced = raceCancellable(never, c, () => (torn = true));
    c.cancel();
    await assert.rejects(raced, { code: IOErrorEnum.CANCELLED });
    assert.equal(torn, true);
    assert.equal(c.handlerCount, 0);
    const c2 = new Cancellable();
    assert.equal(await raceCancellable(Promise.resolve(5), c2), 5);
    assert.equal(c2.handlerCount, 0);
  });
});
