import {
  CertificateRefusedError,
  IOErrorEnum,
  IOError,
  ResolverError,
  TlsError,
  type GError,
} from '../index.js';
import { toGError } from '../errors/errno.js';

/**
 * The CLI's exit statuses: one per class of failure, so scripts can branch without parsing
 * messages. docs/cli.md documents the same table; test/cli/exit-status.test.ts pins it.
 */
export const ExitStatus = {
  OK: 0,
  OTHER: 1,
  USAGE: 2,
  RESOLVER: 3,
  UNREACHABLE: 4,
  TIMED_OUT: 5,
  PROXY: 6,
  TLS: 7,
  CANCELLED: 8,
} as const;
export type ExitStatus = (typeof ExitStatus)[keyof typeof ExitStatus];

const IO_STATUS: ReadonlyMap<number, ExitStatus> = new Map<number, ExitStatus>([
  [IOErrorEnum.INVALID_ARGUMENT, ExitStatus.USAGE],
  // GIO reports some lookup failures in the IO domain (e.g. "Invalid hostname").
  [IOErrorEnum.HOST_NOT_FOUND, ExitStatus.RESOLVER],
  [IOErrorEnum.CONNECTION_REFUSED, ExitStatus.UNREACHABLE],
  [IOErrorEnum.HOST_UNREACHABLE, ExitStatus.UNREACHABLE],
  [IOErrorEnum.NETWORK_UNREACHABLE, ExitStatus.UNREACHABLE],
  [IOErrorEnum.TIMED_OUT, ExitStatus.TIMED_OUT],
  [IOErrorEnum.PROXY_FAILED, ExitStatus.PROXY],
  [IOErrorEnum.PROXY_AUTH_FAILED, ExitStatus.PROXY],
  [IOErrorEnum.PROXY_NEED_AUTH, ExitStatus.PROXY],
  [IOErrorEnum.PROXY_NOT_ALLOWED, ExitStatus.PROXY],
  [IOErrorEnum.CANCELLED, ExitStatus.CANCELLED],
]);

/** Maps a GError to the exit status of its class; anything unlisted is 1. */
export function exitStatusFor(error: GError): ExitStatus {
  if (error instanceof ResolverError) return ExitStatus.RESOLVER;
  if (error instanceof TlsError) return ExitStatus.TLS;
  if (error instanceof IOError) return IO_STATUS.get(error.code) ?? ExitStatus.OTHER;
  return ExitStatus.OTHER;
}

/** `<domain> <CODE_NAME>: <message>`, the form every CLI error line uses after `gsocketclient: `. */
export function describeError(error: GError): string {
  // A refused certificate names its problems: `… Unacceptable TLS certificate (UNKNOWN_CA|EXPIRED)`.
  const flags = error instanceof CertificateRefusedError ? ` (${error.certificateErrorNames})` : '';
  // A proxy failure names the proxy and where it came from; GIO's message stays as it is.
  const proxy = error.proxy ? ` (proxy ${error.proxy.uri} from ${error.proxy.source})` : '';
  return `${error.domain} ${error.codeName}: ${error.message}${flags}${proxy}`;
}

/** The part of a Reporter (reporter.ts) that reportFailure uses; named here as reporter.ts imports this module. */
interface FailureSink {
  failed(error: GError, status: ExitStatus): void;
}

/** Every command ends a failure the same way: one GError, reported once, mapped to a status. */
export function reportFailure(reporter: FailureSink, err: unknown): ExitStatus {
  const error = toGError(err);
  const status = exitStatusFor(error);
  reporter.failed(error, status);
  return status;
}
