import type { promises as dnsPromises } from 'node:dns';
import { raceCancellable, type Cancellable } from '../cancellable.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { serviceLookupError } from './dns-errors.js';
import { hostnameToAscii } from './host-checks.js';
import { SrvTarget } from './srv-target.js';

/** g_resolver_get_service_rrname: `_service._protocol.domain`, the domain IDNA-converted. */
export function serviceRrname(service: string, protocol: string, domain: string): string {
  const ascii = hostnameToAscii(domain);
  if (ascii === null || ascii === '') throw new IOError(IOErrorEnum.FAILED, 'Invalid domain');
  return `_${service}._${protocol}.${ascii}`;
}

/**
 * SRV query through a c-ares channel. Returns the records as received; ordering per RFC 2782
 * is the caller's (NetworkService) job so the random source can be injected.
 * TODO(issue 3): malformed-answer handling and the full error table are tested there.
 */
export async function lookupServiceWith(
  makeChannel: () => dnsPromises.Resolver,
  service: string,
  protocol: string,
  domain: string,
  cancellable: Cancellable | null,
): Promise<SrvTarget[]> {
  cancellable?.throwIfCancelled();
  const rrname = serviceRrname(service, protocol, domain);
  const channel = makeChannel();
  const work = channel.resolveSrv(rrname).then(
    (records) => records.map((r) => new SrvTarget(r.name === '' ? '.' : r.name, r.port, r.priority, r.weight)),
    (err: unknown) => {
      throw serviceLookupError(err, rrname);
    },
  );
  return raceCancellable(work, cancellable, () => channel.cancel());
}
