import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net.connect that answers every name with `addresses`, in that order, without a
 * query: the baseline's counterpart of a PinnedResolver, so both sides try the same list.
 */
export function fixedLookup(
  addresses: readonly string[],
): (host: string, opts: LookupOneOptions | LookupAllOptions, cb: LookupCallback) => void {
  const all: LookupAddress[] = addresses.map((address) => ({
    address,
    family: address.includes(':') ? 6 : 4,
  }));
  return (_host, opts, cb) => {
    if ((opts as LookupAllOptions).all === true) process.nextTick(cb, null, all);
    else process.nextTick(cb, null, all[0].address, all[0].family);
  };
}

/** `n` distinct IPv4 loopback addresses: 127.0.0.1, 127.0.0.2, … (127.0.1.0 after 127.0.0.255). */
export function loopbackAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    return `127.0.${k >> 8}.${k & 0xff}`;
  });
}
