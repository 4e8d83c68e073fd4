import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';

/**
 * Characters no host name, domain or zone id holds, refused wherever a name enters the library:
 * C0 and C1 controls and DEL (CR and LF would split an HTTP CONNECT request line or header, NUL
 * ends a SOCKS4a name), the Unicode line and paragraph separators, and lone surrogates (no UTF-8
 * form). GIO passes such names on verbatim; RFC 9110 section 5.5 forbids CR, LF and NUL in any field.
 */
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;

/** What is wrong with `name` as a host name (`control character U+000D`), or null when nothing. */
export function hostnameProblem(name: string): string | null {
  const m = FORBIDDEN.exec(name);
  if (!m) return null;
  const ch = m[0];
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (/\p{Cs}/u.test(ch)) return `an unpaired surrogate ${code}`;
  if (/\p{Cc}/u.test(ch)) return `the control character ${code}`;
  return `the line or paragraph separator ${code}`;
}

/**
 * Throws IOError INVALID_ARGUMENT `Invalid <what> “<escaped name>”: it contains <problem>` when
 * `name` holds a character of FORBIDDEN. The name is shown escaped, never raw.
 */
export function checkHostname(name: string, what = 'hostname'): void {
  const problem = hostnameProblem(name);
  if (problem !== null) {
    throw new IOError(
      IOErrorEnum.INVALID_ARGUMENT,
      `Invalid ${what} “${escapeForMessage(name)}”: it contains ${problem}`,
    );
  }
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\\': '\\\\',
};

/**
 * `text` safe to put in a message or a log line: controls, separators and lone surrogates as
 * `\r`, `\n`, `\0`, `\xHH` or `\u{HHHH}` (a backslash doubled, so the escape is unambiguous),
 * and at most `max` characters kept.
 */
export function escapeForMessage(text: string, max = 256): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\\]/gu, (ch) => {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
