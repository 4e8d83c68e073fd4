// Numeric values are GIO's own (gio/gioenums.h) so codes compare across implementations.

/**
 * GSocketClientEvent: the steps of a connect, in order, as reported by the client's `'event'`
 * (GSocketClient::event). Proxy and TLS steps appear only when a proxy or TLS is used.
 *
 * @example
 * client.on('event', (event, connectable) => {
 *   if (event === SocketClientEvent.CONNECTING) console.log('trying', String(connectable));
 * });
 */
export enum SocketClientEvent {
  /** About to look up the connectable's addresses (a DNS or SRV lookup may follow). */
  RESOLVING = 0,
  /** The lookup finished; the next address is known. */
  RESOLVED = 1,
  /** About to connect a socket to one address (an attempt starts). */
  CONNECTING = 2,
  /** The socket to that address is connected (to the proxy, when one is used). */
  CONNECTED = 3,
  /** About to speak the proxy protocol (SOCKS, HTTP CONNECT) over the connected socket. */
  PROXY_NEGOTIATING = 4,
  /** The proxy agreed: the stream now reaches the destination. */
  PROXY_NEGOTIATED = 5,
  /** About to run the TLS handshake with the destination. */
  TLS_HANDSHAKING = 6,
  /** The TLS handshake succeeded and the certificate was accepted. */
  TLS_HANDSHAKED = 7,
  /** The connection is ready and about to be returned to the caller. */
  COMPLETE = 8,
}

/** GSocketFamily: the address family of a socket or address (values are Linux's AF_*). */
export enum SocketFamily {
  /** No family: an address that could not be classified. */
  INVALID = 0,
  /** AF_UNIX: a local (Unix domain) socket, path or abstract name. */
  UNIX = 1,
  /** AF_INET: IPv4. */
  IPV4 = 2,
  /** AF_INET6: IPv6. */
  IPV6 = 10,
}

/** GSocketType: the kind of socket a client creates (g_socket_client_set_socket_type). */
export enum SocketType {
  /** Not a valid type; never used for a connect. */
  INVALID = 0,
  /** A reliable byte stream (TCP, or a stream Unix socket): the default. */
  STREAM = 1,
  /** Datagrams (UDP): connect() only fixes the peer, nothing is sent. */
  DATAGRAM = 2,
  /** Reliable, ordered datagrams (SOCK_SEQPACKET). */
  SEQPACKET = 3,
}

/** GSocketProtocol: the protocol a client uses within its socket type (g_socket_client_set_protocol). */
export enum SocketProtocol {
  /** The protocol could not be determined. */
  UNKNOWN = -1,
  /** The default protocol for the socket type (TCP for streams, UDP for datagrams). */
  DEFAULT = 0,
  /** TCP (IPPROTO_TCP). */
  TCP = 6,
  /** UDP (IPPROTO_UDP). */
  UDP = 17,
  /** SCTP (IPPROTO_SCTP). */
  SCTP = 132,
}

/**
 * GIOErrorEnum: the codes of {@link IOError} (domain `g-io-error-quark`). The numbers are GIO's,
 * so they match GJS and C code; the file-system codes are listed for completeness and never
 * raised by this package. docs/errors.md says which code each failure gives.
 *
 * @example
 * if (err instanceof IOError && err.code === IOErrorEnum.CONNECTION_REFUSED) retryLater();
 */
