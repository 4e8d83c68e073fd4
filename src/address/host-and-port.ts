// STUB — being written by helper A (issue 2, §4.1).
export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}
export function parseHostAndPort(input: string, defaultPort: number): HostAndPort {
  return { host: input, port: defaultPort };
}
