import { readFileSync } from 'node:fs';

/**
 * getservbyname(3) for `host:service` ports (the last step of g_network_address_parse). GIO asks libc, which
 * reads /etc/services; Node has no binding, so the file is parsed here, once, on first use.
 */

/** Service name or alias → protocol → port, in file order (the first entry wins, as in glibc). */
export type ServiceTable = ReadonlyMap<string, ReadonlyMap<string, number>>;

const SERVICES_PATH = '/etc/services';

/**
 * Used only when /etc/services cannot be read (minimal containers ship without it). Ports are
 * the IANA assignments, identical for tcp and udp for all of these.
 */
const FALLBACK: readonly (readonly [port: number, names: readonly string[]])[] = [
  [7, ['echo']],
  [21, ['ftp']],
  [22, ['ssh']],
  [23, ['telnet']],
  [25, ['smtp', 'mail']],
  [53, ['domain']],
  [70, ['gopher']],
  [79, ['finger']],
  [80, ['http', 'www']],
  [110, ['pop3', 'pop-3']],
  [119, ['nntp', 'readnews', 'untp']],
  [123, ['ntp']],
  [143, ['imap', 'imap2']],
  [194, ['irc']],
  [389, ['ldap']],
  [443, ['https']],
  [465, ['submissions', 'ssmtp', 'smtps']],
  [563, ['nntps', 'snntp']],
  [587, ['submission']],
  [631, ['ipp']],
  [636, ['ldaps']],
  [873, ['rsync']],
  [990, ['ftps']],
  [993, ['imaps']],
  [995, ['pop3s']],
  [1080, ['socks']],
  [3128, ['squid']],
  [3306, ['mysql']],
  [5222, ['xmpp-client', 'jabber-client']],
  [5269, ['xmpp-server', 'jabber-server']],
  [5432, ['postgresql', 'postgres']],
  [6379, ['redis']],
  [6667, ['ircd']],
  [6697, ['ircs-u']],
];

/**
 * Parses the /etc/services format: `name port/protocol [alias ...] [# comment]`. Malformed
 * lines are skipped, as glibc's nss_files parser skips them.
 */
export function parseServices(text: string): ServiceTable {
  const table = new Map<string, Map<string, number>>();
  for (const rawLine of text.split('\n')) {
    const hash = rawLine.indexOf('#');
    const fields = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).split(/[ \t\r\f\v]+/).filter(Boolean);
    if (fields.length < 2) continue;
    const match = /^(\d{1,5})\/(\S+)$/.exec(fields[1]);
    if (!match) continue;
    const port = Number(match[1]);
    if (port > 65535) continue;
    const proto = match[2];
    for (const name of [fields[0], ...fields.slice(2)]) {
      let byProto = table.get(name);
      if (!byProto) table.set(name, (byProto = new Map<string, number>()));
      if (!byProto.has(proto)) byProto.set(proto, port);
    }
  }
  return table;
}

function fallbackTable(): ServiceTable {
  const table = new Map<string, Map<string, number>>();
  for (const [port, names] of FALLBACK) {
    for (const name of names)
      table.set(
        name,
        new Map([
          ['tcp', port],
          ['udp', port],
        ]),
      );
  }
  return table;
}

let cached: ServiceTable | null = null;

function servicesTable(): ServiceTable {
  if (cached === null) {
    try {
      cached = parseServices(readFileSync(SERVICES_PATH, 'utf8'));
    } catch {
      // Missing or unreadable: libc would find nothing at all; a small table is kinder.
      cached = fallbackTable();
    }
  }
  return cached;
}

/** The built-in table used without /etc/services (exported for tests). */
export function fallbackServices(): ServiceTable {
  return fallbackTable();
}

/**
 * getservbyname(name, proto): the port of a service name or alias, or null when unknown.
 * Names are case-sensitive, as in glibc.
 */
export function getServiceByName(
  name: string,
  proto = 'tcp',
  table: ServiceTable = servicesTable(),
): number | null {
  return table.get(name)?.get(proto) ?? null;
}
