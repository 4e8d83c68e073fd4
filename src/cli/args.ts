import { parseArgs } from 'node:util';
import { InetAddress, InetSocketAddress, SocketFamily, SocketType } from '../index.js';

/** A command-line mistake: printed as `gsocketclient: <message>` with a --help hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Everything `gsocketclient [options] TARGET` needs, validated. */
export interface ConnectCommand {
  readonly kind: 'connect';
  /** `host:port`, `[v6]:port`, `host` (with --default-port) or a URI (`scheme://…`). */
  readonly target: string;
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
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'demo' }
  | ConnectCommand;

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
} as const;

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
    throw new UsageError(`expected one TARGET, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const target = positionals[0];
  if (target === 'demo') return { kind: 'demo' };
  if (target === '') throw new UsageError('TARGET must not be empty');

  if (values.ipv4 && values.ipv6) throw new UsageError('-4 and -6 cannot be used together');
  if (values.proxy !== undefined && values['no-proxy']) {
    throw new UsageError('--proxy and --no-proxy cannot be used together');
  }
  if (values.json && values.verbose) throw new UsageError('--json and -v cannot be used together');
  const udp = values.udp ?? false;
  if (udp && values.proxy !== undefined) throw new UsageError('--proxy needs TCP: proxies carry streams only');

  return {
    kind: 'connect',
    target,
    defaultPort: values['default-port'] === undefined ? 0 : parsePort(values['default-port']),
    timeout: values.timeout === undefined ? 0 : parseSeconds(values.timeout),
    family: values.ipv4 ? SocketFamily.IPV4 : values.ipv6 ? SocketFamily.IPV6 : SocketFamily.INVALID,
    localAddress:
      values['local-address'] === undefined ? null : parseLocalAddress(values['local-address']),
    type: udp ? SocketType.DATAGRAM : SocketType.STREAM,
    proxy: values.proxy ?? null,
    enableProxy: !values['no-proxy'],
    verbose: values.verbose ?? false,
    json: values.json ?? false,
    zeroIo: values['zero-io'] ?? false,
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
  if (!Number.isFinite(seconds) || seconds > 2 ** 31 / 1000) {
    throw new UsageError(`--timeout: '${text}' is not a number of seconds`);
  }
  return seconds;
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
