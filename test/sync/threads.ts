import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript fixture. Node 20 does not apply the parent's `--import tsx`
 * inside workers, so the bootstrap registers tsx itself (as src/sync/channel.ts does).
 */
export function startTsWorker(fixture: URL, workerData: unknown): Worker {
  const loader = import.meta.resolve('tsx/esm/api');
  const source =
    `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(fixture.href)}); })` +
    `.catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(source, { eval: true, workerData, execArgv: [] });
}

/** Resolves with the worker's exit code (bounded: rejects after `ms`). */
export function workerExit(worker: Worker, ms = 15_000): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('worker did not exit in time'));
    }, ms);
    worker.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
