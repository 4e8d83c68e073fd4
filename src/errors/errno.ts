import { IOErrorEnum } from './enums.js';
import { GError, IOError, cancelledError } from './gerror.js';

/** gio/gioerror.c g_io_error_from_errno, keyed by the errno name Node reports in `err.code`. */
const ERRNO_TO_IO: Readonly<Record<string, IOErrorEnum>> = {
  EEXIST: IOErrorEnum.EXISTS,
  EISDIR: IOErrorEnum.IS_DIRECTORY,
  EACCES: IOErrorEnum.PERMISSION_DENIED,
  EPERM: IOErrorEnum.PERMISSION_DENIED,
  ENAMETOOLONG: IOErrorEnum.FILENAME_TOO_LONG,
  ENOENT: IOErrorEnum.NOT_FOUND,
  ENOTDIR: IOErrorEnum.NOT_DIRECTORY,
  ENXIO: IOErrorEnum.NOT_REGULAR_FILE,
  ENODEV: IOErrorEnum.NO_SUCH_DEVICE,
  EROFS: IOErrorEnum.READ_ONLY,
  ETXTBSY: IOErrorEnum.BUSY,
  ELOOP: IOErrorEnum.TOO_MANY_LINKS,
  ENOSPC: IOErrorEnum.NO_SPACE,
  ENOMEM: IOErrorEnum.NO_SPACE,
  EMFILE: IOErrorEnum.TOO_MANY_OPEN_FILES,
  ENFILE: IOErrorEnum.TOO_MANY_OPEN_FILES,
  EINVAL: IOErrorEnum.INVALID_ARGUMENT,
  EPIPE: IOErrorEnum.BROKEN_PIPE,
  EAGAIN: IOErrorEnum.WOULD_BLOCK,
  EWOULDBLOCK: IOErrorEnum.WOULD_BLOCK,
  ENOSYS: IOErrorEnum.NOT_SUPPORTED,
  EBADF: IOErrorEnum.FAILED,
  EFAULT: IOErrorEnum.FAILED,
  EINTR: IOErrorEnum.FAILED,
  EIO: IOErrorEnum.FAILED,
  EMLINK: IOErrorEnum.TOO_MANY_LINKS,
  ENOMSG: IOErrorEnum.INVALID_DATA,
  ENODATA: IOErrorEnum.INVALID_DATA,
  EBADMSG: IOErrorEnum.INVALID_DATA,
  ECANCELED: IOErrorEnum.CANCELLED,
  ENOTEMPTY: IOErrorEnum.NOT_EMPTY,
  ENOTSUP: IOErrorEnum.NOT_SUPPORTED,
  EOPNOTSUPP: IOErrorEnum.NOT_SUPPORTED,
  EPROTONOSUPPORT: IOErrorEnum.NOT_SUPPORTED,
  ESOCKTNOSUPPORT: IOErrorEnum.NOT_SUPPORTED,
  EPFNOSUPPORT: IOErrorEnum.NOT_SUPPORTED,
  EAFNOSUPPORT: IOErrorEnum.NOT_SUPPORTED,
  ETIMEDOUT: IOErrorEnum.TIMED_OUT,
  EBUSY: IOErrorEnum.BUSY,
  EADDRINUSE: IOErrorEnum.ADDRESS_IN_USE,
  EHOSTUNREACH: IOErrorEnum.HOST_UNREACHABLE,
  ENETUNREACH: IOErrorEnum.NETWORK_UNREACHABLE,
  ENETDOWN: IOErrorEnum.NETWORK_UNREACHABLE,
  ECONNREFUSED: IOErrorEnum.CONNECTION_REFUSED,
  // GLib 2.81+ (the 2.74 value FAILED was a bug: the address is simply not usable here).
  EADDRNOTAVAIL: IOErrorEnum.CONNECTION_REFUSED,
  ECONNRESET: IOErrorEnum.BROKEN_PIPE,
  ENOTCONN: IOErrorEnum.NOT_CONNECTED,
  EDESTADDRREQ: IOErrorEnum.DESTINATION_UNSET,
  EMSGSIZE: IOErrorEnum.MESSAGE_TOO_LARGE,
  ENOTSOCK: IOErrorEnum.INVALID_ARGUMENT,
};

/** glibc's strerror() wording; libuv's texts are lower-case and differ from what GIO prints. */
const GLIBC_STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  EWOULDBLOCK: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ETXTBSY: 'Text file busy',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EMLINK: 'Too many links',
  EPIPE: 'Broken pipe',
  ENAMETOOLONG: 'File name too long',
  ENOSYS: 'Function not implemented',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  ENOMSG: 'No message of desired type',
  ENODATA: 'No data available',
  EBADMSG: 'Bad message',
  ENOTSOCK: 'Socket operation on non-socket',
  EDESTADDRREQ: 'Destination address required',
  EMSGSIZE: 'Message too long',
  EPROTOTYPE: 'Protocol wrong type for socket',
  ENOPROTOOPT: 'Protocol not available',
  EPROTONOSUPPORT: 'Protocol not supported',
  ESOCKTNOSUPPORT: 'Socket type not supported',
  EOPNOTSUPP: 'Operation not supported',
  ENOTSUP: 'Operation not supported',
  EPFNOSUPPORT: 'Protocol family not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable',
  ECONNABORTED: 'Software caused connection abort',
  ECONNRESET: 'Connection reset by peer',
  ENOBUFS: 'No buffer space available',
  EISCONN: 'Transport endpoint is already connected',
  ENOTCONN: 'Transport endpoint is not connected',
  ETIMEDOUT: 'Connection timed out',
  ECONNREFUSED: 'Connection refused',
  EHOSTDOWN: 'Host is down',
  EHOSTUNREACH: 'No route to host',
  ECANCELED: 'Operation canceled',
};

export function ioErrorCodeFromErrno(errnoName: string | undefined): IOErrorEnum {
  return (errnoName !== undefined && ERRNO_TO_IO[errnoName]) || IOErrorEnum.FAILED;
}

export function strerror(errnoName: string | undefined, fallback = 'Unknown error'): string {
  return (errnoName !== undefined && GLIBC_STRERROR[errnoName]) || fallback;
}

/**
 * Turns whatever a Node API threw into a GError, so no raw Node error escapes the library.
 * GErrors pass through; AbortErrors become CANCELLED; system errors use the errno table.
 * `prefix` goes before the message (g_prefix_error): a system error is then made once, with it,
 * instead of being made and then copied with the prefix.
 */
export function toGError(err: unknown, prefix = ''): GError {
  if (err instanceof GError) return prefix === '' ? err : err.withPrefix(prefix);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err.name === 'AbortError' || code === 'ABORT_ERR') return prefixed(cancelledError(err), prefix);
    if (code === 'ERR_SOCKET_CONNECTION_TIMEOUT') {
      return new IOError(IOErrorEnum.TIMED_OUT, prefix + 'Socket I/O timed out', { cause: err });
    }
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
      return new IOError(ioErrorCodeFromErrno(code), prefix + strerror(code, err.message), { cause: err });
    }
    return new IOError(IOErrorEnum.FAILED, prefix + err.message, { cause: err });
  }
  return new IOError(IOErrorEnum.FAILED, prefix + String(err));
}

function prefixed(error: GError, prefix: string): GError {
  return prefix === '' ? error : error.withPrefix(prefix);
}
