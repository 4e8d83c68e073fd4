// Loaded into every test process (scripts/run-tests.mjs --import). The machine rules forbid
// resolving names through the system DNS, so here every getaddrinfo lookup of a name that is
// not an IP literal or localhost, and every c-ares query sent to a non-loopback server, is
// refused (ENOTFOUND / ECONNREFUSED) and recorded; the file then fails at exit, naming it.
import dns from 'node:dns';
import { isIP } from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const violations: string[] = [];

const allowedName = (host: string): boolean => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return isIP(host) !== 0 || h === 'localhost' || h.endsWith('.localhost');
};

const loopbackServer = (server: string): boolean => {
  const host = server.startsWith('[') ? server.slice(1, server.indexOf(']')) : server.replace(/:\d+$/, '');
  return host === '::1' || host.startsWith('127.');
};

const refused = (code: string, what: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`network-guard: ${what} is not allowed in tests`), { code });

type LookupCallback = (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;
const realLookup = dns.lookup;
const guardedLookup = (hostname: string, ...args: unknown[]): void => {
  if (!allowedName(hostname)) {
    violations.push(`getaddrinfo("${hostname}")`);
    const callback = args[args.length - 1] as LookupCallback;
    process.nextTick(() => callback(refused('ENOTFOUND', `resolving "${hostname}" through the system DNS`)));
    return;
  }
  (realLookup as (...a: unknown[]) => void)(hostname, ...args);
};
(dns as { lookup: unknown }).lookup = guardedLookup;

const realPromisesLookup = dns.promises.lookup;
(dns.promises as { lookup: unknown }).lookup = (hostname: string, ...args: unknown[]): Promise<unknown> => {
  if (!allowedName(hostname)) {
    violations.push(`dns.promises.lookup("${hostname}")`);
    return Promise.reject(refused('ENOTFOUND', `resolving "${hostname}" through the system DNS`));
  }
  return (realPromisesLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...args);
};

// c-ares queries: only to DNS servers on loopback (a dnsmasq or fake server the test started).
for (const proto of [dns.Resolver.prototype, dns.promises.Resolver.prototype] as unknown as Record<
  string,
  unknown
>[]) {
  for (const method of Object.getOwnPropertyNames(proto)) {
    if (!/^(resolve|reverse)/.test(method) || typeof proto[method] !== 'function') continue;
    const real = proto[method] as (this: dns.Resolver, ...a: unknown[]) => unknown;
    proto[method] = function (this: dns.Resolver, ...args: unknown[]): unknown {
      const servers = this.getServers();
      if (!servers.every(loopbackServer)) {
        violations.push(`${method}(${String(args[0])}) via ${servers.join(',')}`);
        const err = refused('ECONNREFUSED', `a DNS query to ${servers.join(',')}`);
        const callback = args[args.length - 1];
        if (typeof callback === 'function') {
          process.nextTick(() => (callback as LookupCallback)(err));
          return undefined;
        }
        return Promise.reject(err);
      }
      return real.apply(this, args);
    };
  }
}

syncBuiltinESMExports();

process.on('exit', () => {
  if (violations.length > 0) {
    process.stderr.write(
      `\nnetwork-guard: this test file tried to use the system DNS: ${violations.join('; ')}\n`,
    );
    process.exitCode = 1;
  }
});
