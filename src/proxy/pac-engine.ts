// A PAC script compiled in QuickJS (the `quickjs-wasi` package: QuickJS compiled to WebAssembly),
// a JavaScript engine with its own heap and no access to Node — `node:vm` shares Node's engine and
// is not a security boundary. quickjs-wasi is an optional peer dependency, loaded on first use.
//
// Every call of FindProxyForURL runs synchronously inside the engine under a deadline (QuickJS's
// interrupt handler) and a memory limit. Name resolution cannot block inside the engine, so it
// restarts, as Chromium's PAC tracer does: a dnsResolve() whose answer is not known yet aborts the
// run; the host resolves the names asked for through the client's Resolver and runs the call again
// with the answers, until it completes without a new name (docs/differences.md "PAC").
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { printable } from './lookup-checks.js';
import { NATIVE_DNS_RESOLVE, NATIVE_MY_IP_ADDRESS, PAC_LIBRARY } from './pac-library.js';

/** The engine's types, as far as this module uses them (the package is optional: no static import). */
interface Handle {
  dispose(): void;
}
interface Vm {
  readonly global: Handle;
  readonly undefined: Handle;
  readonly null: Handle;
  evalCode(code: string, filename?: string): Handle;
  callFunction(fn: Handle, thisVal: Handle, ...args: Handle[]): Handle;
  newString(text: string): Handle;
  newFunction(name: string, fn: (...args: Handle[]) => Handle): Handle;
  setProp(obj: Handle, key: string, value: Handle): void;
  dump(handle: Handle): unknown;
  dispose(): void;
}
interface QuickJsModule {
  readonly QuickJS: {
    create(options: {
      wasm: CompiledWasm;
      memoryLimit?: number;
      interruptHandler?: () => boolean;
    }): Promise<Vm>;
  };
}

/** A compiled WebAssembly.Module, opaque here. */
type CompiledWasm = object;
interface WasmGlobal {
  readonly WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> };
}

/** The packages to install for PAC, named in the NOT_SUPPORTED error. */
export const PAC_PACKAGES = 'quickjs-wasi';

let loaded: Promise<{ readonly module: QuickJsModule; readonly wasm: CompiledWasm }> | null = null;

/** quickjs-wasi and its compiled WebAssembly module, loaded once; NOT_SUPPORTED when absent. */
function loadQuickJs(): Promise<{ readonly module: QuickJsModule; readonly wasm: CompiledWasm }> {
  loaded ??= (async () => {
    try {
      const module = (await import('quickjs-wasi')) as unknown as QuickJsModule;
      const path = createRequire(import.meta.url).resolve('quickjs-wasi/quickjs.wasm');
      // Compiled once for every engine (the global is not in this package's TypeScript lib).
      const { WebAssembly } = globalThis as unknown as WasmGlobal;
      const wasm = await WebAssembly.compile(await readFile(path));
      return { module, wasm };
    } catch (err) {
      loaded = null; // installed later: try again then
      throw new IOError(
        IOErrorEnum.NOT_SUPPORTED,
        `PAC scripts need the optional package ${PAC_PACKAGES} (npm install ${PAC_PACKAGES})`,
        { cause: err },
      );
    }
  })();
  return loaded;
}

/** Limits of one compiled script. */
export interface PacLimits {
  /** The engine's heap, in bytes. */
  readonly memoryBytes: number;
}

/** What one run of FindProxyForURL gave. */
export type PacRun =
  | { readonly kind: 'answer'; readonly answer: unknown }
  | { readonly kind: 'needs-names'; readonly names: readonly string[] };

/** Thrown by a run: the script threw, timed out or ran out of memory. The engine is then spent. */
export class PacScriptError extends Error {
  constructor(
    readonly reason: 'threw' | 'timeout' | 'memory' | 'compile',
    message: string,
  ) {
    super(message);
    this.name = 'PacScriptError';
  }
}

/** Raised inside the engine by dnsResolve() for a name not resolved yet. */
const NAME_PENDING = 'gsocketclient: name resolution pending';

/** Most names one FindProxyForURL call may resolve; beyond that dnsResolve() answers null. */
export const MAX_NAMES_PER_CALL = 16;

/** One compiled PAC script in its own engine instance. */
export class PacEngine {
  readonly #vm: Vm;
  /** A function calling the script's FindProxyForURL by name. */
  #find: Handle | null = null;
  #deadline = Number.POSITIVE_INFINITY;
  #names: ReadonlyMap<string, string | null> = new Map();
  #pending = new Set<string>();
  #myIp = '127.0.0.1';
  #spent = false;

  private constructor(vm: Vm) {
    this.#vm = vm;
  }

