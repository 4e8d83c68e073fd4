import { domainToASCII } from 'node:url';
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';

/**
 * A strict GUri splitter: glib/guri.c `g_uri_split_internal` with flags NONE, which is what
 * g_network_address_parse_uri, g_proxy_resolver_lookup's validity check
 * and GProxyAddressEnumerator's userinfo split use. Written out rather than built on
 * WHATWG `URL`, whose rules differ (it rewrites hosts, accepts bad escapes, knows special schemes).
 */

export interface NetworkUriParts {
  /** Lower-cased, as GUri returns it. */
  readonly scheme: string;
  /** Without brackets; reg-names %-decoded and IDNA-converted; an IPv6 zone is `%<decoded zone>`. */
  readonly host: string;
  /** -1 when absent or empty. */
  readonly port: number;
}

export interface UriWithUserParts extends NetworkUriParts {
  /** %-decoded; null when the URI has no userinfo. */
  readonly username: string | null;
  /** %-decoded; null when the userinfo has no `:`. */
  readonly password: string | null;
}

/** g_uri_split_network(uri, G_URI_FLAGS_NONE): throws IOError INVALID_ARGUMENT `Invalid URI ‘<uri>’`. */
export function splitNetworkUri(uri: string): NetworkUriParts {
  const parts = splitOrNull(uri, false);
  // A destination URI may carry a password too (`http://u:pw@h:99999/`): never in a message.
  if (!parts) throw invalidUri(typeof uri === 'string' ? redactUri(uri) : String(uri));
  return { scheme: parts.scheme, host: parts.host, port: parts.port };
}

/**
 * g_uri_split_with_user(uri, G_URI_FLAGS_HAS_PASSWORD), for proxy URIs: the username is the
 * userinfo up to its first `:`, the password the rest, both %-decoded (`us%40er:p%3Ass` →
 * `us@er` / `p:ss`). Like splitNetworkUri it requires a scheme and a host. The error message
 * carries the URI with its userinfo masked: proxy credentials never reach an error message.
 */
export function splitUriWithUser(uri: string): UriWithUserParts {
  const parts = splitOrNull(uri, true);
  if (!parts) throw invalidUri(redactUri(uri));
  return parts;
}

/** g_uri_is_valid(uri, G_URI_FLAGS_NONE): an absolute URI whose every component parses. */
export function isValidUri(uri: string): boolean {
  if (typeof uri !== 'string') return false;
  try {
    return splitInternal(uri, false).scheme !== null;
  } catch (err) {
    if (err instanceof UriSyntaxError) return false;
    throw err;
  }
}

/**
 * g_uri_join(NONE, scheme, NULL, host, port, "", NULL, NULL), as GNetworkAddress builds the
 * destination URI for the proxy resolver (g_proxy_resolver_lookup): `<scheme>://<host>:<port>`, the port
 * always present. An IPv6 literal is bracketed with `%` escaped (`[fe80::1%25lo]`); any other host is
 * escaped as a reg-name (sub-delims and UTF-8 kept, host case kept).
 */
export function joinNetworkUri(scheme: string, host: string, port: number): string {
  const joinedHost =
    host.includes(':') && hostnameIsIpAddress(host)
      ? `[${uriEscape(host, ':')}]`
      : uriEscape(host, SUB_DELIMS);
  return `${scheme}://${joinedHost}:${port}`;
}

/**
 * The URI with the userinfo of its authority replaced by `***`, for messages and logs. Works on
 * malformed input too: the userinfo is whatever precedes the last `@` of the authority.
 */