export enum IOErrorEnum {
  /** Generic error, when no other code fits (also for unknown errno values). */
  FAILED = 0,
  /** File not found (file-system code; name lookups use ResolverErrorEnum.NOT_FOUND). */
  NOT_FOUND = 1,
  /** File already exists (file-system code). */
  EXISTS = 2,
  /** File is a directory (file-system code). */
  IS_DIRECTORY = 3,
  /** File is not a directory, e.g. a Unix socket path through a file (ENOTDIR). */
  NOT_DIRECTORY = 4,
  /** Directory not empty (file-system code). */
  NOT_EMPTY = 5,
  /** File is not a regular file (file-system code). */
  NOT_REGULAR_FILE = 6,
  /** File is not a symbolic link (file-system code). */
  NOT_SYMBOLIC_LINK = 7,
  /** File cannot be mounted (file-system code). */
  NOT_MOUNTABLE_FILE = 8,
  /** Name too long, e.g. a Unix socket path over the sun_path limit (ENAMETOOLONG). */
  FILENAME_TOO_LONG = 9,
  /** Invalid file name (file-system code). */
  INVALID_FILENAME = 10,
  /** Too many symbolic links (ELOOP). */
  TOO_MANY_LINKS = 11,
  /** No space left on device (ENOSPC). */
  NO_SPACE = 12,
  /** An argument was invalid: a malformed host:port, URI, port or option (EINVAL). */
  INVALID_ARGUMENT = 13,
  /** Not allowed (EACCES, EPERM). */
  PERMISSION_DENIED = 14,
  /** The operation is not supported (a socket type, protocol or proxy scheme this platform lacks). */
  NOT_SUPPORTED = 15,
  /** File is not mounted (file-system code). */
  NOT_MOUNTED = 16,
  /** File is already mounted (file-system code). */
  ALREADY_MOUNTED = 17,
  /** The object (connection, client) was already closed. */
  CLOSED = 18,
  /** The operation was cancelled through its Cancellable or AbortSignal. */
  CANCELLED = 19,
  /** Another operation is still pending on this object. */
  PENDING = 20,
  /** File is read-only (file-system code). */
  READ_ONLY = 21,
  /** Backup could not be created (file-system code). */
  CANT_CREATE_BACKUP = 22,
  /** File's entity tag is wrong (file-system code). */
  WRONG_ETAG = 23,
  /** A timeout expired: the client's `timeout`, a stage deadline, or ETIMEDOUT from the kernel. */
  TIMED_OUT = 24,
  /** The operation would recurse (file-system code). */
  WOULD_RECURSE = 25,
  /** A resource is busy (EBUSY). */
  BUSY = 26,
  /** The operation would block (EAGAIN); not raised by the awaited API. */
  WOULD_BLOCK = 27,
  /** Host not found (GIO's generic code; DNS failures are ResolverError instead). */
  HOST_NOT_FOUND = 28,
  /** The operation would merge files (file-system code). */
  WOULD_MERGE = 29,
  /** Failed, and the error was already shown to the user. */
  FAILED_HANDLED = 30,
  /** Too many open files (EMFILE, ENFILE). */
  TOO_MANY_OPEN_FILES = 31,
  /** Something was not initialised. */
  NOT_INITIALIZED = 32,
  /** The local address is already in use (EADDRINUSE). */
  ADDRESS_IN_USE = 33,
  /** Not enough input was available. */
  PARTIAL_INPUT = 34,
  /** The peer sent invalid data, e.g. a malformed proxy reply. */
  INVALID_DATA = 35,
  /** A D-Bus error (GIO's D-Bus code; never raised here). */
  DBUS_ERROR = 36,
  /** No route to the host (EHOSTUNREACH). */
  HOST_UNREACHABLE = 37,
  /** The network is unreachable (ENETUNREACH), e.g. IPv6 without an IPv6 route. */
  NETWORK_UNREACHABLE = 38,
  /** The peer refused the connection (ECONNREFUSED): nothing listens on that port. */
  CONNECTION_REFUSED = 39,
  /** The proxy failed: it refused the request, could not reach the destination, or misbehaved. */
  PROXY_FAILED = 40,
  /** The proxy rejected the credentials that were sent. */
  PROXY_AUTH_FAILED = 41,
  /** The proxy requires credentials and none were given. */
  PROXY_NEED_AUTH = 42,
  /** The proxy does not allow a connection to that destination. */
  PROXY_NOT_ALLOWED = 43,
  /** The connection was closed by the peer (EPIPE, ECONNRESET); also exported as CONNECTION_CLOSED. */
  BROKEN_PIPE = 44,
  /** The socket is not connected (ENOTCONN). */
  NOT_CONNECTED = 45,
  /** A datagram was too large to send (EMSGSIZE). */
  MESSAGE_TOO_LARGE = 46,
  /** No such device, e.g. an unknown IPv6 zone (ENODEV). */
  NO_SUCH_DEVICE = 47,
  /** No destination set for a datagram. */
  DESTINATION_UNSET = 48,
}

