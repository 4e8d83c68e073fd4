import { invalidArgument } from '../errors/gerror.js';
import { sortSrvTargets, type RandomSource } from './srv-order.js';

/**
 * GSrvTarget: one SRV record's target (RFC 2782). A hostname of `"."` means "the service is
 * decidedly not available at this domain". Ordering lives in srv-order.ts.
 */
export class SrvTarget {
  /** The target host (g_srv_target_get_hostname), `"."` for "no service here". */
  readonly hostname: string;
  /** The port of the service on that host. */
  readonly port: number;
  /** Lower priorities are tried first (RFC 2782). */
  readonly priority: number;
  /** Among equal priorities, the relative chance of being tried first (RFC 2782). */
  readonly weight: number;

  /** g_srv_target_new; throws INVALID_ARGUMENT when a number is not a 16-bit unsigned integer. */
  constructor(hostname: string, port: number, priority: number, weight: number) {
    if (typeof hostname !== 'string') throw invalidArgument('SrvTarget hostname must be a string');
    // All three are 16-bit unsigned fields on the wire (RFC 2782).
    for (const [name, value] of [
      ['port', port],
      ['priority', priority],
      ['weight', weight],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 65535) {
        throw invalidArgument(`Invalid SRV ${name} ${String(value)}: must be an integer from 0 to 65535`);
      }
    }
    this.hostname = hostname;
    this.port = port;
    this.priority = priority;
    this.weight = weight;
  }

  /**
   * g_srv_target_list_sort: RFC 2782 order — by priority, then weighted random within a priority;
   * a lone `"."` target gives an empty list. `random` (in [0, 1)) replaces Math.random, for tests.
   */
  static listSort(targets: readonly SrvTarget[], random?: RandomSource): SrvTarget[] {
    return sortSrvTargets(targets, random);
  }

  /** g_srv_target_get_hostname. */
  getHostname(): string {
    return this.hostname;
  }
  /** g_srv_target_get_port. */
  getPort(): number {
    return this.port;
  }
  /** g_srv_target_get_priority. */
  getPriority(): number {
    return this.priority;
  }
  /** g_srv_target_get_weight. */
  getWeight(): number {
    return this.weight;
  }

  /** g_srv_target_copy. */
  copy(): SrvTarget {
    return new SrvTarget(this.hostname, this.port, this.priority, this.weight);
  }

  /** `host:port (priority p, weight w)`, for messages. */
  toString(): string {
    return `${this.hostname}:${this.port} (priority ${this.priority}, weight ${this.weight})`;
  }
}
