// The bench peer on its own thread, for sections whose client blocks the main thread (--sync):
// a peer on the blocked event loop could never answer. Started by startBenchServerOnThread().
import { parentPort } from 'node:worker_threads';
import { startBenchServer } from './servers.js';

const port = parentPort;
if (port) {
  const server = await startBenchServer();
  port.postMessage({ port: server.port });
  port.once('message', () => {
    void server.close().then(() => port.close());
  });
}
