// What the `proxy-lookup` section measures for one proxy settings source, shared by the section and
// by its GNOME child (which runs inside a private D-Bus session): the lookup rate of a resolver and
// the connect rate of a client using it, each against today's EnvironmentProxyResolver.
import { SocketClient, type ProxyResolver } from '../src/index.js';
import { compare, sequentialRate } from './measure.js';
import type { BenchRow } from './section.js';

const LOOKUPS = 20_000;
const CONNECTS = 1000;
const BASELINE = 'EnvironmentProxyResolver';

/** The URI asked of the resolvers: a remote destination, so every rule of the source is consulted. */
export const LOOKUP_URI = 'http://www.example.com:80';

/**
 * Two rows for `label`: `lookup(LOOKUP_URI)` per second with `ours` against `baseline`, and
 * connect + close to `127.0.0.1:targetPort` per second with a SocketClient using each (the
 * decision there is direct).
 */
export async function measureSource(
  scale: number,
  label: string,
  ours: ProxyResolver,
  baseline: ProxyResolver,
  targetPort: number,
  log: (message: string) => void,
): Promise<BenchRow[]> {
  const lookups = Math.max(100, Math.round(LOOKUPS * scale));
  log(`proxy-lookup: ${label}, ${lookups} lookups`);
  const lookup = (resolver: ProxyResolver) => (k: number) =>
    sequentialRate(k, async () => {
      await resolver.lookup(LOOKUP_URI);
    });
  const perLookup = await compare(lookups, lookup(ours), lookup(baseline));

  const connects = Math.max(10, Math.round(CONNECTS * scale));
  log(`proxy-lookup: ${label}, ${connects} connects`);
  const target = `127.0.0.1:${targetPort}`;
  const connect = (resolver: ProxyResolver) => {
    const client = new SocketClient({ proxyResolver: resolver });
    return (k: number) =>
      sequentialRate(k, async () => {
        const connection = await client.connectToHost(target, 0);
        await connection.close();
      });
  };
  const perConnect = await compare(connects, connect(ours), connect(baseline));
  return [
    { metric: `${label}: lookup (${lookups})`, unit: 'lookup/s', ...perLookup, baselineName: BASELINE },
    {
      metric: `${label}: connect, direct (${connects})`,
      unit: 'conn/s',
      ...perConnect,
      baselineName: BASELINE,
    },
  ];
}
