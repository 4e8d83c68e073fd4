/**
 * Node tls options across threads. Strings, numbers, Buffers and arrays or plain objects of them
 * (ca, cert, key, ALPNProtocols, `{ pem, passphrase }`, …) clone; functions (SNICallback,
 * checkServerIdentity) and native objects such as a SecureContext cannot reach the worker that
 * makes the TLS connection, so they are refused with a message that names the option.
 */
import type { ConnectionOptions } from 'node:tls';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';

export function cloneableTlsOptions(
  options: ConnectionOptions | Readonly<Record<string, unknown>>,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) {
      out[key] = undefined; // "remove this option", as TlsClientConnection.setOptions takes it
      continue;
    }
    if (!isCloneable(value, 0)) {
      throw new IOError(
        IOErrorEnum.NOT_SUPPORTED,
        `${where}.${key} cannot be used by a blocking connection: the TLS connection is made on the ` +
          'sync engine thread and this value (a function or a native object) cannot be sent there',
      );
    }
    out[key] = value;
  }
  return out;
}

function isCloneable(value: unknown, depth: number): boolean {
  if (depth > 8) return false;
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      if (ArrayBuffer.isView(value)) return true;
      if (Array.isArray(value)) return value.every((v) => isCloneable(v, depth + 1));
      if (Object.getPrototypeOf(value) === Object.prototype) {
        return Object.values(value as Record<string, unknown>).every((v) => isCloneable(v, depth + 1));
      }
      return false;
    default:
      return false;
  }
}

/** Worker side: typed arrays arrive as Uint8Array; Node's tls wants Buffers in some places. */
export function restoreBuffers<T>(value: T): T {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => restoreBuffers(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = restoreBuffers(v);
    return out as T;
  }
  return value;
}
