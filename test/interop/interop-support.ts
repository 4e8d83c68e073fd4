// Shared steps of the interop tests: negotiate through a real daemon with our Proxy
// implementations over a plain net.connect, then prove the tunnel with an echo round trip.
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { IOError } from '../../src/errors/gerror.js';
import { getProxyForProtocol } from '../../src/proxy/proxy.js';
import type { IOStream } from '../../src/connection/io-stream.js';
import { appRead, proxyAddress, tcpConnect, type ProxyAddressOptions } from '../proxy/peer.js';

export interface Tunnel {
  readonly stream: IOStream;
  close(): Promise<void>;
}

/** Negotiates with the registered Proxy for `opts.protocol`; rejects with its error (socket closed). */
export async function tunnel(proxyPort: number, opts: ProxyAddressOptions): Promise<Tunnel> {
  const proxy = getProxyForProtocol(opts.protocol);
  assert.ok(proxy, `no Proxy registered for ${opts.protocol}`);
  const address = proxyAddress(proxyPort, opts);
  const connection = await tcpConnect(address);
  try {
    const stream = await proxy.connect(connection, address);
    return { stream, close: () => stream.close() };
  } catch (err) {
    connection.destroy();
    throw err;
  }
}

/** Writes a line through the tunnel and expects the echo server's copy back. */
export async function assertEcho(stream: Duplex, text = `ping ${Date.now()}\n`): Promise<void> {
  stream.write(text);
  assert.equal((await appRead(stream, Buffer.byteLength(text))).toString(), text);
}

/** Asserts an IOError with exactly this code and message. */
export async function rejectsWith(promise: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof IOError, String(err));
    assert.equal(err.code, code, `${err.codeName}: ${err.message}`);
    assert.equal(err.message, message);
    return true;
  });
}
