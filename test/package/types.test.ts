// The package as a TypeScript user meets it: the emitted declarations (built with stripInternal)
// must compile for a consumer with full library checking, expose the public API through every
// subpath of the `exports` map, and no longer expose the internal helpers.
// Runs the built package (npm test builds before the tests run).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runTsc } from './tsc.js';

const CONSUMER = `
import {
  Cancellable,
  GError,
  InetAddress,
  InetSocketAddress,
  IOError,
  IOErrorEnum,
  ListAddressEnumerator,
  NetworkAddress,
  ProxyAddressEnumerator,
  SocketClient,
  SocketFamily,
  type SocketConnectable,
} from 'gsocketclient';
import { UndiciAgent, createUndiciConnector } from 'gsocketclient/undici';
import { HttpAgent, HttpsAgent } from 'gsocketclient/http';
import { ConnectError, connectedSocket, deferredSocket } from 'gsocketclient/socket';
// @ts-expect-error internal helper, not part of the public API
import { toGError } from 'gsocketclient';
// @ts-expect-error internal helper, not part of the public API
import { raceCancellable } from 'gsocketclient';
// @ts-expect-error internal constant, not part of the public API
import { RESOLUTION_DELAY_MS } from 'gsocketclient';

export async function main(): Promise<string | null> {
  const client = new SocketClient();
  const cancellable = new Cancellable();
  try {
    const conn = await client.connectToHost('127.0.0.1:1', 0, cancellable);
    await conn.close();
    return null;
  } catch (err) {
    if (err instanceof GError && err.matches(IOError, IOErrorEnum.CONNECTION_REFUSED)) return err.nodeCode;
    throw err;
  }
}

// A connectable of one's own, as GIO allows (GSocketConnectable implemented by the application).
const loopback = new InetSocketAddress(InetAddress.newLoopback(SocketFamily.IPV4), 80);
export const own: SocketConnectable = {
  enumerate: () => new ListAddressEnumerator([loopback]),
  proxyEnumerate: (opts) => new ProxyAddressEnumerator(own, 'none://127.0.0.1:80', opts),
  toString: () => 'own',
};
export const used = [
  NetworkAddress.parse('localhost:80', 0),
  toGError,
  raceCancellable,
  RESOLUTION_DELAY_MS,
  UndiciAgent,
  createUndiciConnector,
  HttpAgent,
  HttpsAgent,
  ConnectError,
  connectedSocket,
  deferredSocket,
];
`;

describe('package: TypeScript consumers', () => {
  it('the emitted .d.ts files compile for a consumer (skipLibCheck off) and hide internals', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-types-'));
    try {
      await mkdir(join(dir, 'node_modules'));
      await symlink(ROOT, join(dir, 'node_modules', 'gsocketclient'), 'dir');
      await writeFile(join(dir, 'consumer.ts'), CONSUMER);
      const { code, output } = await runTsc(dir, [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        'false',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules', '@types'),
        'consumer.ts',
      ]);
      assert.equal(code, 0, `tsc failed:\n${output}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