/**
 * G_IO_ERROR_CONNECTION_CLOSED: GIO gives BROKEN_PIPE and CONNECTION_CLOSED the same value; a TS
 * enum cannot alias, so it is a constant.
 */
export const CONNECTION_CLOSED = IOErrorEnum.BROKEN_PIPE;

/** GResolverError: the codes of {@link ResolverError} (domain `g-resolver-error-quark`). */
export enum ResolverErrorEnum {
  /** The name or service does not exist (NXDOMAIN, no SRV record, no address of the asked family). */
  NOT_FOUND = 0,
  /** The lookup failed for now (no DNS server answered, SERVFAIL); trying later may work. */
  TEMPORARY_FAILURE = 1,
  /** Any other lookup failure (a malformed reply, an internal resolver error). */
  INTERNAL = 2,
}

/** GTlsError: the codes of {@link TlsError} (domain `g-tls-error-quark`). */
export enum TlsErrorEnum {
  /** No TLS support is available. */
  UNAVAILABLE = 0,
  /** A TLS error with no more specific code (e.g. a protocol alert from the peer). */
  MISC = 1,
  /** The peer's certificate was not accepted (see TlsCertificateFlags for why). */
  BAD_CERTIFICATE = 2,
  /** The peer does not speak TLS (it answered with something else). */
  NOT_TLS = 3,
  /** The handshake failed (no common protocol version or cipher, bad ALPN, …). */
  HANDSHAKE = 4,
  /** The server asked for a client certificate and none was given. */
  CERTIFICATE_REQUIRED = 5,
  /** The peer closed the connection without a TLS close_notify (a possible truncation attack). */
  EOF = 6,
  /** A fallback to an older TLS version was detected and refused (RFC 7507). */
  INAPPROPRIATE_FALLBACK = 7,
  /** The password of a certificate or key file was wrong. */
  BAD_CERTIFICATE_PASSWORD = 8,
}

/**
 * GTlsCertificateFlags: why a peer certificate failed validation; several can be set at once
 * (a bit field). Used as `validationFlags` on the client and in the accept-certificate handler.
 *
 * @example
 * client.tlsValidationFlags = TlsCertificateFlags.VALIDATE_ALL & ~TlsCertificateFlags.UNKNOWN_CA;
 */
export enum TlsCertificateFlags {
  /** No problem found. */
  NO_FLAGS = 0,
  /** The signing certificate authority is not known (self-signed or private CA). */
  UNKNOWN_CA = 1,
  /** The certificate does not match the expected identity (host name or IP address). */
  BAD_IDENTITY = 2,
  /** The certificate's activation time is still in the future. */
  NOT_ACTIVATED = 4,
  /** The certificate has expired. */
  EXPIRED = 8,
  /** The certificate has been revoked. */
  REVOKED = 16,
  /** The certificate's algorithm is considered insecure. */
  INSECURE = 32,
  /** Some other error occurred validating the certificate. */
  GENERIC_ERROR = 64,
  /** All of the above: check everything (the default). */
  VALIDATE_ALL = 0x7f,
}

/**
 * GResolverNameLookupFlags: which address families a name lookup asks for
 * (g_resolver_lookup_by_name_with_flags).
 */
export enum ResolverNameLookupFlags {
  /** Both IPv4 and IPv6 addresses. */
  DEFAULT = 0,
  /** Only IPv4 (A records). */
  IPV4_ONLY = 1,
  /** Only IPv6 (AAAA records). */
  IPV6_ONLY = 2,
}