  /**
   * Compiles `script` (NOT_SUPPORTED without quickjs-wasi; PacScriptError when the script does not
   * compile, does not define FindProxyForURL, or its top level runs longer than `timeoutMs`,
   * counted from when the engine exists: loading and compiling the WebAssembly the first time
   * does not count).
   */
  static async compile(script: string, limits: PacLimits, timeoutMs: number): Promise<PacEngine> {
    const { module, wasm } = await loadQuickJs();
    let engine: PacEngine | null = null;
    const vm = await module.QuickJS.create({
      wasm,
      memoryLimit: limits.memoryBytes,
      // QuickJS polls this every few thousand bytecode instructions (a few dozen times per second
      // of a busy loop here), so reading the clock each time costs nothing noticeable.
      interruptHandler: () => engine !== null && Date.now() > engine.#deadline,
    });
    engine = new PacEngine(vm);
    engine.#deadline = Date.now() + timeoutMs;
    try {
      engine.#install();
      engine.#run(() => vm.evalCode(PAC_LIBRARY, 'pac-library.js').dispose());
      engine.#run(() => vm.evalCode(script, 'proxy.pac').dispose());
      // By name, as browsers call it: `function`, `var`, `let` and `const` definitions all count,
      // and a script that reassigns it is called with its current value.
      let kind: unknown;
      engine.#run(() => {
        const type = vm.evalCode('typeof FindProxyForURL', 'pac-check.js');
        kind = vm.dump(type);
        type.dispose();
      });
      if (kind !== 'function') {
        throw new PacScriptError('compile', 'the script defines no function FindProxyForURL');
      }
      engine.#run(() => {
        engine.#find = vm.evalCode(
          '(function (url, host) { return FindProxyForURL(url, host); })',
          'pac-call.js',
        );
      });
      return engine;
    } catch (err) {
      engine.dispose();
      if (err instanceof PacScriptError && err.reason === 'threw') {
        throw new PacScriptError('compile', err.message);
      }
      throw err;
    } finally {
      engine.#deadline = Number.POSITIVE_INFINITY;
    }
  }

  /** Whether a timeout or memory failure left the engine unusable. */
  get spent(): boolean {
    return this.#spent;
  }

  /**
   * One run of FindProxyForURL(url, host) with the names resolved so far. Answers the script's
   * return value, or the names it asked for that `names` does not hold yet.
   */
  run(
    url: string,
    host: string,
    names: ReadonlyMap<string, string | null>,
    myIp: string,
    deadline: number,
  ): PacRun {
    const find = this.#find;
    if (this.#spent || find === null) throw new PacScriptError('memory', 'the PAC engine was stopped');
    const vm = this.#vm;
    this.#names = names;
    this.#pending = new Set();
    this.#myIp = myIp;
    this.#deadline = deadline;
    try {
      let answer: unknown;
      try {
        this.#run(() => {
          const args = [vm.newString(url), vm.newString(host)];
          try {
            const result = vm.callFunction(find, vm.undefined, ...args);
            answer = vm.dump(result);
            result.dispose();
          } finally {
            for (const arg of args) arg.dispose();
          }
        });
      } catch (err) {
        // The script may catch the pending-name exception and go on: names asked for win anyway,
        // but not over a time or memory limit.
        const limit = err instanceof PacScriptError && err.reason !== 'threw';
        if (this.#pending.size === 0 || limit) throw err;
      }
      if (this.#pending.size > 0) return { kind: 'needs-names', names: [...this.#pending] };
      return { kind: 'answer', answer };
    } finally {
      this.#deadline = Number.POSITIVE_INFINITY;
      this.#names = new Map();
    }
  }

  dispose(): void {
    this.#spent = true;
    try {
      this.#vm.dispose();
    } catch {
      // already torn down by a fatal engine error
    }
  }

  /** The two host functions the library wraps (pac-library.ts). */
  #install(): void {
    const vm = this.#vm;
    const resolve = vm.newFunction(NATIVE_DNS_RESOLVE, (hostHandle) => {
      const host = String(hostHandle === undefined ? '' : vm.dump(hostHandle));
      const known = this.#names.get(host);
      if (known !== undefined) return known === null ? vm.null : vm.newString(known);
      if (this.#names.size + this.#pending.size >= MAX_NAMES_PER_CALL) return vm.null;
      this.#pending.add(host);
      throw new Error(NAME_PENDING);
    });
    vm.setProp(vm.global, NATIVE_DNS_RESOLVE, resolve);
    resolve.dispose();
    const myIp = vm.newFunction(NATIVE_MY_IP_ADDRESS, () => vm.newString(this.#myIp));
    vm.setProp(vm.global, NATIVE_MY_IP_ADDRESS, myIp);
    myIp.dispose();
  }

  /** Runs `step` in the engine, turning its failures into PacScriptError. */
  #run(step: () => void): void {
    try {
      step();
    } catch (err) {
      throw this.#failure(err);
    }
  }

  #failure(err: unknown): PacScriptError {
    const interrupted = err instanceof Error && /\binterrupted\b/.test(err.message);
    if (interrupted || Date.now() > this.#deadline) {
      this.dispose();
      return new PacScriptError('timeout', 'the PAC script ran past its time limit');
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/out of memory|stack overflow/i.test(message)) {
      this.dispose();
      return new PacScriptError('memory', `the PAC script ran out of memory (${message})`);
    }
    const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
    return new PacScriptError('threw', `the PAC script threw ${name}${printable(message)}`);
  }
}
