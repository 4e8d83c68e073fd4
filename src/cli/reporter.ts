import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import {
  SocketClientEvent,
  TlsError,
  type ConnectAttempt,
  type GError,
  type SocketConnectable,
} from '../index.js';
import { attemptJson, timingsJson } from './timings-json.js';
import { attemptReason } from './timings-report.js';
import {
  formatAddress,
  formatSrv,
  formatTls,
  remoteOf,
  socketConnectionOf,
  srvTargetOf,
  viewAddress,
  viewTls,
  type AddressView,
  type AnyEventConnection,
  type Endpoints,
  type TlsView,
} from './describe.js';
import { describeError, type ExitStatus } from './exit-status.js';

/** Byte counts of a finished relay. */
export interface RelayStats {
  readonly sent: number;
  readonly received: number;
}

/**
 * Where the CLI reports progress: the event timeline, the outcome, errors. Three forms — quiet
 * (errors only), `-v` text lines and `--json` NDJSON — all on stderr, so stdout carries only the
 * relayed bytes.
 */
export interface Reporter {
  event(
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: AnyEventConnection | null,
  ): void;
  /** An attempt ended (failed or abandoned), while the others go on. */
  attempt(attempt: ConnectAttempt, connectable: SocketConnectable): void;
  connected(connection: Endpoints): void;
  closed(stats: RelayStats): void;
  failed(error: GError, status: ExitStatus): void;
  /** A process warning (only routed here with `--json`; otherwise Node prints it). */
  warning(warning: Error): void;
}

/** Milliseconds since the reporter was created, which is just before the connect call. */
class Clock {
  readonly #start = performance.now();
  ms(): number {
    return performance.now() - this.#start;
  }
}

/** Errors only, as `gsocketclient: <domain> <CODE>: <message>`. */
export class QuietReporter implements Reporter {
  readonly #out: Writable;
  constructor(out: Writable) {
    this.#out = out;
  }
  event(): void {}
  attempt(): void {}
  connected(): void {}
  closed(): void {}
  failed(error: GError): void {
    this.#out.write(`gsocketclient: ${describeError(error)}\n`);
  }
  warning(warning: Error): void {
    this.#out.write(`gsocketclient: warning: ${warning.message}\n`);
  }
}

/** `-v`: one line per event, `+12ms CONNECTING localhost:8080 → [::1]:8080`. */
export class TextReporter implements Reporter {
  readonly #out: Writable;
  readonly #clock = new Clock();
  /** The latest TLS connection, so a refused certificate can be shown with the error. */
  #lastTls: AnyEventConnection | null = null;

  constructor(out: Writable) {
    this.#out = out;
  }

  #line(text: string): void {
    this.#out.write(`+${Math.round(this.#clock.ms())}ms ${text}\n`);
  }

  event(
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: AnyEventConnection | null,
  ): void {
    if (event === SocketClientEvent.TLS_HANDSHAKING) this.#lastTls = connection;
    let text = `${SocketClientEvent[event]} ${connectable.toString()}`;
    const remote = remoteOf(connection);
    if (remote) text += ` → ${formatAddress(viewAddress(remote))}`;
    const srv = event === SocketClientEvent.CONNECTING ? srvTargetOf(connectable, remote) : null;
    if (srv) text += ` via ${formatSrv(srv)}`;
    if (event === SocketClientEvent.CONNECTED) {
      const local = socketConnectionOf(connection)?.getLocalAddress();
      if (local) text += ` (local ${local.toString()})`;
    }
    const tls = viewTls(connection);
    if (tls) text += ` ${formatTls(tls)}`;
    if (event === SocketClientEvent.COMPLETE && connection === null) text += ' (no connection)';
    this.#line(text);
  }

  /**
   * A failed attempt, as curl -v shows it, named by the event it failed after:
   * `CONNECTING localhost:8080 → [::1]:8080 failed: Connection refused`.
   */
  attempt(attempt: ConnectAttempt, connectable: SocketConnectable): void {
    if (attempt.outcome !== 'failed') return;
    const during =
      attempt.stage === 'proxy'
        ? 'PROXY_NEGOTIATING'
        : attempt.stage === 'tls'
          ? 'TLS_HANDSHAKING'
          : 'CONNECTING';
    this.#line(
      `${during} ${connectable.toString()} → ${formatAddress(viewAddress(attempt.address))} ` +
        `failed: ${attemptReason(attempt)}`,
    );
  }

  connected(connection: Endpoints): void {
    const local = connection.getLocalAddress();
    this.#line(
      `connected to ${formatAddress(viewAddress(connection.getRemoteAddress()))}` +
        (local ? ` from ${local.toString()}` : ''),
    );
  }

  closed(stats: RelayStats): void {
    this.#line(`closed: sent ${stats.sent} bytes, received ${stats.received} bytes`);
  }

  failed(error: GError): void {
    const tls = error instanceof TlsError ? viewTls(this.#lastTls) : null;
    if (tls) this.#line(`peer certificate ${formatTls(tls)}`);
    this.#out.write(`gsocketclient: ${describeError(error)}\n`);
  }

  warning(warning: Error): void {
    this.#line(`warning: ${warning.message}`);
  }
}

