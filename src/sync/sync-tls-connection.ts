import { checkValidationFlags, refuseConflictingOptions } from '../tls/validation-options.js';
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { SocketConnectable } from '../address/connectable.js';
import { IOErrorEnum, TlsCertificateFlags } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { TlsChanges, TlsDesc } from './protocol.js';
import { cloneableTlsOptions } from './tls-options.js';

/**
 * accept-certificate for a blocking connection: runs on the calling thread while it blocks, so
 * it must answer at once; a Promise cannot settle there and counts as a refusal.
 */
export type SyncAcceptCertificateHandler = (
  certificate: X509Certificate,
  errors: TlsCertificateFlags,
  connection: SyncTlsClientConnection,
) => boolean;

/**
 * What 'event' listeners of a blocking connect see for a TLS connection (TLS_HANDSHAKING,
 * TLS_HANDSHAKED, and PROXY_NEGOTIATING/NEGOTIATED for an HTTPS proxy): a stand-in for the
 * TlsClientConnection that lives on the sync engine thread.
 *
 * Inside the TLS_HANDSHAKING (or, for an HTTPS proxy, PROXY_NEGOTIATING) listener the settings
 * that can cross threads may be changed — validationFlags, Node tls options made of strings and
 * Buffers (ca, cert, key, ALPNProtocols, minVersion, …), accept-certificate handlers — and the
 * handshake waits for the listeners to return. Afterwards the stand-in shows the results.
 *
 * @example
 * ```ts
 * const client = new SocketClient({ tls: true });
 * client.on('event', (event, _connectable, connection) => {
 *   if (event === SocketClientEvent.TLS_HANDSHAKING && connection instanceof SyncTlsClientConnection) {
 *     connection.ca = myCaPem; // strings and Buffers cross threads
 *     connection.onAcceptCertificate((cert) => isPinned(cert)); // only asked when there is a problem
 *   }
 * });
 * const conn = client.connectToHostSync('localhost:8443', 443);
 * conn.getBaseIOStream()?.negotiatedProtocol;
 * ```
 */
export class SyncTlsClientConnection {
  #desc: TlsDesc;
  #identity: SocketConnectable | null;
  #base: object | null = null;
  #configurable = false;
  #validationFlags: number | null = null;
  #options: Record<string, unknown> = {};
  readonly #handlers: SyncAcceptCertificateHandler[] = [];
  #chain: readonly X509Certificate[] | null = null;

  /** @internal made by the blocking connect, never by users. */
  constructor(desc: TlsDesc, identity: SocketConnectable | null) {
    this.#desc = desc;
    this.#identity = identity;
  }

  /** @internal a later event or question showed the connection again. */
  update(desc: TlsDesc, identity: SocketConnectable | null, base: object | null): void {
    this.#desc = desc;
    this.#identity = identity;
    this.#chain = null;
    if (base) this.#base = base;
  }

  /** @internal the listeners may now change settings (until takeChanges). */
  openSettings(): void {
    this.#configurable = true;
  }

  /** @internal what the listeners changed; settings are fixed from here on. */
  takeChanges(): TlsChanges {
    this.#configurable = false;
    const changes: TlsChanges = {
      validationFlags: this.#validationFlags,
      options: this.#options,
      acceptHandlers: this.#handlers.length > 0,
    };
    this.#options = {};
    return changes;
  }

