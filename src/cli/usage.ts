import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const USAGE = `Usage: gsocketclient [options] TARGET
       gsocketclient [options] --service SERVICE DOMAIN
       gsocketclient demo

Connects to TARGET the way GIO's GSocketClient does (resolution, Happy Eyeballs, proxies,
TLS), then relays stdin to the connection and the connection to stdout, like netcat.

TARGET is host:port, [IPv6]:port, host (with --default-port) or a URI such as
http://example.com:8080/ (any string containing "://" is parsed as a URI).

Options:
  -z, --zero-io             connect, report and close; relay nothing
  -v, --verbose             print the event timeline on stderr
      --json                print the event timeline as NDJSON on stderr
      --default-port N      port to use when TARGET has none
  -w, --timeout SECONDS     deadline per connect stage, then an inactivity timeout
  -4, --ipv4                IPv4 sockets only
  -6, --ipv6                IPv6 sockets only
  -s, --local-address IP[:PORT]
                            bind to this address before connecting
  -u, --udp                 a connected UDP socket (type DATAGRAM) instead of TCP
      --service SERVICE     look up _SERVICE._tcp.DOMAIN (SRV) and connect to its targets
      --dns-server IP[:PORT]
                            ask this DNS server instead of the system resolver (repeatable)
      --proxy URL           use this proxy for every destination (socks5://, socks4a://,
                            socks4://, http://, https://), overriding the environment
      --no-proxy            connect directly, ignoring proxy settings
      --no-proxy-for LIST   connect directly to these hosts (comma-separated, no_proxy
                            syntax; repeatable), added to --proxy or the environment
      --proxy-loopback      let the environment's proxies carry loopback destinations
                            (localhost, 127.0.0.0/8, ::1) too; they go direct by default
      --explain-proxy       print which proxies TARGET would use and why (with --json:
                            as JSON); connects nothing
      --resolve HOST:PORT:ADDR[,ADDR...]
                            connect to ADDR when HOST is looked up for PORT (or *),
                            as curl; ADDR may be [IPv6]; repeatable
      --tls                 TLS over the connection (after any proxy)
      --ca FILE             trust only the CA certificates in FILE (PEM)
      --cert FILE --key FILE
                            client certificate and key (PEM)
      --alpn LIST           offer these ALPN protocols, e.g. h2,http/1.1
      --validation-flags LIST
                            certificate problems that fail the handshake, e.g.
                            UNKNOWN_CA,BAD_IDENTITY (default VALIDATE_ALL)
  -k, --insecure            accept any certificate (validation flags NO_FLAGS)
      --timings             print a timing summary (resolve, connect, proxy, TLS, total)
      --waterfall           draw the connection attempts on a time axis
      --sync                use the blocking API: stdin is sent in full, then the reply is
                            read until the peer closes (Ctrl-C cannot cancel in this mode)
  -h, --help                show this help
  -V, --version             show the version

demo: starts an echo server on loopback, connects to it through the library, prints the
timeline and a round trip, and exits.

Exit status: 0 success, 1 other error, 2 usage or invalid argument, 3 resolver error,
4 connection refused or unreachable, 5 timed out, 6 proxy error, 7 TLS error,
8 cancelled (Ctrl-C). See docs/cli.md.
`;

/**
 * The package version, from the package.json above this file: two levels up from src/cli when
 * run from source, three from dist/src/cli. Bounded walk, no network, no guessing beyond that.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'gsocketclient' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
