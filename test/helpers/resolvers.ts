import {
  InetAddress,
  Resolver,
  ResolverError,
  ResolverErrorEnum,
  ResolverNameLookupFlags,
  SocketFamily,
  type Cancellable,
  type ProxyResolver,
  type SrvTarget,
} from '../../src/index.js';

export interface FakeAnswer {
  readonly v4?: readonly string[] | 'NXDOMAIN';
  readonly v6?: readonly string[] | 'NXDOMAIN';
  readonly v4DelayMs?: number;
  readonly v6DelayMs?: number;
}

/**
 * An in-process resolver with fixed answers, so no test ever reaches the system DNS. Unknown
 * names answer NXDOMAIN (GIO's message). Every query is recorded.
 */
export class FakeResolver extends Resolver {
  readonly queries: { name: string; flags: ResolverNameLookupFlags }[] = [];
  readonly #answers: ReadonlyMap<string, FakeAnswer>;

  constructor(answers: Record<string, FakeAnswer> = {}) {
    super();
    this.#answers = new Map(Object.entries(answers));
  }

  protected async lookupAddresses(
    name: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    this.queries.push({ name, flags });
    const answer = this.#answers.get(name);
    const family =
      flags === ResolverNameLookupFlags.IPV4_ONLY ? 4 : flags === ResolverNameLookupFlags.IPV6_ONLY ? 6 : 0;
    const part = async (f: 4 | 6): Promise<InetAddress[]> => {
      const list = f === 4 ? answer?.v4 : answer?.v6;
      const delay = (f === 4 ? answer?.v4DelayMs : answer?.v6DelayMs) ?? 0;
      if (delay > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delay);
          cancellable?.connect(() => {
            clearTimeout(timer);
            reject(cancellable.error());
          });
        });
      }
      if (!answer || list === 'NXDOMAIN' || list === undefined) {
        throw new ResolverError(
          ResolverErrorEnum.NOT_FOUND,
          `Error resolving “${displayName}”: Name or service not known`,
        );
      }
      return list
        .map((a) => InetAddress.newFromString(a)!)
        .filter((a) => a.family === (f === 4 ? SocketFamily.IPV4 : SocketFamily.IPV6));
    };
    if (family !== 0) return part(family);
    const [v6, v4] = await Promise.allSettled([part(6), part(4)]);
    const out = [
      ...(v6.status === 'fulfilled' ? v6.value : []),
      ...(v4.status === 'fulfilled' ? v4.value : []),
    ];
    if (out.length === 0 && v4.status === 'rejected') throw v4.reason;
    return out;
  }

  async lookupService(): Promise<SrvTarget[]> {
    throw new ResolverError(ResolverErrorEnum.NOT_FOUND, 'FakeResolver has no SRV records');
  }
}

/** Keeps the environment's proxy settings out of direct-connection tests. */
export const DIRECT: ProxyResolver = { isSupported: () => true, lookup: async () => ['direct://'] };
