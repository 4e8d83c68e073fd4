import { getSystemErrorName } from 'node:util';
import { ResolverErrorEnum } from '../errors/enums.js';
import { GError, ResolverError, cancelledError } from '../errors/gerror.js';

/**
 * The error's code, with getaddrinfo's EAI_NONAME and EAI_NODATA told apart again: Node's
 * dns.lookup reports both as `ENOTFOUND` but keeps libuv's errno (UV_EAI_NONAME, UV_EAI_NODATA),
 * and GIO words them differently (gai_strerror).
 */
function errorCode(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ENOTFOUND' && typeof e.errno === 'number' && e.errno < 0) {
    try {
      return getSystemErrorName(e.errno);
    } catch {
      // Not an errno libuv knows: keep Node's code.
    }
  }
  return e?.code;
}

/**
 * Node's getaddrinfo / c-ares error codes → GResolverError for a name lookup (g_resolver_lookup_by_name,
 * gio/gthreadedresolver.c).
 */
export function nameLookupError(err: unknown, displayName: string): GError {
  if (err instanceof GError) return err;
  const code = errorCode(err);
  const msg = (text: string): string => `Error resolving “${displayName}”: ${text}`;
  switch (code) {
    case 'ECANCELLED':
    case 'ABORT_ERR':
      return cancelledError(err);
    case 'ENOTFOUND':
    case 'ENONAME':
    case 'EAI_NONAME':
      return new ResolverError(ResolverErrorEnum.NOT_FOUND, msg('Name or service not known'), { cause: err });
    case 'ENODATA':
    case 'EAI_NODATA':
      return new ResolverError(ResolverErrorEnum.NOT_FOUND, msg('No address associated with hostname'), {
        cause: err,
      });
    case 'EAI_FAIL':
      return new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        msg('Non-recoverable failure in name resolution'),
        {
          cause: err,
        },
      );
    case 'EAI_AGAIN':
    case 'ESERVFAIL':
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return new ResolverError(
        ResolverErrorEnum.TEMPORARY_FAILURE,
        msg('Temporary failure in name resolution'),
        {
          cause: err,
        },
      );
    default:
      return new ResolverError(
        ResolverErrorEnum.INTERNAL,
        msg(err instanceof Error ? err.message : 'Unknown error'),
        { cause: err },
      );
  }
}

/**
 * c-ares error codes → GResolverError for an SRV lookup, in gio/gthreadedresolver.c's wording
 * (g_resolver_lookup_service). GIO maps res_query's h_errno: HOST_NOT_FOUND / NO_DATA → NOT_FOUND, TRY_AGAIN
 * → TEMPORARY_FAILURE, anything else → INTERNAL. glibc reports TRY_AGAIN when no server gave a usable answer
 * (timeout, unreachable, SERVFAIL, REFUSED), so those are temporary; a reply that cannot be parsed
 * (EBADRESP), FORMERR / NOTIMP and the rest are INTERNAL.
 */
export function serviceLookupError(err: unknown, rrname: string): GError {
  if (err instanceof GError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECANCELLED':
    case 'ABORT_ERR':
      return cancelledError(err);
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'ENONAME':
      return noServiceRecord(rrname, err);
    case 'ESERVFAIL':
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return new ResolverError(
        ResolverErrorEnum.TEMPORARY_FAILURE,
        `Temporarily unable to resolve “${rrname}”`,
        {
          cause: err,
        },
      );
    default:
      return new ResolverError(ResolverErrorEnum.INTERNAL, `Error resolving “${rrname}”`, { cause: err });
  }
}

/** NOT_FOUND for an SRV name: NXDOMAIN, NODATA, or an answer holding no record of the type asked. */
export function noServiceRecord(rrname: string, cause?: unknown): ResolverError {
  return new ResolverError(
    ResolverErrorEnum.NOT_FOUND,
    `No DNS record of the requested type for “${rrname}”`,
    {
      cause,
    },
  );
}
