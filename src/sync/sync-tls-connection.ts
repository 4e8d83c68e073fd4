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

  get serverIdentity(): SocketConnectable | null {
    return this.#identity;
  }
  getServerIdentity(): SocketConnectable | null {
    return this.#identity;
  }

  get validationFlags(): TlsCertificateFlags {
    return this.#validationFlags ?? this.#desc.validationFlags;
  }
  set validationFlags(flags: TlsCertificateFlags) {
    this.#assertConfigurable();
    this.#validationFlags = checkValidationFlags(flags, 'validationFlags');
  }
  getValidationFlags(): TlsCertificateFlags {
    return this.validationFlags;
  }
  setValidationFlags(flags: TlsCertificateFlags): void {
    this.validationFlags = flags;
  }

  /** Merges Node tls options; only values that can be sent to the engine thread are accepted. */
  setOptions(options: ConnectionOptions): void {
    this.#assertConfigurable();
    Object.assign(this.#options, cloneableTlsOptions(refuseConflictingOptions(options), 'TLS option'));
  }

  set ca(value: ConnectionOptions['ca']) {
    this.setOptions({ ca: value });
  }
  get ca(): ConnectionOptions['ca'] {
    return this.#options.ca as ConnectionOptions['ca'];
  }
  set cert(value: ConnectionOptions['cert']) {
    this.setOptions({ cert: value });
  }
  get cert(): ConnectionOptions['cert'] {
    return this.#options.cert as ConnectionOptions['cert'];
  }
  set key(value: ConnectionOptions['key']) {
    this.setOptions({ key: value });
  }
  get key(): ConnectionOptions['key'] {
    return this.#options.key as ConnectionOptions['key'];
  }
  set ALPNProtocols(value: ConnectionOptions['ALPNProtocols']) {
    this.setOptions({ ALPNProtocols: value });
  }
  get ALPNProtocols(): ConnectionOptions['ALPNProtocols'] {
    return this.#options.ALPNProtocols as ConnectionOptions['ALPNProtocols'];
  }
  set minVersion(value: ConnectionOptions['minVersion']) {
    this.setOptions({ minVersion: value });
  }
  get minVersion(): ConnectionOptions['minVersion'] {
    return this.#options.minVersion as ConnectionOptions['minVersion'];
  }
  set maxVersion(value: ConnectionOptions['maxVersion']) {
    this.setOptions({ maxVersion: value });
  }
  get maxVersion(): ConnectionOptions['maxVersion'] {
    return this.#options.maxVersion as ConnectionOptions['maxVersion'];
  }
  set ciphers(value: ConnectionOptions['ciphers']) {
    this.setOptions({ ciphers: value });
  }
  get ciphers(): ConnectionOptions['ciphers'] {
    return this.#options.ciphers as ConnectionOptions['ciphers'];
  }
  set crl(value: ConnectionOptions['crl']) {
    this.setOptions({ crl: value });
  }
  get crl(): ConnectionOptions['crl'] {
    return this.#options.crl as ConnectionOptions['crl'];
  }

  /**
   * Connects an accept-certificate handler; returns the function that disconnects it. Connect it
   * from the TLS_HANDSHAKING (or PROXY_NEGOTIATING) listener: the handshake starts right after.
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

  /** The stream under TLS: the TCP connection's stand-in (or the proxy's TLS connection). */
  getBaseIOStream(): object | null {
    return this.#base;
  }

  get peerCertificate(): X509Certificate | null {
    return this.peerCertificateChain[0] ?? null;
  }
  getPeerCertificate(): X509Certificate | null {
    return this.peerCertificate;
  }
  get peerCertificateChain(): readonly X509Certificate[] {
    this.#chain ??= this.#desc.peerCertificates.map((pem) => new X509Certificate(pem));
    return this.#chain;
  }
  get peerCertificateErrors(): TlsCertificateFlags {
    return this.#desc.peerCertificateErrors;
  }
  getPeerCertificateErrors(): TlsCertificateFlags {
    return this.peerCertificateErrors;
  }
  get negotiatedProtocol(): string | null {
    return this.#desc.negotiatedProtocol;
  }
  getNegotiatedProtocol(): string | null {
    return this.negotiatedProtocol;
  }
  get protocolVersion(): string | null {
    return this.#desc.protocolVersion;
  }
  getProtocolVersion(): string | null {
    return this.protocolVersion;
  }
  get ciphersuiteName(): string | null {
    return this.#desc.ciphersuiteName;
  }
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
