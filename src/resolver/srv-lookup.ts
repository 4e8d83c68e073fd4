import type { promises as dnsPromises } from 'node:dns';
import { raceCancellable, type Cancellable } from '../cancellable.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { noServiceRecord, serviceLookupError } from './dns-errors.js';
import { hostnameToAscii } from './host-checks.js';
import { sortSrvTargets } from './srv-order.js';
import { SrvTarget } from './srv-target.js';

/** g_resolver_get_service_rrname: `_service._protocol.domain`, the domain IDNA-converted. */
export function serviceRrname(service: string, protocol: string, domain: string): string {
  const ascii = typeof domain === 'string' ? hostnameToAscii(domain) : null;
  if (ascii === null || ascii === '') throw new IOError(IOErrorEnum.FAILED, 'Invalid domain');
  return `_${service}._${protocol}.${ascii}`;
}

/**
 * The shared body of `Resolver.lookupService` for the c-ares based resolvers: SRV query of
 * `_service._protocol.domain` through a fresh channel (so cancelling it touches no other lookup),
 * errors mapped as gthreadedresolver maps them, result in RFC 2782 order.
 *
 * A lone `"."` target yields an empty list, as g_resolver_lookup_service does; NetworkService
 * turns that into an error.
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
    (records) => {
      // c-ares skips answer records of other types (a CNAME chain, or a server answering the
      // wrong type); none left is "no record of the requested type", as GIO reports it.
      if (records.length === 0) throw noServiceRecord(rrname);
      // c-ares reports the root target "." as the empty name.
      return sortSrvTargets(
        records.map((r) => new SrvTarget(r.name === '' ? '.' : r.name, r.port, r.priority, r.weight)),
      );
    },
    (err: unknown) => {
      throw serviceLookupError(err, rrname);
    },
  );
  return raceCancellable(work, cancellable, () => channel.cancel());
}