  /** @internal the first handler returning true accepts; a throwing one refuses. */
  decide(errors: TlsCertificateFlags): boolean {
    const certificate = this.peerCertificate;
    if (!certificate) return false;
    for (const handler of [...this.#handlers]) {
      let verdict: unknown;
      try {
        verdict = handler(certificate, errors, this);
      } catch {
        return false;
      }
      if (verdict === true) return true;
    }
    return false;
  }

  /**
   * The connectable whose name the certificate must carry (GTlsClientConnection:server-identity);
   * fixed for a blocking connect.
   */
  get serverIdentity(): SocketConnectable | null {
    return this.#identity;
  }
  /** g_tls_client_connection_get_server_identity: see {@link serverIdentity}. */
  getServerIdentity(): SocketConnectable | null {
    return this.#identity;
  }

  /**
   * Which problems make the certificate unacceptable without a handler's consent
   * (GTlsClientConnection:validation-flags): the client's `tlsValidationFlags` unless a listener
   * changed them.
   */
  get validationFlags(): TlsCertificateFlags {
    return this.#validationFlags ?? this.#desc.validationFlags;
  }
  /**
   * Sets the flags, inside the TLS_HANDSHAKING (or PROXY_NEGOTIATING) listener only (IOError
   * FAILED elsewhere); anything not made of TlsCertificateFlags bits throws INVALID_ARGUMENT.
   */
  set validationFlags(flags: TlsCertificateFlags) {
    this.#assertConfigurable();
    this.#validationFlags = checkValidationFlags(flags, 'validationFlags');
  }
  /** g_tls_client_connection_get_validation_flags: see {@link validationFlags}. */
  getValidationFlags(): TlsCertificateFlags {
    return this.validationFlags;
  }
  /** g_tls_client_connection_set_validation_flags: see {@link validationFlags}. */
  setValidationFlags(flags: TlsCertificateFlags): void {
    this.validationFlags = flags;
  }

  /**
   * Merges Node tls options, inside the TLS_HANDSHAKING (or PROXY_NEGOTIATING) listener only;
   * only values that can be sent to the engine thread (strings, Buffers, numbers) are accepted,
   * and `rejectUnauthorized`/`checkServerIdentity` are refused, as by TlsClientConnection.
   */
  setOptions(options: ConnectionOptions): void {
    this.#assertConfigurable();
    Object.assign(this.#options, cloneableTlsOptions(refuseConflictingOptions(options), 'TLS option'));
  }

  /** Sets `ca`, as {@link setOptions} does. */
  set ca(value: ConnectionOptions['ca']) {
    this.setOptions({ ca: value });
  }
  /** Trusted CAs (PEM or DER) set in this listener; they replace the system trust store. */
  get ca(): ConnectionOptions['ca'] {
    return this.#options.ca as ConnectionOptions['ca'];
  }
  /** Sets `cert`, as {@link setOptions} does. */
  set cert(value: ConnectionOptions['cert']) {
    this.setOptions({ cert: value });
  }
  /** Client certificate chain (PEM) set in this listener, with {@link key}. */
  get cert(): ConnectionOptions['cert'] {
    return this.#options.cert as ConnectionOptions['cert'];
  }
  /** Sets `key`, as {@link setOptions} does. */
  set key(value: ConnectionOptions['key']) {
    this.setOptions({ key: value });
  }
  /** Private key (PEM) of the client certificate set in this listener. */
  get key(): ConnectionOptions['key'] {
    return this.#options.key as ConnectionOptions['key'];
  }
  /** Sets `ALPNProtocols`, as {@link setOptions} does. */
  set ALPNProtocols(value: ConnectionOptions['ALPNProtocols']) {
    this.setOptions({ ALPNProtocols: value });
  }
  /**
   * ALPN protocols to offer, most preferred first (GTlsConnection:advertised-protocols), as set in
   * this listener.
   */
  get ALPNProtocols(): ConnectionOptions['ALPNProtocols'] {
    return this.#options.ALPNProtocols as ConnectionOptions['ALPNProtocols'];
  }
  /** Sets `minVersion`, as {@link setOptions} does. */
  set minVersion(value: ConnectionOptions['minVersion']) {
    this.setOptions({ minVersion: value });
  }
  /** Lowest TLS version to accept (`'TLSv1.2'`…), as set in this listener. */
  get minVersion(): ConnectionOptions['minVersion'] {
    return this.#options.minVersion as ConnectionOptions['minVersion'];
  }
  /** Sets `maxVersion`, as {@link setOptions} does. */
  set maxVersion(value: ConnectionOptions['maxVersion']) {
    this.setOptions({ maxVersion: value });
  }
  /** Highest TLS version to offer, as set in this listener. */
  get maxVersion(): ConnectionOptions['maxVersion'] {
    return this.#options.maxVersion as ConnectionOptions['maxVersion'];
  }
  /** Sets `ciphers`, as {@link setOptions} does. */
  set ciphers(value: ConnectionOptions['ciphers']) {
    this.setOptions({ ciphers: value });
  }
  /** The OpenSSL cipher list (Node's `ciphers` option), as set in this listener. */
  get ciphers(): ConnectionOptions['ciphers'] {
    return this.#options.ciphers as ConnectionOptions['ciphers'];
  }
  /** Sets `crl`, as {@link setOptions} does. */
  set crl(value: ConnectionOptions['crl']) {
    this.setOptions({ crl: value });
  }
  /** Certificate revocation lists (PEM or DER) set in this listener; a listed certificate is REVOKED. */
  get crl(): ConnectionOptions['crl'] {
    return this.#options.crl as ConnectionOptions['crl'];
  }

  /**
   * Connects an accept-certificate handler (GTlsConnection::accept-certificate); returns the
   * function that disconnects it. Connect it from the TLS_HANDSHAKING (or PROXY_NEGOTIATING)
   * listener: the handshake starts right after.
   */
  onAcceptCertificate(handler: SyncAcceptCertificateHandler): () => void {
    if (typeof handler !== 'function')
      throw new IOError(IOErrorEnum.INVALID_ARGUMENT, 'handler must be a function');
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /**
   * The stream under TLS (g_tls_connection_get_base_io_stream): the TCP connection's stand-in
   * (or the proxy's TLS connection); null until an event showed it.
   */
  getBaseIOStream(): object | null {
    return this.#base;
  }

  /**
   * The peer's certificate (GTlsConnection:peer-certificate), once it was examined: in the
   * accept-certificate handlers and after TLS_HANDSHAKED; null before.
   */
  get peerCertificate(): X509Certificate | null {
    return this.peerCertificateChain[0] ?? null;
  }
  /** g_tls_connection_get_peer_certificate: see {@link peerCertificate}. */
  getPeerCertificate(): X509Certificate | null {
    return this.peerCertificate;
  }
  /** Everything the peer sent, leaf first; empty before the certificate was examined. */
  get peerCertificateChain(): readonly X509Certificate[] {
    this.#chain ??= this.#desc.peerCertificates.map((pem) => new X509Certificate(pem));
    return this.#chain;
  }
  /**
   * The unmasked problems with the peer's certificate (GTlsConnection:peer-certificate-errors),
   * even when it was accepted silently.
   */
  get peerCertificateErrors(): TlsCertificateFlags {
    return this.#desc.peerCertificateErrors;
  }
  /** g_tls_connection_get_peer_certificate_errors: see {@link peerCertificateErrors}. */
  getPeerCertificateErrors(): TlsCertificateFlags {
    return this.peerCertificateErrors;
  }
  /** The ALPN protocol both sides agreed on (GTlsConnection:negotiated-protocol), or null. */
  get negotiatedProtocol(): string | null {
    return this.#desc.negotiatedProtocol;
  }
  /** g_tls_connection_get_negotiated_protocol: see {@link negotiatedProtocol}. */
  getNegotiatedProtocol(): string | null {
    return this.negotiatedProtocol;
  }
  /** Node's name of the negotiated version (`TLSv1.2`, `TLSv1.3`), or null before the handshake. */
  get protocolVersion(): string | null {
    return this.#desc.protocolVersion;
  }
  /** g_tls_connection_get_protocol_version, as Node's name: see {@link protocolVersion}. */
  getProtocolVersion(): string | null {
    return this.protocolVersion;
  }
  /** The IANA name of the negotiated cipher suite (GTlsConnection:ciphersuite-name), or null. */
  get ciphersuiteName(): string | null {
    return this.#desc.ciphersuiteName;
  }
  /** g_tls_connection_get_ciphersuite_name: see {@link ciphersuiteName}. */
  getCiphersuiteName(): string | null {
    return this.ciphersuiteName;
  }

  #assertConfigurable(): void {
    if (this.#configurable) return;
    throw new IOError(
      IOErrorEnum.FAILED,
      'TLS settings of a blocking connection can only be changed inside the TLS_HANDSHAKING ' +
        '(or PROXY_NEGOTIATING) event listener, before the handshake starts',
    );
  }
}
