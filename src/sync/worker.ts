/**
 * Entry of the sync engine worker (started by channel.ts through a small bootstrap that has
 * already arranged for the caller to be woken when this thread exits).
 */
import { workerData } from 'node:worker_threads';
import type { WorkerBoot } from './channel.js';
import { STATE, WORKER_RUNNING, type CallerMessage } from './protocol.js';
import { WorkerEngine } from './worker-engine.js';

const boot = workerData as WorkerBoot;
const control = new Int32Array(boot.control);
const engine = new WorkerEngine(boot.port, control);
boot.port.on('message', (message: CallerMessage) => engine.handle(message));
Atomics.store(control, STATE, WORKER_RUNNING);
