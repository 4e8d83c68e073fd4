import { parseArgs } from 'node:util';
import { InetAddress, InetSocketAddress, SocketFamily, SocketType, TlsCertificateFlags } from '../index.js';
import { MAX_TIMER_MS } from '../timeout-value.js';
import { redactUri } from '../address/uri.js';
import { parseResolveEntry, parseNoProxyFor, type ResolveEntry } from './resolve-args.js';

import { UsageError } from './usage-error.js';

export { UsageError };

/** `--tls` and its companions; file names are read when the client is made. */
export interface TlsSettings {
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly alpn: readonly string[] | null;
  /** The client's tls-validation-flags: VALIDATE_ALL unless --validation-flags / --insecure. */
  readonly validationFlags: TlsCertificateFlags;
}

/** Everything `gsocketclient [options] TARGET` needs, validated. */
export interface ConnectCommand {
  readonly kind: 'connect';
  /**
   * `host:port`, `[v6]:port`, `host` (with --default-port) or a URI (`scheme://…`); with
   * --service, the DOMAIN whose SRV records are looked up.
   */
  readonly target: string;
  /** --service: connect_to_service(TARGET, service) instead of a host or URI. */
  readonly service: string | null;
  /** --dns-server: ask these DNS servers (a DnsResolver) instead of the system resolver. */
  readonly dnsServers: readonly string[];
  readonly tls: TlsSettings | null;
  readonly defaultPort: number;
  /** Seconds; 0 = none (the client's `timeout` property). */
  readonly timeout: number;
  readonly family: SocketFamily;
  readonly localAddress: InetSocketAddress | null;
  readonly type: SocketType;
  /** Proxy URI for every destination (a SimpleProxyResolver); null = the default resolver. */
  readonly proxy: string | null;
  readonly enableProxy: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
  /** `-z`: connect, report, close; no relay. */
  readonly zeroIo: boolean;
  /** `--sync`: the blocking API (connectSync, blocking read/write) instead of the Promise API. */
  readonly sync: boolean;
  /** `--timings`: a curl-style summary of the phase timings after connecting. */
  readonly timings: boolean;
  /** `--waterfall`: the attempts drawn on a time axis after connecting (or failing). */
  readonly waterfall: boolean;
  /** `--resolve HOST:PORT:ADDR` entries, in order (a PinnedResolver, see resolve-args.ts). */
  readonly resolve: readonly ResolveEntry[];
  /** `--no-proxy-for LIST`: extra ignore-hosts entries for the proxy resolver. */
  readonly noProxyFor: readonly string[];
  /** `--explain-proxy`: print which proxies TARGET would use and why; connect nothing. */
  readonly explainProxy: boolean;
  /** `--proxy-loopback`: the environment's proxies apply to loopback destinations too. */
  readonly proxyLoopback: boolean;
}

export type Command =
  { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'demo' } | ConnectCommand;

/**
 * The option table for node:util parseArgs. Long names follow GIO's property names where one
 * exists (`--timeout`, `--local-address`, `--default-port`); short ones follow netcat.
 */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  'zero-io': { type: 'boolean', short: 'z' },
  'default-port': { type: 'string' },
  timeout: { type: 'string', short: 'w' },
  ipv4: { type: 'boolean', short: '4' },
  ipv6: { type: 'boolean', short: '6' },
  'local-address': { type: 'string', short: 's' },
  udp: { type: 'boolean', short: 'u' },
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean' },
  service: { type: 'string' },
  'dns-server': { type: 'string', multiple: true },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  alpn: { type: 'string' },
  'validation-flags': { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  sync: { type: 'boolean' },
  timings: { type: 'boolean' },
  waterfall: { type: 'boolean' },
  resolve: { type: 'string', multiple: true },
  'no-proxy-for': { type: 'string', multiple: true },
  'explain-proxy': { type: 'boolean' },
  'proxy-loopback': { type: 'boolean' },
} as const;

/** Options that configure TLS and so only make sense with --tls. */
const TLS_ONLY = ['ca', 'cert', 'key', 'alpn', 'validation-flags', 'insecure'] as const;

