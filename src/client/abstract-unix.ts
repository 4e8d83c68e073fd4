/**
 * Linux abstract Unix socket names on Node.js 20.
 *
 * An abstract name is as long as the address length says: `bind("\0name")` with the exact length
 * (socat, Python, systemd, GIO's G_UNIX_SOCKET_ADDRESS_ABSTRACT) and with the whole sockaddr_un
 * (GIO's G_UNIX_SOCKET_ADDRESS_ABSTRACT_PADDED) are two different names. libuv before 1.48
 * (Node.js 20) binds and connects abstract names with the whole sockaddr_un, padded with NULs;
 * libuv 1.48 passes the exact length (libuv pull request #4266, "linux: fix bind/connect for
 * abstract sockets"). Node.js 20 has no API that chooses the address length, so from it only
 * padded names — other Node.js 20 servers, GIO's ABSTRACT_PADDED — can be reached, and a server
 * that bound the exact name refuses the connection. That refusal is explained here instead of
 * being reported as a plain CONNECTION_REFUSED; see docs/differences.md.
 */
import { readFileSync } from 'node:fs';
import { UnixSocketAddress, type SocketAddress } from '../address/socket-address.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError, type GError } from '../errors/gerror.js';

/** True when this Node.js pads abstract names (libuv older than 1.48). */
export const PADS_ABSTRACT_NAMES = process.platform === 'linux' && olderThan(process.versions.uv, [1, 48]);

/** __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket listens. */
const LISTENING_FLAG = 0x10000;

/**
 * A refused connect to an abstract name, on a Node.js that pads such names, while a server
 * listens on the exact (unpadded) name: NOT_SUPPORTED saying why. Any other error is returned
 * unchanged.
 */
export function explainAbstractRefusal(address: SocketAddress, error: GError): GError {
  if (!PADS_ABSTRACT_NAMES || !(address instanceof UnixSocketAddress) || !address.abstract) return error;
  if (error.code !== IOErrorEnum.CONNECTION_REFUSED || !(error instanceof IOError)) return error;
  if (!listensUnpadded(address.path)) return error;
  return new IOError(
    IOErrorEnum.NOT_SUPPORTED,
    `Node.js ${process.version} (libuv ${process.versions.uv}) cannot reach the abstract socket ` +
      `@${address.toString()}: it pads abstract names to the whole sockaddr_un, and this server ` +
      'bound the exact name (Node.js 22 or later can connect)',
    { cause: error },
  );
}

/** Whether /proc/net/unix (this network namespace) lists a listener on exactly `\0name`. */
function listensUnpadded(name: string): boolean {
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'latin1');
  } catch {
    return false;
  }
  // The kernel prints an abstract name as '@' plus its bytes, each NUL shown as '@'.
  const wanted = `@${Buffer.from(name).toString('latin1').replaceAll('\0', '@')}`;
  for (const line of table.split('\n')) {
    // Num RefCount Protocol Flags Type St Inode Path
    const match = /^\s*\S+:\s+\S+\s+\S+\s+([0-9A-Fa-f]+)\s+\S+\s+\S+\s+\S+\s(.*)$/.exec(line);
    if (match?.[2] === wanted && (Number.parseInt(match[1] ?? '0', 16) & LISTENING_FLAG) !== 0) return true;
  }
  return false;
}

function olderThan(version: string | undefined, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = (version ?? '').split('.').map(Number);
  return a < major || (a === major && b < minor);
}
