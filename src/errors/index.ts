// The public part of the error layer: GIO's enums and the GError classes. Helpers (toGError,
// strerror, the error factories) are internal and imported from their own modules.
export * from './enums.js';
export { GError, IOError, ResolverError, TlsError, type ErrorDomain, type GErrorClass } from './gerror.js';
