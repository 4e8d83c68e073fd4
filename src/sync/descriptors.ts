/**
 * The sync engine thread needs a few file descriptors of its own before it runs any JavaScript
 * (its event loop's epoll and wake-up descriptors). When the process has none left, Node reports
 * the failure (ERR_WORKER_INIT_FAILED) only as an event on the calling thread's event loop —
 * which a blocked caller never runs. So the caller checks first, synchronously, and fails the
 * way a socket() call would: IOError TOO_MANY_OPEN_FILES "Too many open files".
 */
import { closeSync, openSync } from 'node:fs';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { strerror } from '../errors/errno.js';

/**
 * Descriptors a worker needs to start (4 measured on Linux with Node 20), with room for reading
 * the engine's modules and for the connection's socket.
 */
const WORKER_DESCRIPTORS = 8;

/** Throws TOO_MANY_OPEN_FILES when fewer than WORKER_DESCRIPTORS descriptors can be opened now. */
export function checkDescriptors(): void {
  const opened: number[] = [];
  try {
    for (let i = 0; i < WORKER_DESCRIPTORS; i++) opened.push(openSync('/dev/null', 'r'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Anything else (no /dev/null in a sandbox) proves nothing: let the worker try.
    if (code === 'EMFILE' || code === 'ENFILE') throw outOfDescriptors(code);
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}

/** GIO's error for EMFILE / ENFILE (g_io_error_from_errno). */
export function outOfDescriptors(code: 'EMFILE' | 'ENFILE' = 'EMFILE'): IOError {
  return new IOError(IOErrorEnum.TOO_MANY_OPEN_FILES, strerror(code));
}
