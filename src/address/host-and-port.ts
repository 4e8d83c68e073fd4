import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { getServiceByName } from './services.js';

export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}

const invalid = (message: string): IOError => new IOError(IOErrorEnum.INVALID_ARGUMENT, message);

/**
 * g_network_address_parse's splitting rules: `host`, `host:port`,
 * `[host]`, `[host]:port`, `host:service`; a string with two or more colons and no brackets is
 * an unbracketed IPv6 literal with no port. The host is not validated at all (GIO leaves that to
 * resolution), so `""`, `":80"` and `[]` are accepted here. Only the first message is translated
 * in GIO, hence the typographic quotes in it alone.
 */
export function parseHostAndPort(input: string, defaultPort: number): HostAndPort {
  let host: string;
  let portText: string | null = null;

  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) throw invalid(`Hostname “${input}” contains “[” but not “]”`);
    const after = input.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') {
      throw invalid(
        `The ']' character (in hostname '${input}') must come at the end or be immediately followed by ':' and a port`,
      );
    }
    // Taken verbatim: neither checked to be an IP nor %-decoded (`[fe80::1%25em1]`).
    host = input.slice(1, close);
  } else {
    const colon = input.indexOf(':');
    if (colon >= 0 && !input.includes(':', colon + 1)) {
      host = input.slice(0, colon);
      portText = input.slice(colon + 1);
    } else {
      // No colon, or several: an unbracketed IPv6 literal (`::1:80` is all host).
      host = input;
    }
  }

  if (portText === null) return { host, port: defaultPort };
  return { host, port: parsePort(portText, input) };
}

function parsePort(portText: string, input: string): number {
  if (portText === '') {
    throw invalid(`If a ':' character is given, it must be followed by a port (in hostname '${input}').`);
  }
  // GIO: strtol when the first character is a digit; anything else (`-1`, `+80`, ` 80`) is a
  // service name for getservbyname(port, "tcp").
  if (portText[0] >= '0' && portText[0] <= '9') {
    const value = /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
    if (!(value <= 65535)) {
      throw invalid(`Invalid numeric port '${portText}' specified in hostname '${input}'`);
    }
    return value;
  }
  const port = getServiceByName(portText, 'tcp');
  if (port === null) throw invalid(`Unknown service '${portText}' specified in hostname '${input}'`);
  return port;
}
