import { invalidArgument } from '../errors/gerror.js';
import { sortSrvTargets, type RandomSource } from './srv-order.js';

/**
 * GSrvTarget: one SRV record's target (RFC 2782). A hostname of `"."` means "the service is
 * decidedly not available at this domain". Ordering lives in srv-order.ts.
 */
export class SrvTarget {
  readonly hostname: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;

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

  /** g_srv_target_list_sort: RFC 2782 order (see sortSrvTargets). */
  static listSort(targets: readonly SrvTarget[], random?: RandomSource): SrvTarget[] {
    return sortSrvTargets(targets, random);
  }

  getHostname(): string {
    return this.hostname;
  }
  getPort(): number {
    return this.port;
  }
  getPriority(): number {
    return this.priority;
  }
  getWeight(): number {
    return this.weight;
  }

  copy(): SrvTarget {
    return new SrvTarget(this.hostname, this.port, this.priority, this.weight);
  }

  toString(): string {
    return `${this.hostname}:${this.port} (priority ${this.priority}, weight ${this.weight})`;
  }
}
