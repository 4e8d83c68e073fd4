/**
 * The messages between a thread that blocks (the caller of the …Sync API) and the engine worker
 * that owns the sockets. Everything here crosses threads by structured clone, so it is plain
 * data: no class instances, no functions. See docs/sync.md for the protocol as a whole.
 *
 * Wake-ups: the worker posts a message on the caller's MessagePort, then increments SEQ in the
 * shared control block and calls Atomics.notify; the caller, which never runs its event loop
 * while it blocks, reads messages with receiveMessageOnPort and sleeps in Atomics.wait on SEQ.
 */
import type { AttemptOutcome, AttemptStage } from '../connection/timings.js';
import type { CertificateRefusalDetails } from '../tls/certificate-refusal.js';
import type { ProxyFailureInfo } from '../proxy/proxy-explanation.js';
import type { SocketClientEvent } from '../errors/enums.js';
import type { ProxyRecipe } from '../proxy/proxy-recipe.js';

/** Int32 slots of the control block (a SharedArrayBuffer of CONTROL_BYTES). */
export const SEQ = 0;
/**
 * Worker state: STARTING, BOOTED once the thread runs its first line of JavaScript, RUNNING once
 * the engine is loaded; GONE once it exited (for any reason).
 */
export const STATE = 1;
/** Why a worker stopped before RUNNING: NO_FAILURE, or OUT_OF_DESCRIPTORS (EMFILE / ENFILE). */
export const FAILURE = 2;
export const CONTROL_BYTES = 12;
export const WORKER_STARTING = 0;
export const WORKER_RUNNING = 1;
export const WORKER_GONE = 2;
export const WORKER_BOOTED = 3;
export const NO_FAILURE = 0;
export const OUT_OF_DESCRIPTORS = 1;

/** Largest piece of a write sent in one message: bounds the memory of one request. */
export const WRITE_CHUNK_BYTES = 256 * 1024;

// ---- plain descriptions of library objects -------------------------------------------------

export type AddressDesc =
  | { readonly kind: 'inet'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string; readonly abstract: boolean }
  | {
      readonly kind: 'proxy';
      readonly host: string;
      readonly port: number;
      readonly protocol: string;
      readonly destinationProtocol: string;
      readonly destinationHostname: string;
      readonly destinationPort: number;
      /** Credentials cross only inside this process, never into a message or a log. */
      readonly username: string | null;
      readonly password: string | null;
      readonly uri: string | null;
    };

export type ConnectableDesc =
  | { readonly kind: 'address'; readonly address: AddressDesc }
  | {
      readonly kind: 'network-address';
      readonly hostname: string;
      readonly port: number;
      readonly scheme: string | null;
    }
  | {
      readonly kind: 'network-service';
      readonly service: string;
      readonly protocol: string;
      readonly domain: string;
      readonly scheme: string | null;
    };

export type ResolverDesc =
  | { readonly kind: 'system'; readonly timeout: number }
  | {
      readonly kind: 'pinned';
      readonly pins: Readonly<Record<string, readonly string[]>>;
      readonly fallback: ResolverDesc;
    }
  | {
      readonly kind: 'dns';
      readonly servers: readonly string[];
      readonly timeout?: number;
      readonly tries?: number;
    };

/** A GError as data; `cause` keeps what the Node error said. */
export interface ErrorDesc {
  readonly domain: string;
  readonly code: number;
  readonly message: string;
  readonly cause: { readonly name: string; readonly message: string; readonly code?: string } | null;
  /** A refused certificate's details (CertificateRefusedError). */
  readonly certificate?: CertificateRefusalDetails;
  /** The proxy a failed connect went through (GError `proxy`). */
  readonly proxy?: ProxyFailureInfo;
}

/** One attempt of a connect (ConnectAttempt) as data; times are ms since the operation started. */
export interface AttemptDesc {
  readonly address: AddressDesc;
  readonly stage: AttemptStage;
  readonly outcome: AttemptOutcome;
  readonly error: ErrorDesc | null;
  readonly start: number;
  readonly connected: number | null;
  readonly proxy: number | null;
  readonly tls: number | null;
  readonly end: number | null;
}