export function redactUri(uri: string): string {
  const m = /^([^/?#]*:)?\/\/([^/?#]*)@/.exec(uri);
  if (!m) return uri;
  return `${m[1] ?? ''}//***@${uri.slice(m[0].length)}`;
}

/**
 * g_hostname_is_ip_address (glib/ghostutils.c), ported as is: a strict dotted quad (no leading
 * zeros) or an IPv6 address, which may carry a non-empty `%zone`.
 */
export function hostnameIsIpAddress(hostname: string): boolean {
  let p = 0;
  const s = hostname;
  const isHex = (i: number): boolean => i < s.length && /[0-9A-Fa-f]/.test(s[i]);
  const isDigit = (i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';

  if (s.includes(':')) {
    let nsegments = 0;
    let skipped = false;
    let v4 = false;
    while (p < s.length && s[p] !== '%' && nsegments < 8) {
      // Every segment after the first is preceded by ':' (also half of a leading "::").
      if (p !== 0 || (s[0] === ':' && s[1] === ':')) {
        if (s[p] !== ':') return false;
        p++;
      }
      if (s[p] === ':' && !skipped) {
        skipped = true;
        nsegments++;
        if (p + 1 >= s.length) p++; // the string ends with "::"
        continue;
      }
      let end = p;
      while (isHex(end)) end++;
      if (end === p || end > p + 4) return false;
      if (s[end] === '.') {
        // An IPv4 tail stands for the last two segments.
        if ((nsegments === 6 && !skipped) || (nsegments <= 6 && skipped)) {
          v4 = true;
          break;
        }
        return false;
      }
      nsegments++;
      p = end;
    }
    if (!v4) return (p >= s.length || (s[p] === '%' && p + 1 < s.length)) && (nsegments === 8 || skipped);
  }

  // N.N.N.N with each N <= 255 and no leading zeros.
  for (let n = 0; n < 4; n++) {
    if (n !== 0) {
      if (s[p] !== '.') return false;
      p++;
    }
    let end: number;
    let octet = 0;
    if (s[p] === '0') end = p + 1;
    else {
      for (end = p; isDigit(end); end++) {
        octet = 10 * octet + (s.charCodeAt(end) - 48);
        if (octet > 255) break;
      }
    }
    if (end === p || end > p + 3 || octet > 255) return false;
    p = end;
  }
  return p >= s.length;
}

// ---------------------------------------------------------------------------------------------

const SUB_DELIMS = "!$&'()*+,;=";

/** Signals a syntax error inside the parser; never escapes this module. */
class UriSyntaxError extends Error {}

const fail = (): never => {
  throw new UriSyntaxError();
};

const invalidUri = (shown: string): IOError =>
  new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid URI ‘${shown}’`);

interface Split {
  readonly scheme: string | null;
  readonly host: string | null;
  readonly port: number;
  readonly username: string | null;
  readonly password: string | null;
}

function splitOrNull(uri: string, withUser: boolean): UriWithUserParts | null {
  if (typeof uri !== 'string') return null;
  try {
    const s = splitInternal(uri, withUser);
    // g_uri_split_network: "is not an absolute URI" / "has no host component".
    if (s.scheme === null || s.host === null) return null;
    return { scheme: s.scheme, host: s.host, port: s.port, username: s.username, password: s.password };
  } catch (err) {
    if (err instanceof UriSyntaxError) return null;
    throw err;
  }
}

/** g_uri_split_internal with flags NONE (strict: no whitespace clean-up, first `@`, bad `%` fails). */
function splitInternal(uri: string, withUser: boolean): Split {
  // C strings end at NUL, and a JS string with a lone surrogate has no UTF-8 form: neither is a
  // URI GLib could have been given.
  if (uri.includes('\0') || /\p{Cs}/u.test(uri)) fail();

  let scheme: string | null = null;
  let p = 0;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(uri);
  if (m) {
    scheme = m[0].slice(0, -1).toLowerCase();
    p = m[0].length;
  }

  let host: string | null = null;
  let port = -1;
  let username: string | null = null;
  let password: string | null = null;

  if (uri.startsWith('//', p)) {
    p += 2;
    const pathStart = indexOfAny(uri, '/?#', p);
    const at = uri.indexOf('@', p);
    if (at >= 0 && at < pathStart) {
      // Strict mode: the userinfo ends at the *first* '@' (`user@host@other` → host `host@other`).
      const userinfo = uri.slice(p, at);
      decode(userinfo);
      if (withUser) {
        const colon = userinfo.indexOf(':');
        username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
        password = colon >= 0 ? decode(userinfo.slice(colon + 1)) : null;
      }
      p = at + 1;
    }

    // A bracketed host's port colon must come right after the ']'.
    let colon = -1;
    if (uri[p] === '[') {
      const bracket = uri.indexOf(']', p);
      if (bracket >= 0 && bracket < pathStart && uri[bracket + 1] === ':' && bracket + 1 < pathStart) {
        colon = bracket + 1;
      }
    } else {
      const c = uri.indexOf(':', p);
      if (c >= 0 && c < pathStart) colon = c;
    }
    const hostEnd = colon >= 0 ? colon : pathStart;
    host = parseHost(uri.slice(p, hostEnd));
    // `host:` (empty port) counts as no port.
    if (colon >= 0 && colon !== pathStart - 1) port = parsePort(uri.slice(colon + 1, pathStart));
    p = pathStart;
  }

  // Path, query and fragment are not returned, but must decode (valid escapes, valid UTF-8).
  const hash = uri.indexOf('#', p);
  const end = hash >= 0 ? hash : uri.length;
  if (hash >= 0) decode(uri.slice(hash + 1));
  const question = uri.indexOf('?', p);
  const pathEnd = question >= 0 && question < end ? question : end;
  if (pathEnd < end) decode(uri.slice(pathEnd + 1, end));
  decode(uri.slice(p, pathEnd));

  return { scheme, host, port, username, password };
}

function indexOfAny(s: string, chars: string, from: number): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i])) return i;
  return s.length;
}

/** guri.c parse_host. */
function parseHost(text: string): string {
  if (text.startsWith('[')) return parseIpLiteral(text);
  // An IP address written plainly is kept as is.
  if (text.length > 0 && text[0] >= '0' && text[0] <= '9' && hostnameIsIpAddress(text)) return text;
  const decoded = decode(text);
  // "Illegal encoded IP address": %-encoding an IP (`%31.2.3.4`) is not allowed.
  if (hostnameIsIpAddress(decoded)) fail();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(decoded)) {
    const ascii = domainToASCII(decoded);
    return ascii === '' ? fail() : ascii; // "Illegal internationalized hostname"
  }
  return decoded;
}

/**
 * guri.c parse_ip_literal, RFC 6874: `[IPv6]` or `[IPv6%25zone]`, the zone %-decoded. A bare `%`
 * (only accepted by GUri's relaxed mode), IPv4 in brackets and IPvFuture are errors.
 */
function parseIpLiteral(text: string): string {
  if (!text.endsWith(']') || text.length < 2) fail();
  const addr = text.slice(1, -1);
  const pct = addr.indexOf('%');
  const bare = pct >= 0 ? addr.slice(0, pct) : addr;
  let zone: string | null = null;
  if (pct >= 0) {
    const rest = addr.slice(pct);
    if (rest.length >= 4 && rest[1] === '2' && rest[2] === '5') zone = rest.slice(3);
    else fail();
  }
  if (!hostnameIsIpAddress(bare) || !bare.includes(':')) fail();
  return zone !== null ? `${bare}%${decode(zone)}` : bare;
}

/** guri.c parse_port: digits only (strtoul's sign and space are refused first), at most 65535. */
function parsePort(text: string): number {
  if (!/^[0-9]+$/.test(text)) fail();
  const value = Number(text);
  return value > 65535 ? fail() : value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * guri.c uri_decoder in strict mode: every `%` must be followed by two hex digits, and the
 * decoded bytes must be UTF-8 without NUL (g_utf8_validate with a length refuses NUL).
 */
function decode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(); // "Invalid %-encoding in URI"
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
    }
  }
  if (bytes.includes(0)) fail();
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return fail(); // "Non-UTF-8 characters in URI"
  }
}

/** glib's _uri_encoder with allow_utf8: unreserved and `allowed` stay, UTF-8 stays, the rest is %XX. */
function uriEscape(text: string, allowed: string): string {
  let out = '';
  for (const ch of text.replace(/\p{Cs}/gu, '\uFFFD')) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || /[A-Za-z0-9\-._~]/.test(ch) || allowed.includes(ch)) out += ch;
    else out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