/** `--json`: NDJSON, one object per event, then one result or error object. */
export class JsonReporter implements Reporter {
  readonly #out: Writable;
  readonly #clock = new Clock();
  #lastTls: AnyEventConnection | null = null;

  constructor(out: Writable) {
    this.#out = out;
  }

  #emit(record: Record<string, unknown>): void {
    this.#out.write(`${JSON.stringify({ t_ms: round3(this.#clock.ms()), ...record })}\n`);
  }

  event(
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: AnyEventConnection | null,
  ): void {
    if (event === SocketClientEvent.TLS_HANDSHAKING) this.#lastTls = connection;
    const remote = remoteOf(connection);
    const record: Record<string, unknown> = {
      event: SocketClientEvent[event],
      event_number: event,
      connectable: connectable.toString(),
      ...addressFields(remote ? viewAddress(remote) : null),
    };
    if (event === SocketClientEvent.CONNECTED) {
      record.local = socketConnectionOf(connection)?.getLocalAddress()?.toString() ?? null;
    }
    const srv = srvTargetOf(connectable, remote);
    if (srv) record.srv_target = srv;
    const tls = viewTls(connection);
    if (tls) record.tls = tlsRecord(tls);
    this.#emit(record);
  }

  /** `{"attempt": {...}}` for a failed attempt, while the others go on. */
  attempt(attempt: ConnectAttempt): void {
    if (attempt.outcome === 'failed') this.#emit({ attempt: attemptJson(attempt) });
  }

  connected(connection: Endpoints): void {
    this.#emit({
      result: 'connected',
      ...addressFields(viewAddress(connection.getRemoteAddress())),
      local: connection.getLocalAddress()?.toString() ?? null,
      ...(connection.timings ? { timings: timingsJson(connection.timings) } : {}),
    });
  }

  closed(stats: RelayStats): void {
    this.#emit({ result: 'closed', bytes_sent: stats.sent, bytes_received: stats.received });
  }

  failed(error: GError, status: ExitStatus): void {
    const tls = error instanceof TlsError ? viewTls(this.#lastTls) : null;
    this.#emit({
      error: { domain: error.domain, code: error.code, code_name: error.codeName, message: error.message },
      exit_status: status,
      ...(tls ? { tls: tlsRecord(tls) } : {}),
      ...(error.proxy ? { proxy: { uri: error.proxy.uri, source: error.proxy.source } } : {}),
      ...(error.attempts ? { attempts: error.attempts.map(attemptJson) } : {}),
    });
  }

  warning(warning: Error): void {
    const code = (warning as NodeJS.ErrnoException).code;
    this.#emit({ warning: { type: warning.name, code: code ?? null, message: warning.message } });
  }
}

/** `remote` always; `proxy` (protocol + destination, never credentials) only when proxied. */
function addressFields(view: AddressView | null): Record<string, unknown> {
  if (!view) return { remote: null };
  return view.proxy ? { remote: view.address, proxy: view.proxy } : { remote: view.address };
}

function tlsRecord(tls: TlsView): Record<string, unknown> {
  return {
    subject: tls.subject,
    issuer: tls.issuer,
    not_before: tls.notBefore,
    not_after: tls.notAfter,
    errors: tls.errors,
    alpn: tls.alpn,
    version: tls.version,
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