/** ConnectionTimings as data; `startEpoch` is performance.timeOrigin + startTime (threads differ). */
export interface TimingsDesc {
  readonly startEpoch: number;
  readonly resolve: number;
  readonly connect: number;
  readonly proxy: number | null;
  readonly tls: number | null;
  readonly total: number;
  readonly attempts: readonly AttemptDesc[];
}

/** What an event's `connection` was, so the caller can show a stand-in object. */
export type ConnectionDesc =
  | {
      readonly kind: 'socket';
      readonly id: number;
      /** 'tcp', 'unix', 'udp', 'socket' (a plain GSocketConnection) or 'tcp-wrapper' (TLS result). */
      readonly type: SocketConnectionType;
      readonly remote: AddressDesc | null;
      readonly local: AddressDesc | null;
      readonly connected: boolean;
      /** For 'tcp-wrapper': the id of the base stream (the TLS connection). */
      readonly baseId: number | null;
    }
  | { readonly kind: 'tls'; readonly id: number; readonly tls: TlsDesc }
  | { readonly kind: 'stream'; readonly id: number };

export type SocketConnectionType = 'tcp' | 'unix' | 'udp' | 'socket' | 'tcp-wrapper';

/** A TLS client connection's observable state. */
export interface TlsDesc {
  readonly serverIdentity: ConnectableDesc | null;
  /** True when the identity is the connectable of the call (the caller shows its own object). */
  readonly identityIsTarget: boolean;
  readonly validationFlags: number;
  /** PEM of the peer's certificates, leaf first, once known. */
  readonly peerCertificates: readonly string[];
  readonly peerCertificateErrors: number;
  readonly negotiatedProtocol: string | null;
  readonly protocolVersion: string | null;
  readonly ciphersuiteName: string | null;
  /** The id of the stream under the TLS connection (shown earlier as a socket connection). */
  readonly baseId: number | null;
}

/** What a caller may change on a TLS connection before its handshake (see sync-tls-connection.ts). */
export interface TlsChanges {
  readonly validationFlags: number | null;
  /** Node tls options that clone across threads (ca, cert, key, ALPNProtocols, servername, …). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Whether accept-certificate handlers are connected on the caller side. */
  readonly acceptHandlers: boolean;
}

export interface SettingsDesc {
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  readonly localAddress: AddressDesc | null;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly enableProxy: boolean;
  readonly tls: boolean;
  readonly tlsValidationFlags: number;
  readonly tlsOptions: Readonly<Record<string, unknown>> | null;
  readonly attemptDelayMs: number;
  readonly applicationProxies: readonly string[];
}

/**
 * `none`: no proxies. `engine`: the engine thread rebuilds the caller's built-in resolver from its
 * recipe and asks it there. `caller`: each lookup is asked of the caller's resolver (its
 * lookupSync), a round trip to the blocked thread.
 */
export type ProxyPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'engine'; readonly recipe: ProxyRecipe }
  | { readonly kind: 'caller' };

export interface ConnectRequest {
  readonly connectable: ConnectableDesc;
  readonly settings: SettingsDesc;
  readonly resolver: ResolverDesc;
  /** Where proxy lookups are answered. */
  readonly proxies: ProxyPlan;
  /**
   * True when the caller had 'event' listeners when the call started: events are posted to it,
   * and TLS handshakes wait for the listeners' changes. False: no event message is sent at all.
   */
  readonly listening: boolean;
  /** The control word of a SharedCancellable, if one was given. */
  readonly cancel: SharedArrayBuffer | null;
  /** The caller's cancellable was cancelled before the call: start cancelled, with this error. */
  readonly cancelled: ErrorDesc | null;
}

export interface WorkerStats {
  /** Connections returned to callers and not closed yet. */
  readonly connections: number;
  /** Connect operations in progress. */
  readonly operations: number;
  /** Messages posted to callers since the worker started, by kind ('event', 'proxy-lookup', …). */
  readonly posted: Readonly<Record<string, number>>;
  /** Times the worker woke the caller (with a message or through shared memory alone). */
  readonly wakes: number;
  /** process.getActiveResourcesInfo() of the worker, counted by kind. */
  readonly resources: Readonly<Record<string, number>>;
}

