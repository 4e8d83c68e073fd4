import { ResolverErrorEnum } from '../errors/enums.js';
import { GError, ResolverError, cancelledError } from '../errors/gerror.js';

/** Node's getaddrinfo / c-ares error codes → GResolverError for a name lookup (§4.5). */
export function nameLookupError(err: unknown, displayName: string): GError {
  if (err instanceof GError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
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
      return new ResolverError(ResolverErrorEnum.NOT_FOUND, msg('Non-recoverable failure in name resolution'), {
        cause: err,
      });
    case 'EAI_AGAIN':
    case 'ESERVFAIL':
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return new ResolverError(ResolverErrorEnum.TEMPORARY_FAILURE, msg('Temporary failure in name resolution'), {
        cause: err,
      });
    default:
      return new ResolverError(
        ResolverErrorEnum.INTERNAL,
        msg(err instanceof Error ? err.message : 'Unknown error'),
        { cause: err },
      );
  }
}

/** c-ares error codes → GResolverError for an SRV lookup (§5: gthreadedresolver's wording). */
export function serviceLookupError(err: unknown, rrname: string): GError {
  if (err instanceof GError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECANCELLED':
      return cancelledError(err);
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'ENONAME':
      return new ResolverError(ResolverErrorEnum.NOT_FOUND, `No DNS record of the requested type for “${rrname}”`, {
        cause: err,
      });
    case 'ESERVFAIL':
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return new ResolverError(ResolverErrorEnum.TEMPORARY_FAILURE, `Temporarily unable to resolve “${rrname}”`, {
        cause: err,
      });
    default:
      return new ResolverError(ResolverErrorEnum.INTERNAL, `Error resolving “${rrname}”`, { cause: err });
  }
}
