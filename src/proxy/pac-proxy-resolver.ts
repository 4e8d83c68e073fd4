import { networkInterfaces } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import {
  Cancellable,
  LinkedCancellable,
  isCancelledError,
  raceCancellable,
  type CancelOptions,
} from '../cancellable.js';
import { GError, IOError, invalidArgument, timedOutError } from '../errors/gerror.js';
import { IOErrorEnum, ResolverNameLookupFlags } from '../errors/enums.js';
import { toGError } from '../errors/errno.js';
import { redactUri, splitNetworkUri } from '../address/uri.js';
import { Resolver } from '../resolver/resolver.js';
import { systemClock, type Clock } from '../clock.js';
import { checkLookup, printable, proxyWarning } from './lookup-checks.js';
import { MAX_NAMES_PER_CALL, PacEngine, PacScriptError } from './pac-engine.js';
import { parsePacAnswer } from './pac-result.js';
import { loadPacScript, pacSourceOf, type PacSource } from './pac-script-source.js';
import type { ProxyResolver } from './proxy-resolver.js';
import { decideProxy, explanation, type ProxyDecision, type ProxyExplanation } from './proxy-explanation.js';

/** Options of {@link PacProxyResolver}. */
export interface PacProxyOptions {
  /**
   * The resolver behind `dnsResolve`, `isResolvable` and `isInNet`, and for the name of the
   * script's server. Default: `Resolver.getDefault()`.
   */
  readonly resolver?: Resolver | null;
  /** Milliseconds one FindProxyForURL call may take, name lookups included. Default 1000. */
  readonly timeoutMs?: number;
  /** Milliseconds fetching (or reading) the script may take. Default 10000. */
  readonly fetchTimeoutMs?: number;
  /** Largest script accepted, in bytes. Default 1 MiB. */
  readonly maxScriptBytes?: number;
  /** Heap of the script's engine, in bytes. Default 32 MiB. */
  readonly memoryLimitBytes?: number;
  /**
   * What `myIpAddress()` answers. Default: the first non-internal IPv4 address of
   * `os.networkInterfaces()`, else `127.0.0.1` — found without any network traffic.
   */
  readonly myIpAddress?: string | null;
  /**
   * When the script cannot be fetched, does not compile, throws, runs past `timeoutMs` or answers
   * nothing usable: `direct` (default; as browsers and libproxy) connects directly after a
   * warning, `error` fails the lookup with the typed error.
   */
  readonly onError?: 'direct' | 'error';
  /** Milliseconds a fetched script is used before it is fetched again. Default 600000 (10 min). */
  readonly refreshMs?: number;
  /** Milliseconds a failed fetch is remembered before the next lookup tries again. Default 10000. */
  readonly retryMs?: number;
  /** Node TLS options (`ca`, …) for fetching an `https:` script; the certificate is always verified. */
  readonly tlsOptions?: ConnectionOptions | null;
  /**
   * The time source of the fetch and name-lookup timers and of `refreshMs`/`retryMs` (default the
   * system clock). The script's own time limit is always real time: it bounds real CPU work.
   */
  readonly clock?: Clock;
}

const DEFAULTS = {
  timeoutMs: 1000,
  fetchTimeoutMs: 10_000,
  maxScriptBytes: 1024 * 1024,
  memoryLimitBytes: 32 * 1024 * 1024,
  refreshMs: 600_000,
  retryMs: 10_000,
} as const;

/** Decisions remembered per destination, so the enumerator can name a proxy's source. */
const MAX_DECISIONS = 256;

/**
 * A proxy resolver that runs a PAC script (Netscape's proxy auto-config): `FindProxyForURL(url,
 * host)` for each destination, its answer (`PROXY a:3128; SOCKS5 b:1080; DIRECT`) turned into the
 * ordered list of proxy URIs that the client tries in turn (`http://a:3128`, `socks5://b:1080`,
 * `direct://`), as GIO does with libproxy.
 *
 * `urlOrScript` is the script's URL — `http:`, `https:` or `file:`, optionally with libproxy's
 * `pac+` prefix — when it is one line without blanks starting with one of those schemes; anything
 * else is the script text itself. The script is fetched directly (never through a proxy) with
 * this package's own client on the first lookup, verified as any TLS connection when `https:`,
 * and fetched again after `refreshMs`.
 *
 * It runs in QuickJS compiled to WebAssembly (the optional package `quickjs-wasi`: without it a
 * lookup fails with IOError NOT_SUPPORTED), isolated from Node, each call under a time limit and
 * a memory limit. `dnsResolve`, `isResolvable` and `isInNet` resolve through `options.resolver`.
 *
 * A script that cannot be fetched, throws, runs too long or answers garbage gives `direct://`
 * with a warning, or with `onError: 'error'` a typed error (docs/differences.md "PAC").
 *
 * @example
 * const proxyResolver = new PacProxyResolver('http://wpad.example.com/proxy.pac');
 * const client = new SocketClient({ proxyResolver });
 * console.log(await proxyResolver.explainProxy('https://example.com:443'));
 */
