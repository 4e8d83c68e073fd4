/** GSrvTarget: one SRV record's target. Ordering (RFC 2782) lives in srv-order.ts. */
export class SrvTarget {
  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly priority: number,
    readonly weight: number,
  ) {}

  toString(): string {
    return `${this.hostname}:${this.port} (priority ${this.priority}, weight ${this.weight})`;
  }
}
