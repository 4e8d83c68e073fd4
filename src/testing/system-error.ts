import { constants } from 'node:os';

/**
 * An error shaped as Node's system errors are (`connect ECONNREFUSED 192.0.2.1:443`, with
 * `errno`, `code`, `syscall`, `address`, `port`), so the library maps it to the same GIO error
 * as a real socket's (g_io_error_from_errno).
 */
export function systemError(
  code: keyof typeof constants.errno,
  syscall: string,
  address?: string,
  port?: number,
): NodeJS.ErrnoException {
  const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
  const err: NodeJS.ErrnoException & { address?: string; port?: number } = new Error(
    `${syscall} ${code}${where}`,
  );
  err.errno = -constants.errno[code];
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}
