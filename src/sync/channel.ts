/**
 * The calling thread's side of the sync engine: one worker thread per calling thread, started
 * at the first blocking call and `unref()`ed, so it never keeps the process alive.
 *
 * While a call blocks, this thread does not run its event loop: it sleeps in Atomics.wait on
 * the SEQ word of a shared control block, and reads the worker's messages synchronously with
 * receiveMessageOnPort. The worker posts, then bumps SEQ and notifies: no busy-waiting, no
 * polling. Requests go the other way with postMessage, which the worker's own event loop
 * receives whatever this thread is doing.
 *
 * Calls can nest (an 'event' listener may call read() on another connection while a connect
 * blocks), so messages are sorted into one queue per call; a queue only holds what its call's
 * request produced, which bounds it (see docs/sync.md).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { checkDescriptors, outOfDescriptors } from './descriptors.js';
import {
  CONTROL_BYTES,
  FAILURE,
  OUT_OF_DESCRIPTORS,
  SEQ,
  STATE,
  WORKER_BOOTED,
  WORKER_GONE,
  WORKER_RUNNING,
  WORKER_STARTING,
  type CallerMessage,
  type WorkerMessage,
  type WorkerStats,
} from './protocol.js';

/**
 * How long a new worker may take to get its engine running: normally well under a second. The
 * bound only matters when the thread cannot start at all (Node reports that as an event on this
 * thread's loop, which a blocked caller never runs) or its module loading stalls.
 */
const WORKER_BOOT_BOUND_MS = 15_000;

/** What the worker entry receives as workerData. */
export interface WorkerBoot {
  readonly port: MessagePort;
  readonly control: SharedArrayBuffer;
}

export class EngineChannel {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #queues = new Map<number, WorkerMessage[]>();
  #nextCall = 1;
  #gone = false;
  readonly #bootDeadline: number;