// ---- caller → worker -------------------------------------------------------------------------

export type CallerMessage =
  | { readonly op: 'connect'; readonly call: number; readonly request: ConnectRequest }
  /** Cancels a connect (with the caller's error), or closes what a call that gave up returned. */
  | { readonly op: 'cancel'; readonly call: number; readonly reason: ErrorDesc | null }
  | {
      readonly op: 'tls-changes';
      readonly call: number;
      readonly gate: number;
      readonly changes: TlsChanges | null;
    }
  | {
      readonly op: 'proxy-lookup-reply';
      readonly call: number;
      readonly request: number;
      readonly proxies: readonly string[] | null;
      readonly error: ErrorDesc | null;
    }
  | { readonly op: 'accept-reply'; readonly call: number; readonly request: number; readonly accept: boolean }
  | {
      readonly op: 'read';
      readonly call: number;
      readonly conn: number;
      readonly max: number;
      readonly timeoutMs: number;
      readonly cancel: SharedArrayBuffer | null;
    }
  /**
   * A read through the connection's read ring (read-ring.ts); `ring` attaches it (first such
   * read). Answered with `done` 1 once the ring holds data, 0 at end of stream.
   */
  | {
      readonly op: 'read-ring';
      readonly call: number;
      readonly conn: number;
      readonly ring: SharedArrayBuffer | null;
      readonly timeoutMs: number;
      readonly cancel: SharedArrayBuffer | null;
    }
  | {
      readonly op: 'write';
      readonly call: number;
      readonly conn: number;
      readonly data: Uint8Array;
      readonly timeoutMs: number;
      readonly cancel: SharedArrayBuffer | null;
    }
  /** A large write: `size` bytes come through the connection's write ring (write-ring.ts). */
  | {
      readonly op: 'write-ring';
      readonly call: number;
      readonly conn: number;
      readonly ring: SharedArrayBuffer;
      readonly size: number;
      readonly timeoutMs: number;
      readonly cancel: SharedArrayBuffer | null;
    }
  /** g_socket_shutdown(socket, FALSE, TRUE): end the write side (TCP FIN, TLS close_notify). */
  | {
      readonly op: 'shutdown-write';
      readonly call: number;
      readonly conn: number;
      readonly timeoutMs: number;
      readonly cancel: SharedArrayBuffer | null;
    }
  | { readonly op: 'close'; readonly call: number; readonly conn: number }
  /** Diagnostics for leak tests: what the worker holds. */
  | { readonly op: 'stats'; readonly call: number }
  /** The caller dropped a connection without closing it (garbage-collected): no reply. */
  | { readonly op: 'release'; readonly conn: number };

// ---- worker → caller -------------------------------------------------------------------------

export type WorkerMessage =
  | {
      readonly kind: 'event';
      readonly call: number;
      readonly event: SocketClientEvent;
      readonly connection: ConnectionDesc | null;
      /** Non-null: the worker waits for a 'tls-changes' answer with this gate before handshaking. */
      readonly gate: number | null;
    }
  | { readonly kind: 'proxy-lookup'; readonly call: number; readonly request: number; readonly uri: string }
  | {
      readonly kind: 'accept-certificate';
      readonly call: number;
      readonly request: number;
      readonly tlsId: number;
      readonly tls: TlsDesc;
      readonly errors: number;
    }
  | {
      readonly kind: 'connected';
      readonly call: number;
      readonly connection: ConnectionDesc;
      /** For a caller that did not listen (no event showed them): the streams under it, innermost first. */
      readonly bases: readonly ConnectionDesc[];
      readonly timings: TimingsDesc | null;
    }
  | { readonly kind: 'data'; readonly call: number; readonly data: Uint8Array }
  | { readonly kind: 'done'; readonly call: number; readonly value: number }
  | { readonly kind: 'stats'; readonly call: number; readonly stats: WorkerStats }
  | {
      readonly kind: 'error';
      readonly call: number;
      readonly error: ErrorDesc;
      /** A failed connect's attempts (GError `attempts`). */
      readonly attempts?: readonly AttemptDesc[];
    };