/** Parses argv (without node and the script). Throws UsageError for anything malformed. */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(rephraseParseError(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  if (positionals.length === 0) throw new UsageError('missing TARGET (host:port or URI)');
  if (positionals.length > 1) {
    // A forgotten --proxy leaves a proxy URI here: never echo its password.
    const shown = positionals.map((p) => redactUri(p)).join(' ');
    throw new UsageError(`expected one TARGET, got ${positionals.length}: ${shown}`);
  }
  const target = positionals[0];
  if (target === 'demo') return { kind: 'demo' };
  if (target === '') throw new UsageError('TARGET must not be empty');

  if (values.ipv4 && values.ipv6) throw new UsageError('-4 and -6 cannot be used together');
  if (values.proxy !== undefined && values['no-proxy']) {
    throw new UsageError('--proxy and --no-proxy cannot be used together');
  }
  if (values.json && values.verbose) throw new UsageError('--json and -v cannot be used together');
  if (values['no-proxy-for'] !== undefined && values['no-proxy']) {
    throw new UsageError('--no-proxy-for and --no-proxy cannot be used together');
  }
  if (values['explain-proxy'] && values.service !== undefined) {
    throw new UsageError('--explain-proxy needs a host:port or URI TARGET, not --service');
  }
  const udp = values.udp ?? false;
  if (udp && values.proxy !== undefined)
    throw new UsageError('--proxy needs TCP: proxies carry streams only');
  if (udp && values.tls) throw new UsageError('--tls needs TCP');
  if (values.service !== undefined) {
    if (values.service === '') throw new UsageError('--service must not be empty');
    if (target.includes(':') || target.includes('/')) {
      throw new UsageError(`with --service, TARGET is a domain name, not '${redactUri(target)}'`);
    }
    if (values['default-port'] !== undefined)
      throw new UsageError('--default-port does not apply to --service');
    if (udp) throw new UsageError('--service looks up _SERVICE._tcp records: it cannot be used with --udp');
  }

  return {
    kind: 'connect',
    target,
    service: values.service ?? null,
    dnsServers: (values['dns-server'] ?? []).map(parseDnsServer),
    tls: parseTls(values),
    defaultPort: values['default-port'] === undefined ? 0 : parsePort(values['default-port']),
    timeout: values.timeout === undefined ? 0 : parseSeconds(values.timeout),
    family: values.ipv4 ? SocketFamily.IPV4 : values.ipv6 ? SocketFamily.IPV6 : SocketFamily.INVALID,
    localAddress: values['local-address'] === undefined ? null : parseLocalAddress(values['local-address']),
    type: udp ? SocketType.DATAGRAM : SocketType.STREAM,
    proxy: values.proxy ?? null,
    enableProxy: !values['no-proxy'],
    verbose: values.verbose ?? false,
    json: values.json ?? false,
    zeroIo: values['zero-io'] ?? false,
    sync: values.sync ?? false,
    timings: values.timings ?? false,
    waterfall: values.waterfall ?? false,
    resolve: (values.resolve ?? []).map(parseResolveEntry),
    noProxyFor: (values['no-proxy-for'] ?? []).flatMap(parseNoProxyFor),
    explainProxy: values['explain-proxy'] ?? false,
    proxyLoopback: values['proxy-loopback'] ?? false,
  };
}

/** Node's parseArgs messages explain `--` at length; a usage line needs only the option. */
function rephraseParseError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // "Option '-w, --timeout <value>' argument missing", "Unknown option '-x'": name the option.
  const quoted = /'([^']*)'/.exec(e.message ?? '')?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(/[ ,]/)[0];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (e.message.includes('argument missing')) return `option '${option}' needs a value`;
      if (e.message.includes('ambiguous')) {
        return `option '${option}' needs a value (write ${option}=VALUE for one starting with '-')`;
      }
      return `option '${option}' does not take a value`;
    default:
      return e.message ?? String(err);
  }
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--default-port: '${text}' is not a port number (0-65535)`);
  }
  return Number(text);
}

/** Seconds as a decimal number; the client property takes fractions. */
function parseSeconds(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(seconds) || Math.round(seconds * 1000) > MAX_TIMER_MS) {
    throw new UsageError(`--timeout: '${text}' is not a number of seconds`);
  }
  return seconds;
}

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function parseTls(values: ParsedValues): TlsSettings | null {
  if (!values.tls) {
    const stray = TLS_ONLY.find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --tls`);
    return null;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError('--cert and --key go together');
  }
  if (values.insecure && values['validation-flags'] !== undefined) {
    throw new UsageError('--insecure and --validation-flags cannot be used together');
  }
  const alpn = values.alpn === undefined ? null : values.alpn.split(',').map((p) => p.trim());
  if (alpn && alpn.some((p) => p === '' || Buffer.byteLength(p) > 255)) {
    throw new UsageError(`--alpn: '${values.alpn}' is not a comma-separated list of protocol names`);
  }
  return {
    caFile: values.ca ?? null,
    certFile: values.cert ?? null,
    keyFile: values.key ?? null,
    alpn,
    validationFlags: values.insecure
      ? TlsCertificateFlags.NO_FLAGS
      : values['validation-flags'] === undefined
        ? TlsCertificateFlags.VALIDATE_ALL
        : parseValidationFlags(values['validation-flags']),
  };
}

/** `UNKNOWN_CA,BAD_IDENTITY` (or `|`-separated, any case); `NO_FLAGS` and `VALIDATE_ALL` too. */
export function parseValidationFlags(text: string): TlsCertificateFlags {
  let flags = 0;
  for (const raw of text.split(/[,|]/)) {
    const name = raw.trim().toUpperCase();
    const value = (TlsCertificateFlags as unknown as Record<string, unknown>)[name];
    if (typeof value !== 'number') {
      const known = Object.keys(TlsCertificateFlags).filter((k) => Number.isNaN(Number(k)));
      throw new UsageError(`--validation-flags: unknown flag '${raw.trim()}' (known: ${known.join(', ')})`);
    }
    flags |= value;
  }
  return flags;
}

/** `IP`, `IP:PORT`, `[IPv6]:PORT` → what DnsResolver's `servers` takes. */
function parseDnsServer(text: string): string {
  let address: InetSocketAddress;
  try {
    address = parseLocalAddress(text);
  } catch {
    throw new UsageError(`--dns-server: '${text}' is not IP[:PORT]`);
  }
  const host = address.address.toString();
  if (address.port === 0) return host;
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

/** `IP`, `IP:PORT`, `IPv6`, `[IPv6]` or `[IPv6]:PORT`; port 0 (any) when none is given. */
export function parseLocalAddress(text: string): InetSocketAddress {
  let host = text;
  let portText: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2] ?? null;
  } else if (text.indexOf(':') === text.lastIndexOf(':') && text.includes(':')) {
    // Exactly one colon: IPv4 with a port. Two or more: a bare IPv6 literal.
    [host, portText] = text.split(':');
  }
  const address = InetAddress.newFromString(host);
  if (!address) throw new UsageError(`--local-address: '${text}' is not an IP address`);
  if (portText !== null && (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)) {
    throw new UsageError(`--local-address: '${portText}' is not a port number`);
  }
  return new InetSocketAddress(address, portText === null ? 0 : Number(portText));
}