  constructor() {
    checkDescriptors();
    const { port1, port2 } = new MessageChannel();
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.#port = port1;
    this.#control = new Int32Array(control);
    const boot: WorkerBoot = { port: port2, control };
    this.#worker = startWorker(boot, [port2]);
    // Errors and exit reach this thread's event loop only when it is not blocked; a blocked
    // call learns of an exit from the GONE state the worker sets on its way out.
    this.#worker.on('error', () => this.#markGone());
    this.#worker.on('exit', () => this.#markGone());
    this.#worker.unref();
    this.#bootDeadline = performance.now() + WORKER_BOOT_BOUND_MS;
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  /** A new call id, with its message queue. */
  open(): number {
    const call = this.#nextCall++;
    this.#queues.set(call, []);
    return call;
  }

  /** The call is over: late messages for it are dropped. */
  close(call: number): void {
    this.#queues.delete(call);
  }

  post(message: CallerMessage, transfer?: ArrayBuffer[]): void {
    this.#checkAlive();
    this.#port.postMessage(message, transfer);
  }

  /** Blocks the calling thread until a message for `call` arrives. */
  receive(call: number): WorkerMessage {
    // Never null: the condition below never holds.
    return this.receiveUnless(call, never)!;
  }

  /**
   * Blocks until a message for `call` arrives (returned) or `ready()` holds (null). `ready` reads
   * shared memory the worker changes before it bumps SEQ (the write ring's progress), so the
   * same wake-up serves both.
   */
  receiveUnless(call: number, ready: () => boolean): WorkerMessage | null {
    const queue = this.#queues.get(call);
    if (!queue) throw new IOError(IOErrorEnum.FAILED, 'Internal error: receive on a closed sync call');
    for (;;) {
      const queued = queue.shift();
      if (queued) return queued;
      // Read SEQ before looking at the port and at `ready`: the worker bumps SEQ after posting
      // or changing shared memory, so the wait below returns at once instead of sleeping past it.
      const seq = Atomics.load(this.#control, SEQ);
      if (ready()) return null;
      const received = receiveMessageOnPort(this.#port);
      if (received) {
        const message = received.message as WorkerMessage;
        this.#queues.get(message.call)?.push(message);
        continue;
      }
      this.#checkAlive();
      if (Atomics.load(this.#control, STATE) === WORKER_RUNNING) {
        Atomics.wait(this.#control, SEQ, seq);
        continue;
      }
      // Not running yet: wait no longer than the boot bound, then give the thread up.
      const left = this.#bootDeadline - performance.now();
      if (left <= 0 || Atomics.wait(this.#control, SEQ, seq, left) === 'timed-out') this.#checkBooted();
    }
  }

  /**
   * Blocks until `ready()` holds (true) or `timeoutMs` passed (false; 0: no limit), for a wait on
   * shared memory the worker changes before it bumps SEQ (the read ring). Messages that arrive
   * meanwhile go to their calls' queues.
   */
  waitUntil(ready: () => boolean, timeoutMs: number): boolean {
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    for (;;) {
      // SEQ before `ready`, as in receiveUnless.
      const seq = Atomics.load(this.#control, SEQ);
      if (ready()) return true;
      const received = receiveMessageOnPort(this.#port);
      if (received) {
        const message = received.message as WorkerMessage;
        this.#queues.get(message.call)?.push(message);
        continue;
      }
      this.#checkAlive();
      const left = deadline - performance.now();
      if (left <= 0) return false;
      // The worker runs (a ring exists only on a connection it returned).
      Atomics.wait(this.#control, SEQ, seq, left === Infinity ? undefined : left);
    }
  }

  #checkAlive(): void {
    if (!this.#gone && Atomics.load(this.#control, STATE) !== WORKER_GONE) return;
    this.#markGone();
    if (Atomics.load(this.#control, FAILURE) === OUT_OF_DESCRIPTORS) throw outOfDescriptors();
    throw new IOError(IOErrorEnum.FAILED, 'The sync engine thread stopped unexpectedly');
  }

  /** Past the boot bound: a thread that is not running is given up (the next call starts another). */
  #checkBooted(): void {
    const state = Atomics.load(this.#control, STATE);
    if (state === WORKER_RUNNING) return;
    this.#markGone();
    void this.#worker.terminate().catch(() => undefined);
    // Most likely the descriptors ran out between the check and the start.
    checkDescriptors();
    throw new IOError(
      IOErrorEnum.FAILED,
      state === WORKER_BOOTED
        ? 'The sync engine thread did not load its engine'
        : 'The sync engine thread did not start',
    );
  }

  #markGone(): void {
    this.#gone = true;
    if (current === this) current = null;
  }
}

const never = (): boolean => false;

let current: EngineChannel | null = null;

/** This thread's engine, started on first use (again if the previous one died). */
export function engine(): EngineChannel {
  current ??= new EngineChannel();
  return current;
}

/**
 * Internal, for leak tests: what the worker holds now (connections, operations, handles).
 * Starts the worker if it is not running.
 */
export function syncEngineStats(): WorkerStats & { readonly threadId: number } {
  const channel = engine();
  const call = channel.open();
  try {
    channel.post({ op: 'stats', call });
    const reply = channel.receive(call);
    if (reply.kind !== 'stats') throw new IOError(IOErrorEnum.FAILED, `Unexpected ${reply.kind} reply`);
    return { ...reply.stats, threadId: channel.threadId };
  } finally {
    channel.close(call);
  }
}

/**
 * The worker is started from a tiny CommonJS bootstrap that first arranges for the caller to be
 * woken if the worker ever exits (even before the engine module loaded), then imports the
 * engine. From compiled JavaScript that is worker-bundle.js (or worker.js) beside this file.
 * From TypeScript sources (tests run under tsx) it is worker.ts, and the worker needs the
 * TypeScript loader too: Node 20 does not apply a parent's `--import` hooks inside workers, so
 * the bootstrap registers tsx itself.
 */
function startWorker(boot: WorkerBoot, transferList: MessagePort[]): Worker {
  const compiled = new URL('./worker.js', import.meta.url);
  // The build's single-file bundle of worker.js loads three times faster (scripts/postbuild.mjs).
  const bundled = new URL('./worker-bundle.js', import.meta.url);
  const fromSources = !existsSync(fileURLToPath(compiled));
  const entry = fromSources
    ? new URL('./worker.ts', import.meta.url)
    : existsSync(fileURLToPath(bundled))
      ? bundled
      : compiled;
  const loader = fromSources ? import.meta.resolve('tsx/esm/api') : null;
  const source = [
    `const { workerData } = require('node:worker_threads');`,
    `const control = new Int32Array(workerData.control);`,
    `Atomics.compareExchange(control, ${STATE}, ${WORKER_STARTING}, ${WORKER_BOOTED});`,
    // The exit handler runs on every way out (end, uncaught error, process.exit in the worker).
    `process.on('exit', () => { Atomics.store(control, ${STATE}, ${WORKER_GONE}); Atomics.add(control, ${SEQ}, 1); Atomics.notify(control, ${SEQ}); });`,
    // A module that cannot be read for want of descriptors: say so before exiting.
    `const failed = (e) => { if (e && (e.code === 'EMFILE' || e.code === 'ENFILE')) Atomics.store(control, ${FAILURE}, ${OUT_OF_DESCRIPTORS}); process.exit(1); };`,
    loader === null
      ? `import(${JSON.stringify(entry.href)}).catch(failed);`
      : `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); }).catch(failed);`,
  ].join('\n');
  return new Worker(source, {
    eval: true,
    workerData: boot,
    transferList,
    // Under tsx the parent's loader flags would only get in the way of the explicit register().
    execArgv: fromSources ? [] : workerFlags(process.execArgv),
  });
}

/**
 * The parent's Node flags for the worker, minus `--input-type`: the bootstrap is CommonJS, and a
 * parent started with `node --input-type=module -e …` would make it fail before its first line.
 */
function workerFlags(flags: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (flag === '--input-type') i++;
    else if (!flag.startsWith('--input-type=')) kept.push(flag);
  }
  return kept;
}
