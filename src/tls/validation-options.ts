import type { ConnectionOptions } from 'node:tls';
import { IOErrorEnum, TlsCertificateFlags } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';

/**
 * Node tls options that would switch off or replace the verification GIO's validation flags and
 * accept-certificate handlers govern. Passing them silently did nothing before; now it is an
 * error naming the key, so a caller never believes a check is off (or on) when it is not.
 */
const CONFLICTING: Readonly<Record<string, string>> = {
  rejectUnauthorized: 'set tlsValidationFlags (or validationFlags) instead',
  checkServerIdentity: 'the identity comes from the connectable; use an accept-certificate handler',
};

/** Throws INVALID_ARGUMENT for a conflicting key that is present (even when `undefined`-free). */
export function refuseConflictingOptions<T extends ConnectionOptions>(options: T): T {
  for (const [key, advice] of Object.entries(CONFLICTING)) {
    if (Object.hasOwn(options, key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw new IOError(
        IOErrorEnum.INVALID_ARGUMENT,
        `tlsOptions.${key} is not supported: GIO's validation decides (${advice})`,
      );
    }
  }
  // With a secureContext, tls.connect ignores `ca`: OpenSSL would judge against the context's
  // CAs while the caller believes `ca` is the trust store.
  if (options.secureContext !== undefined && options.ca !== undefined) {
    throw new IOError(
      IOErrorEnum.INVALID_ARGUMENT,
      'tlsOptions.ca cannot be combined with tlsOptions.secureContext: put the CAs in the context',
    );
  }
  return options;
}

/**
 * g_tls_client_connection_set_validation_flags takes GTlsCertificateFlags; anything that is not
 * an integer made of those bits is refused instead of silently turning checks off.
 */
export function checkValidationFlags(value: unknown, what: string): TlsCertificateFlags {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    (value & ~TlsCertificateFlags.VALIDATE_ALL) !== 0
  ) {
    throw new IOError(
      IOErrorEnum.INVALID_ARGUMENT,
      `Invalid ${what} ${String(value)}: expected TlsCertificateFlags bits (0..0x7f)`,
    );
  }
  return value;
}