export class PacProxyResolver implements ProxyResolver {
  readonly #source: PacSource;
  readonly #label: string;
  readonly #resolver: Resolver | null;
  readonly #options: Required<Omit<PacProxyOptions, 'resolver' | 'myIpAddress' | 'tlsOptions' | 'clock'>>;
  readonly #myIp: string | null;
  readonly #tlsOptions: ConnectionOptions | null;
  readonly #clock: Clock;
  #script: { readonly text: string; readonly at: number } | null = null;
  #fetching: Promise<string> | null = null;
  #fetchFailure: { readonly error: GError; readonly at: number } | null = null;
  #engine: { readonly text: string; readonly engine: Promise<PacEngine> } | null = null;
  readonly #decisions = new Map<string, ProxyDecision>();
  readonly #warned = new Set<string>();

  /** See the class description for how `urlOrScript` is read. */
  constructor(urlOrScript: string, options: PacProxyOptions = {}) {
    if (typeof urlOrScript !== 'string' || urlOrScript.trim() === '') {
      throw invalidArgument('PacProxyResolver needs a PAC URL or script text');
    }
    this.#source = pacSourceOf(urlOrScript);
    this.#label = this.#source.kind === 'url' ? `PAC ${redactUri(this.#source.url.href)}` : 'PAC script';
    this.#resolver = options.resolver ?? null;
    this.#myIp = options.myIpAddress ?? null;
    this.#tlsOptions = options.tlsOptions ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#options = {
      timeoutMs: positive(options.timeoutMs, DEFAULTS.timeoutMs, 'timeoutMs'),
      fetchTimeoutMs: positive(options.fetchTimeoutMs, DEFAULTS.fetchTimeoutMs, 'fetchTimeoutMs'),
      maxScriptBytes: positive(options.maxScriptBytes, DEFAULTS.maxScriptBytes, 'maxScriptBytes'),
      memoryLimitBytes: positive(options.memoryLimitBytes, DEFAULTS.memoryLimitBytes, 'memoryLimitBytes'),
      refreshMs: positive(options.refreshMs, DEFAULTS.refreshMs, 'refreshMs'),
      retryMs: positive(options.retryMs, DEFAULTS.retryMs, 'retryMs'),
      onError: options.onError ?? 'direct',
    };
    if (this.#options.onError !== 'direct' && this.#options.onError !== 'error') {
      throw invalidArgument(`onError must be 'direct' or 'error'`);
    }
  }

  /** The script's URL (redacted), or null when the script text was given. */
  get url(): string | null {
    return this.#source.kind === 'url' ? redactUri(this.#source.url.href) : null;
  }

  /** Always true (a missing `quickjs-wasi` shows as NOT_SUPPORTED on lookup). */
  isSupported(): boolean {
    return true;
  }

  /** g_proxy_resolver_lookup_async: the proxies the script gives for `uri`, in order. */
  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    checkLookup(uri, opts);
    return [...(await this.#decide(uri, opts)).proxies];
  }

  /** Extension: the script's URL, its answer and the resulting list, credentials redacted. */
  async explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    checkLookup(uri, opts);
    return explanation(uri, 'pac', await this.#decide(uri, opts));
  }

  /** @internal the last decision for `uri` (the enumerator asks right after a lookup). */
  [decideProxy](uri: string): ProxyDecision {
    return this.#decisions.get(uri) ?? { source: this.#label, matchedIgnoreHost: null, proxies: [] };
  }

  async #decide(uri: string, opts?: CancelOptions): Promise<ProxyDecision> {
    const caller = new LinkedCancellable(opts?.cancellable, opts?.signal);
    let decision: ProxyDecision;
    try {
      decision = await this.#evaluate(uri, caller);
    } catch (err) {
      const error = err instanceof GError ? err : toGError(err);
      if (caller.isCancelled() || error.code === IOErrorEnum.NOT_SUPPORTED) throw error;
      if (this.#options.onError === 'error') throw error;
      this.#warnOnce(`${error.message}; connecting directly`);
      decision = {
        source: `${this.#label} failed (${error.message}); DIRECT`,
        matchedIgnoreHost: null,
        proxies: ['direct://'],
        pac: { url: this.url, answer: null, error: error.message },
      };
    } finally {
      caller.dispose();
    }
    this.#remember(uri, decision);
    return decision;
  }

  /** FindProxyForURL for `uri`, parsed; a GError for every failure. */
  async #evaluate(uri: string, caller: Cancellable): Promise<ProxyDecision> {
    const text = await raceCancellable(this.#scriptText(), caller);
    const engine = await raceCancellable(this.#engineFor(text), caller);
    const answer = await this.#call(engine, text, uri, caller);
    const parsed = parsePacAnswer(answer);
    for (const note of parsed.skipped) this.#warnOnce(`${this.#label}: entry skipped: ${note}`);
    if (parsed.proxies.length === 0) {
      throw new IOError(IOErrorEnum.FAILED, `${this.#label} returned no usable entry: ${quoted(answer)}`);
    }
    return {
      source: `${this.#label} returned ${quoted(answer)}`,
      matchedIgnoreHost: null,
      proxies: parsed.proxies,
      pac: { url: this.url, answer: answer.slice(0, 1000), error: null },
    };
  }

  /** Runs FindProxyForURL, resolving the names it asks for between runs, within the time limit. */
  async #call(first: PacEngine, text: string, uri: string, caller: Cancellable): Promise<string> {
    let engine = first;
    const { host } = splitNetworkUri(uri);
    const deadline = Date.now() + this.#options.timeoutMs;
    const names = new Map<string, string | null>();
    const myIp = this.#myIp ?? localIpv4();
    // Each run either answers or asks for at least one new name, and names are capped.
    for (let run = 0; run <= MAX_NAMES_PER_CALL; run++) {
      let result;
      // Another call's timeout may have stopped the engine while this one waited for names.
      if (engine.spent) engine = await raceCancellable(this.#engineFor(text), caller);
      try {
        result = engine.run(uri, host, names, myIp, deadline);
      } catch (err) {
        if (engine.spent) this.#dropEngine(text);
        throw scriptError(this.#label, err);
      }
      if (result.kind === 'answer') {
        if (typeof result.answer !== 'string') {
          throw new IOError(
            IOErrorEnum.FAILED,
            `${this.#label} returned ${result.answer === null ? 'null' : typeof result.answer}, not a string`,
          );
        }
        return result.answer;
      }
      await this.#resolveNames(result.names, names, deadline, caller);
    }
    throw new IOError(IOErrorEnum.FAILED, `${this.#label} asked for too many names`);
  }

  /** Resolves `wanted` (IPv4, as dnsResolve answers) into `names`; a failed lookup is null. */
  async #resolveNames(
    wanted: readonly string[],
    names: Map<string, string | null>,
    deadline: number,
    caller: Cancellable,
  ): Promise<void> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw this.#timeout();
    const bounded = new LinkedCancellable(caller);
    const timer = this.#clock.setTimeout(() => bounded.cancel(timedOutError()), remaining);
    const resolver = this.#resolver ?? Resolver.getDefault();
    try {
      const answers = await Promise.all(
        wanted.map(async (name) => {
          try {
            const found = await resolver.lookupByNameWithFlags(name, ResolverNameLookupFlags.IPV4_ONLY, {
              cancellable: bounded,
            });
            return found.length > 0 ? found[0].toString() : null;
          } catch {
            return null;
          }
        }),
      );
      caller.throwIfCancelled();
      if (bounded.isCancelled()) throw this.#timeout();
      wanted.forEach((name, i) => names.set(name, answers[i]));
    } finally {
      this.#clock.clearTimeout(timer);
      bounded.dispose();
    }
  }

  #timeout(): IOError {
    return new IOError(
      IOErrorEnum.TIMED_OUT,
      `${this.#label}: FindProxyForURL ran past its time limit (${this.#options.timeoutMs} ms)`,
    );
  }

  /** The script text: given, or fetched (once, shared by concurrent lookups; again when stale). */
  async #scriptText(): Promise<string> {
    const source = this.#source;
    if (source.kind === 'script') return source.text;
    const now = this.#clock.now();
    if (this.#script !== null && now - this.#script.at < this.#options.refreshMs) return this.#script.text;
    const failure = this.#fetchFailure;
    if (failure !== null && now - failure.at < this.#options.retryMs) {
      if (this.#script !== null) return this.#script.text; // keep the stale script meanwhile
      throw failure.error;
    }
    this.#fetching ??= this.#fetch(source.url).finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  async #fetch(url: URL): Promise<string> {
    const cancellable = new Cancellable();
    const timer = this.#clock.setTimeout(
      () => cancellable.cancel(timedOutError()),
      this.#options.fetchTimeoutMs,
    );
    try {
      const text = await loadPacScript(url, {
        resolver: this.#resolver,
        timeoutMs: this.#options.fetchTimeoutMs,
        maxBytes: this.#options.maxScriptBytes,
        tlsOptions: this.#tlsOptions,
        cancellable,
      });
      this.#script = { text, at: this.#clock.now() };
      this.#fetchFailure = null;
      return text;
    } catch (err) {
      let error = err instanceof GError ? err : toGError(err);
      if (cancellable.isCancelled() || isCancelledError(error)) {
        error = new IOError(
          IOErrorEnum.TIMED_OUT,
          `Fetching the PAC script took longer than ${this.#options.fetchTimeoutMs} ms`,
        );
      }
      error = error.withPrefix(`${this.#label}: `);
      this.#fetchFailure = { error, at: this.#clock.now() };
      if (this.#script !== null) {
        this.#warnOnce(`${error.message}; using the script fetched before`);
        return this.#script.text;
      }
      throw error;
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  /** The engine for `text`, compiled once per script text. */
  #engineFor(text: string): Promise<PacEngine> {
    if (this.#engine !== null && this.#engine.text === text) return this.#engine.engine;
    // A replaced engine is not disposed: a call may still be between two of its runs. Its memory
    // goes with it when nothing refers to it any more.
    const engine = PacEngine.compile(
      text,
      { memoryBytes: this.#options.memoryLimitBytes },
      this.#options.timeoutMs,
    ).catch((err: unknown) => {
      this.#dropEngine(text);
      throw scriptError(this.#label, err);
    });
    this.#engine = { text, engine };
    return engine;
  }

  #dropEngine(text: string): void {
    if (this.#engine?.text === text) this.#engine = null;
  }

  #remember(uri: string, decision: ProxyDecision): void {
    this.#decisions.delete(uri);
    this.#decisions.set(uri, decision);
    if (this.#decisions.size > MAX_DECISIONS) {
      this.#decisions.delete(this.#decisions.keys().next().value as string);
    }
  }

  /** One warning per distinct message, so a broken script does not flood the log. */
  #warnOnce(message: string): void {
    if (this.#warned.has(message) || this.#warned.size > 64) return;
    this.#warned.add(message);
    proxyWarning(message);
  }
}

/** A failure of the script as a GError: TIMED_OUT for the time limit, FAILED for the rest. */
function scriptError(label: string, err: unknown): GError {
  if (err instanceof GError) return err;
  if (err instanceof PacScriptError) {
    const code = err.reason === 'timeout' ? IOErrorEnum.TIMED_OUT : IOErrorEnum.FAILED;
    return new IOError(code, `${label}: ${err.message}`, { cause: err });
  }
  return toGError(err).withPrefix(`${label}: `);
}

/** The answer as quoted in a source or message: bounded, control characters escaped. */
function quoted(answer: string): string {
  return `'${printable(answer)}'`;
}

/**
 * myIpAddress(): the first non-internal IPv4 address of this host's interfaces, else 127.0.0.1.
 * Browsers and pac-resolver open a connection toward a public address to learn the source
 * address; that leaks traffic for a local question, so only the interface list is read.
 */
function localIpv4(): string {
  const now = Date.now();
  if (localIp !== null && now - localIp.at < LOCAL_IP_MS) return localIp.address;
  let address = '127.0.0.1';
  search: for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) {
        address = info.address;
        break search;
      }
    }
  }
  localIp = { address, at: now };
  return address;
}

/** os.networkInterfaces() costs a system call walk: read it at most once per LOCAL_IP_MS. */
const LOCAL_IP_MS = 5000;
let localIp: { readonly address: string; readonly at: number } | null = null;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(`${name} must be a positive number of milliseconds or bytes`);
  }
  return value;
}
