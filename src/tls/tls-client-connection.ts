import { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import type { SocketConnectable } from '../address/connectable.js';
import { raceCancellable, type Cancellable } from '../cancellable.js';
import { ignoreError } from '../connection/ignore-error.js';
import type { IOStream } from '../connection/io-stream.js';
import { IOErrorEnum, TlsCertificateFlags } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { certificateRefused } from './certificate-refusal.js';
import { verifyCertificateChain } from './certificate-verifier.js';
import { CertificateRevocationList } from './crl.js';
import {
  closedLocallyError,
  handshakeError,
  NO_HANDSHAKE_YET,
  PeerClosedError,
  type HandshakeContext,
} from './handshake-errors.js';
import { CertificateVerificationError, opensslFlags } from './openssl-verdict.js';
import { cachedSecureContext } from './secure-context-cache.js';
import { serverIdentityOf, sniFor, type ServerIdentity } from './server-identity.js';
import { systemTrustStore } from './system-trust-store.js';
import { cachedAnchors, defaultTrustAnchors } from './trust-anchors.js';
import { checkValidationFlags, refuseConflictingOptions } from './validation-options.js';

/**
 * GTlsConnection::accept-certificate. Called only when the certificate has a problem the
 * validation flags do not mask; `errors` is the full, unmasked set. The first handler returning
 * true accepts, as g_signal_accumulator_true_handled makes it in GIO. May return a Promise (e.g.
 * to ask a user); a handler that throws or rejects refuses, and its error becomes the `cause` of
 * the BAD_CERTIFICATE error.
 */
export type AcceptCertificateHandler = (
  certificate: X509Certificate,
  errors: TlsCertificateFlags,
  connection: TlsClientConnection,
) => boolean | Promise<boolean>;

/**
 * After a TLS 1.3 handshake in which the server asked for a client certificate, how long to
 * wait for its verdict. TLS 1.3 lets the client finish before the server has looked at our
 * certificate, so a refusal (the certificate_required alert) would otherwise surface only on
 * the first read. OpenSSL and Node servers send session tickets at once when they accept, which
 * ends the wait early; a server that sends none costs this much once.
 */
export const CLIENT_CERTIFICATE_VERDICT_MS = 500;

/** How long close() waits for the peer to answer our close_notify before dropping the socket. */
export const CLOSE_NOTIFY_WAIT_MS = 1000;

type State = 'new' | 'handshaking' | 'done' | 'failed' | 'closed';

/** TLS options this class sets itself: the socket it runs over. */
const OWNED_OPTIONS = ['socket'] as const;

/**
 * Flags only a chain builder can know. When OpenSSL authorized the chain it found a path to a
 * trusted anchor inside its validity window, so our simpler path search must not contradict it.
 */
const PATH_FLAGS =
  TlsCertificateFlags.UNKNOWN_CA | TlsCertificateFlags.NOT_ACTIVATED | TlsCertificateFlags.EXPIRED;

/**
 * GTlsClientConnection over any IOStream (a TcpConnection, or an HTTPS proxy's TLS stream).
 *
 * Verification: OpenSSL judges the chain during the handshake against the effective trust
 * anchors (`ca`, else the system store: system-trust-store.ts); Node lets the handshake finish
 * (`rejectUnauthorized: false`) and reports the verdict (`socket.authorized`,
 * `authorizationError`). The verdict becomes GTlsCertificateFlags (openssl-verdict.ts), and the
 * checks of certificate-verifier.ts and Node's tls.checkServerIdentity add every other flag that
 * applies, as GnuTLS reports all of them; they never remove one. Problems outside
 * `validationFlags` are ignored; otherwise the accept-certificate handlers decide, and a refusal
 * fails with BAD_CERTIFICATE "Unacceptable TLS certificate" (a CertificateRefusedError with the
 * flags, the peer's names and OpenSSL's reason as `cause`).
 *
 * The server identity comes from the connectable (g_tls_client_connection_new): a NetworkAddress's host or a
 * NetworkService's domain (sent as SNI), an InetSocketAddress's IP (no SNI), or nothing
 * (BAD_IDENTITY). Node `tls` options (`ca`, `cert`/`key`, `ALPNProtocols`, `minVersion`, `crl`…)
 * can be changed until the handshake starts; `ca` replaces the system trust store. `servername`
 * changes only the SNI sent, never the identity checked; a `secureContext` brings its own trust
 * anchors (and then `ca` is refused). `rejectUnauthorized` and
 * `checkServerIdentity` are refused (INVALID_ARGUMENT naming the key): use the validation flags
 * and accept-certificate handlers.
 *
 * A SocketClient with `tls: true` makes one per connection and hands it to 'event' listeners at
 * TLS_HANDSHAKING; made by hand (g_tls_client_connection_new) it wraps a connection you already
 * hold, and nothing is sent until {@link TlsClientConnection.handshake}.
 *
 * @example
 * ```ts
 * const tcp = await new SocketClient().connectToHost('localhost:8443', 443);
 * const tls = new TlsClientConnection(tcp, new NetworkAddress('localhost', 8443), { ca: myCaPem });
 * tls.onAcceptCertificate((cert, errors) => errors === TlsCertificateFlags.UNKNOWN_CA && isPinned(cert));
 * await tls.handshake();
 * tls.stream.write('hello'); // the tls.TLSSocket
 * await tls.close(); // close_notify, then the TCP connection
 * ```
 */
export class TlsClientConnection implements IOStream, AsyncDisposable {
  /** The stream the TLS runs over (GTlsConnection:base-io-stream); closed by {@link close}. */
  readonly baseIOStream: IOStream;
  #serverIdentity: SocketConnectable | null;
  #validationFlags: TlsCertificateFlags = TlsCertificateFlags.VALIDATE_ALL;
  #options: ConnectionOptions;
  readonly #handlers: AcceptCertificateHandler[] = [];
  #state: State = 'new';
  #handshake: Promise<void> | null = null;
  #socket: TLSSocket | null = null;
  #closing: Promise<void> | null = null;
  #peerCertificate: X509Certificate | null = null;
  #peerChain: readonly X509Certificate[] = [];
  #peerErrors: TlsCertificateFlags = TlsCertificateFlags.NO_FLAGS;
  #negotiatedProtocol: string | null = null;
  #protocolVersion: string | null = null;
  #ciphersuiteName: string | null = null;

  /**
   * g_tls_client_connection_new: wraps `base` without sending anything yet.
   *
   * @param base - the connection the TLS records travel over.
   * @param serverIdentity - the connectable whose name the certificate must carry (and the SNI
   *   source); null makes every certificate BAD_IDENTITY.
   * @param options - Node `tls.connect` options; `rejectUnauthorized`, `checkServerIdentity`, and
   *   `ca` with `secureContext`, throw IOError INVALID_ARGUMENT naming the key.
   */
  constructor(base: IOStream, serverIdentity: SocketConnectable | null, options?: ConnectionOptions) {
    this.baseIOStream = base;
    this.#serverIdentity = serverIdentity;
    this.#options = withoutOwned(refuseConflictingOptions({ ...options }));
  }

  // ---- configuration (until the handshake starts) ---------------------------------------------

  /** The connectable whose name the certificate must carry (GTlsClientConnection:server-identity). */
  get serverIdentity(): SocketConnectable | null {
    return this.#serverIdentity;
  }
  /**
   * Sets the identity to check; throws IOError PENDING during the handshake and FAILED after it.
   */
  set serverIdentity(identity: SocketConnectable | null) {
    this.#assertConfigurable();
    this.#serverIdentity = identity;
  }
  /** g_tls_client_connection_get_server_identity: see {@link serverIdentity}. */
  getServerIdentity(): SocketConnectable | null {
    return this.#serverIdentity;
  }
  /** g_tls_client_connection_set_server_identity: see {@link serverIdentity}. */
  setServerIdentity(identity: SocketConnectable | null): void {
    this.serverIdentity = identity;
  }

  /**
   * Which problems make the certificate unacceptable without a handler's consent. Deprecated in
   * GIO 2.72 (g_tls_client_connection_set_validation_flags) but still honoured there, and here.
   */
  get validationFlags(): TlsCertificateFlags {
    return this.#validationFlags;
  }
  /** Sets the flags; anything not made of TlsCertificateFlags bits throws IOError INVALID_ARGUMENT. */
  set validationFlags(flags: TlsCertificateFlags) {
    this.#validationFlags = checkValidationFlags(flags, 'validationFlags');
  }
  /** g_tls_client_connection_get_validation_flags: see {@link validationFlags}. */
  getValidationFlags(): TlsCertificateFlags {
    return this.#validationFlags;
  }
  /** g_tls_client_connection_set_validation_flags: see {@link validationFlags}. */
  setValidationFlags(flags: TlsCertificateFlags): void {
    this.validationFlags = flags;
  }

  /** A copy of the Node tls options the handshake will use. */
  get options(): Readonly<ConnectionOptions> {
    return { ...this.#options };
  }

  /**
   * Merges Node tls options (before the handshake only; `undefined` values remove an option).
   * Refused keys throw IOError INVALID_ARGUMENT, as in the constructor.
   */
  setOptions(options: ConnectionOptions): void {
    this.#assertConfigurable();
    const merged: ConnectionOptions = { ...this.#options, ...options };
    for (const key of Object.keys(merged) as (keyof ConnectionOptions)[]) {
      if (merged[key] === undefined) delete merged[key];
    }
    this.#options = withoutOwned(refuseConflictingOptions(merged));
  }

  /** Trusted CAs (PEM or DER); replaces the default store, for Node and for the checks. */
  get ca(): ConnectionOptions['ca'] {
    return this.#options.ca;
  }
  /** Sets `ca`, as {@link setOptions} does. */
  set ca(value: ConnectionOptions['ca']) {
    this.setOptions({ ca: value });
  }
  /** Client certificate chain (PEM), with `key`. */
  get cert(): ConnectionOptions['cert'] {
    return this.#options.cert;
  }
  /** Sets `cert`, as {@link setOptions} does (GTlsConnection:certificate). */
  set cert(value: ConnectionOptions['cert']) {
    this.setOptions({ cert: value });
  }
  /** Private key (PEM) of the client certificate in {@link cert}. */
  get key(): ConnectionOptions['key'] {
    return this.#options.key;
  }
  /** Sets `key`, as {@link setOptions} does. */
  set key(value: ConnectionOptions['key']) {
    this.setOptions({ key: value });
  }
  /** The ALPN protocols to offer, most preferred first (GTlsConnection:advertised-protocols). */
  get ALPNProtocols(): ConnectionOptions['ALPNProtocols'] {
    return this.#options.ALPNProtocols;
  }
  /** Sets `ALPNProtocols`, as {@link setOptions} does. */
  set ALPNProtocols(value: ConnectionOptions['ALPNProtocols']) {
    this.setOptions({ ALPNProtocols: value });
  }
  /** Lowest TLS version to accept (`'TLSv1.2'`…); Node's default when unset. */
  get minVersion(): ConnectionOptions['minVersion'] {
    return this.#options.minVersion;
  }
  /** Sets `minVersion`, as {@link setOptions} does. */
  set minVersion(value: ConnectionOptions['minVersion']) {
    this.setOptions({ minVersion: value });
  }
  /** Highest TLS version to offer; Node's default when unset. */
  get maxVersion(): ConnectionOptions['maxVersion'] {
    return this.#options.maxVersion;
  }
  /** Sets `maxVersion`, as {@link setOptions} does. */
  set maxVersion(value: ConnectionOptions['maxVersion']) {
    this.setOptions({ maxVersion: value });
  }
  /** The OpenSSL cipher list (Node's `ciphers` option); Node's default when unset. */
  get ciphers(): ConnectionOptions['ciphers'] {
    return this.#options.ciphers;
  }
  /** Sets `ciphers`, as {@link setOptions} does. */
  set ciphers(value: ConnectionOptions['ciphers']) {
    this.setOptions({ ciphers: value });
  }
  /** Certificate revocation lists (PEM or DER); with them, a listed certificate is REVOKED. */
  get crl(): ConnectionOptions['crl'] {
    return this.#options.crl;
  }
  /** Sets `crl`, as {@link setOptions} does; unreadable lists fail the handshake with INVALID_ARGUMENT. */
  set crl(value: ConnectionOptions['crl']) {
    this.setOptions({ crl: value });
  }

  /**
   * Connects an accept-certificate handler (GTlsConnection::accept-certificate); returns the
   * function that disconnects it. Handlers run in the order they were added.
   */
  onAcceptCertificate(handler: AcceptCertificateHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  #assertConfigurable(): void {
    if (this.#state === 'new') return;
    if (this.#state === 'handshaking') {
      throw new IOError(
        IOErrorEnum.PENDING,
        'TLS settings cannot be changed while the handshake is in progress',
      );
    }
    throw new IOError(IOErrorEnum.FAILED, 'TLS settings cannot be changed once the handshake has happened');
  }

  // ---- results ----------------------------------------------------------------------------------

  /** The application bytes: the tls.TLSSocket once the handshake has started, else the base stream. */
  get stream(): Duplex {
    return this.#socket ?? this.baseIOStream.stream;
  }

  /** The tls.TLSSocket, once the handshake has started. */
  get tlsSocket(): TLSSocket | null {
    return this.#socket;
  }

  /** g_tls_connection_get_base_io_stream: see {@link baseIOStream}. */
  getBaseIOStream(): IOStream {
    return this.baseIOStream;
  }

  /**
   * The peer's certificate (GTlsConnection:peer-certificate), set once it was examined, even when
   * it was then refused.
   */
  get peerCertificate(): X509Certificate | null {
    return this.#peerCertificate;
  }
  /** g_tls_connection_get_peer_certificate: see {@link peerCertificate}. */
  getPeerCertificate(): X509Certificate | null {
    return this.#peerCertificate;
  }

  /** Everything the peer sent, leaf first. */
  get peerCertificateChain(): readonly X509Certificate[] {
    return this.#peerChain;
  }

  /**
   * The unmasked problems with the peer's certificate (GTlsConnection:peer-certificate-errors),
   * even when it was accepted silently.
   */
  get peerCertificateErrors(): TlsCertificateFlags {
    return this.#peerErrors;
  }
  /** g_tls_connection_get_peer_certificate_errors: see {@link peerCertificateErrors}. */
  getPeerCertificateErrors(): TlsCertificateFlags {
    return this.#peerErrors;
  }

  /** The ALPN protocol both sides agreed on (GTlsConnection:negotiated-protocol), or null. */
  get negotiatedProtocol(): string | null {
    return this.#negotiatedProtocol;
  }
  /** g_tls_connection_get_negotiated_protocol: see {@link negotiatedProtocol}. */
  getNegotiatedProtocol(): string | null {
    return this.#negotiatedProtocol;
  }

  /** Node's name of the negotiated version (`TLSv1.2`, `TLSv1.3`), or null before the handshake. */
  get protocolVersion(): string | null {
    return this.#protocolVersion;
  }
  /** g_tls_connection_get_protocol_version, as Node's name: see {@link protocolVersion}. */
  getProtocolVersion(): string | null {
    return this.#protocolVersion;
  }

  /** The IANA name of the negotiated cipher suite (GTlsConnection:ciphersuite-name), or null. */
  get ciphersuiteName(): string | null {
    return this.#ciphersuiteName;
  }
  /** g_tls_connection_get_ciphersuite_name: see {@link ciphersuiteName}. */
  getCiphersuiteName(): string | null {
    return this.#ciphersuiteName;
  }

  // ---- handshake --------------------------------------------------------------------------------

  /**
   * g_tls_connection_handshake. Rejects with a TlsError (see handshake-errors.ts), the IOError
   * the base socket was destroyed with (the client's inactivity timeout: TIMED_OUT), or the
   * cancellation error. On any failure the TLS socket and the base stream are destroyed.
   * A second call while one runs fails with PENDING; after success it resolves at once.
   */
  handshake(cancellable?: Cancellable | null): Promise<void> {
    switch (this.#state) {
      case 'handshaking':
        return Promise.reject(new IOError(IOErrorEnum.PENDING, 'A TLS handshake is already in progress'));
      case 'closed':
        return Promise.reject(new IOError(IOErrorEnum.CLOSED, 'Connection is closed'));
      case 'done':
      case 'failed':
        return this.#handshake ?? Promise.resolve();
      case 'new':
        break;
    }
    this.#state = 'handshaking';
    this.#handshake = this.#run(cancellable ?? null).then(
      () => {
        if (this.#state === 'handshaking') this.#state = 'done';
      },
      (err: unknown) => {
        if (this.#state === 'handshaking') this.#state = 'failed';
        throw err;
      },
    );
    return this.#handshake;
  }

  async #run(cancellable: Cancellable | null): Promise<void> {
    const base = this.baseIOStream.stream;
    const options = this.#options;
    const identity = serverIdentityOf(this.#serverIdentity);
    let anchors: readonly X509Certificate[] | null;
    let crls: CertificateRevocationList[];
    try {
      anchors = options.ca !== undefined ? cachedAnchors(options.ca) : null;
      crls = options.crl !== undefined ? CertificateRevocationList.parse(options.crl) : [];
    } catch (err) {
      this.destroy();
      throw invalidOptions(err);
    }
    if (cancellable?.isCancelled()) {
      this.destroy();
      throw cancellable.error();
    }
    if (base.destroyed) {
      // The peer closed (or reset) between the connect and the handshake: as during it.
      throw handshakeError(base.errored ?? new PeerClosedError(), NO_HANDSHAKE_YET);
    }

    let socket: TLSSocket;
    try {
      // `crl` is ours alone: Node accepts only PEM there and would only use it for the
      // verification we do ourselves.
      // The secure context holds the trust anchors OpenSSL verifies against; it is cached, as
      // building one from a few hundred system roots costs more than a handshake.
      const { crl: _crl, ...nodeOptions } = options;
      const secureContext =
        nodeOptions.secureContext ??
        cachedSecureContext({
          ...nodeOptions,
          ca: nodeOptions.ca ?? (systemTrustStore().certificates as string[]),
        });
      socket = tlsConnect({
        ...nodeOptions,
        secureContext,
        socket: base,
        servername: options.servername ?? sniFor(identity),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
    } catch (err) {
      this.destroy();
      throw invalidOptions(err);
    }
    this.#socket = socket;

    const ctx: { -readonly [K in keyof HandshakeContext]: HandshakeContext[K] } = {
      certificateRequested: false,
      haveCertificate:
        options.cert !== undefined || options.pfx !== undefined || options.secureContext !== undefined,
    };
    const noteRequest = (): void => {
      ctx.certificateRequested ||= certificateWasRequested(socket);
    };

    // Any failure from here on ends the handshake: an error on the TLS socket (Node forwards the
    // base socket's, such as the client's timeout), or a close without one.
    let fail: (err: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    const onError = (err: Error): void => {
      noteRequest();
      fail(err);
    };
    const onClose = (): void => fail(new PeerClosedError());
    // The base stream reports the same errors to the TLS socket; listening here keeps an error
    // on it from becoming an uncaught exception while we own it.
    const onBaseError = ignoreError;
    let sessionTicket = false;
    // A 'session' listener must exist before the handshake for Node to report tickets at all.
    const onSession = (): void => {
      sessionTicket = true;
    };
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.on('session', onSession);
    base.on('error', onBaseError);

    const step = <T>(work: Promise<T>): Promise<T> =>
      raceCancellable(Promise.race([work, failed]), cancellable, () => this.destroy());
    const waits: (() => void)[] = [];

    try {
      const secure = waitForEvent(socket, 'secureConnect');
      waits.push(secure.dispose);
      await step(secure.promise);
      noteRequest();

      const chain = peerChain(socket);
      const leaf = chain[0];
      if (!leaf) throw certificateRefused(TlsCertificateFlags.GENERIC_ERROR, null);
      const { authorized } = socket;
      const reason: unknown = socket.authorizationError;
      const own = verifyCertificateChain({
        chain,
        anchors: anchors ?? defaultTrustAnchors(),
        identity,
        crls,
      });
      const errors =
        opensslFlags(authorized, reason) |
        (authorized ? own & ~PATH_FLAGS : own) |
        nodeIdentityFlags(leaf, identity);
      const verdict =
        authorized || typeof reason !== 'string' ? undefined : new CertificateVerificationError(reason);
      let accepted = (errors & this.#validationFlags) === 0;
      try {
        if (!accepted) accepted = await step(this.#emitAcceptCertificate(leaf, errors));
      } finally {
        // GIO sets peer-certificate(-errors) after accept-certificate, accepted or not, and
        // also when a handler failed (glib-networking's gtlsconnection-base.c).
        this.#peerCertificate = leaf;
        this.#peerChain = chain;
        this.#peerErrors = errors;
      }
      if (!accepted) throw certificateRefused(errors, leaf, verdict);

      if (socket.getProtocol() === 'TLSv1.3' && ctx.certificateRequested && !sessionTicket) {
        const verdict = waitForEvent(socket, 'session', CLIENT_CERTIFICATE_VERDICT_MS);
        waits.push(verdict.dispose);
        await step(verdict.promise);
      }
      if (socket.destroyed) throw new PeerClosedError();

      this.#negotiatedProtocol = typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null;
      this.#protocolVersion = socket.getProtocol();
      this.#ciphersuiteName = socket.getCipher()?.standardName ?? null;
    } catch (err) {
      const error = cancellable?.isCancelled()
        ? cancellable.error()
        : this.#state === 'closed'
          ? closedLocallyError(err)
          : handshakeError(err, ctx);
      this.destroy();
      throw error;
    } finally {
      for (const dispose of waits) dispose();
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('session', onSession);
      base.off('error', onBaseError);
    }
  }

  async #emitAcceptCertificate(certificate: X509Certificate, errors: TlsCertificateFlags): Promise<boolean> {
    for (const handler of [...this.#handlers]) {
      let verdict: boolean;
      try {
        verdict = await handler(certificate, errors, this);
      } catch (err) {
        // A throwing handler refuses; its error is kept as the cause.
        throw certificateRefused(errors, certificate, err);
      }
      if (verdict === true) return true;
    }
    return false;
  }

  // ---- teardown ---------------------------------------------------------------------------------

  /**
   * Closes cleanly: sends close_notify (ending the TLS socket), waits a bounded time for the
   * peer's, then closes the base stream (unlike GIO's wrapper, TLS ends cleanly; docs/differences.md).
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const wasDone = this.#state === 'done';
    this.#state = 'closed';
    const socket = this.#socket;
    if (socket && !socket.destroyed) {
      if (wasDone) await endTls(socket, CLOSE_NOTIFY_WAIT_MS);
      else socket.destroy();
    }
    await this.baseIOStream.close();
  }

  /** Abrupt teardown: the TLS socket and everything under it. */
  destroy(): void {
    this.#socket?.destroy();
    const base = this.baseIOStream as IOStream & { destroy?: () => void };
    if (typeof base.destroy === 'function') base.destroy();
    else base.stream.destroy();
  }

  /** `await using` support: {@link close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function withoutOwned(options: ConnectionOptions): ConnectionOptions {
  const copy: ConnectionOptions = { ...options };
  for (const key of OWNED_OPTIONS) delete copy[key];
  return copy;
}

function invalidOptions(err: unknown): IOError {
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid TLS options: ${detail}`, { cause: err });
}

/**
 * BAD_IDENTITY when Node's own check (what tls.connect would run with this servername) refuses
 * the name, so that no name Node rejects passes here; checkHost/checkIP in the verifier add
 * GnuTLS's stricter wildcard rule.
 */
function nodeIdentityFlags(leaf: X509Certificate, identity: ServerIdentity): TlsCertificateFlags {
  if (identity.kind === 'none') return TlsCertificateFlags.BAD_IDENTITY;
  const name = identity.kind === 'host' ? identity.host : identity.ip;
  // The two fields Node's check reads, from the X509Certificate we already hold: once
  // getPeerX509Certificate() was called, Node 20's getPeerCertificate() returns an empty object.
  // An empty subject comes back as undefined, whatever the typings say.
  const commonNames = ((leaf.subject as string | undefined) ?? '')
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
  const peer = {
    subject: { CN: commonNames.length > 1 ? commonNames : commonNames[0] },
    subjectaltname: leaf.subjectAltName,
  } as unknown as PeerCertificate;
  return checkServerIdentity(name, peer) === undefined
    ? TlsCertificateFlags.NO_FLAGS
    : TlsCertificateFlags.BAD_IDENTITY;
}

/**
 * Whether the server sent a CertificateRequest. Node has no direct API; on the client OpenSSL
 * fills the shared signature algorithms only from a CertificateRequest's list.
 */
function certificateWasRequested(socket: TLSSocket): boolean {
  try {
    return socket.getSharedSigalgs().length > 0;
  } catch {
    return false;
  }
}

/** The peer's certificates, leaf first, as Node collected them (each once). */
function peerChain(socket: TLSSocket): X509Certificate[] {
  // getPeerX509Certificate() and its issuerCertificate links give the certificates the peer
  // sent as ready X509Certificate objects; getPeerCertificate(true) would first convert each one
  // to a plain object and cost more than the rest of the handshake bookkeeping together.
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (current && !seen.has(current.fingerprint256) && out.length < 16) {
    seen.add(current.fingerprint256);
    out.push(current);
    current = current.issuerCertificate;
  }
  return out;
}

/**
 * Resolves when `event` fires, or after `ms` if given. `dispose` removes the listener and the
 * timers whatever happened, so a handshake that fails meanwhile leaves nothing behind.
 *
 * Resolution waits for the next turn of the event loop: Node emits 'session' from inside
 * OpenSSL's read processing, and a write made from there (as the caller's continuation would
 * be) is silently lost.
 */
function waitForEvent(
  socket: TLSSocket,
  event: string,
  ms?: number,
): { readonly promise: Promise<void>; readonly dispose: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let listener: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    listener = () => {
      clearTimeout(timer);
      socket.off(event, listener);
      immediate ??= setImmediate(resolve);
    };
    socket.once(event, listener);
    if (ms !== undefined) timer = setTimeout(listener, ms);
  });
  return {
    promise,
    dispose: () => {
      clearTimeout(timer);
      clearImmediate(immediate);
      socket.off(event, listener);
    },
  };
}

/** end() sends close_notify; reading on lets the peer's close_notify and FIN arrive. */
function endTls(socket: TLSSocket, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // Errors while closing (a reset peer) only end the wait early.
    socket.on('error', ignoreError);
    socket.resume();
    socket.end();
  });
}
