// STUB — being written by helper A (issue 2, §4.2).
export interface NetworkUriParts {
  readonly scheme: string;
  readonly host: string;
  /** -1 when absent or empty. */
  readonly port: number;
}
export function splitNetworkUri(uri: string): NetworkUriParts {
  const u = new URL(uri);
  return { scheme: u.protocol.slice(0, -1), host: u.hostname, port: u.port ? Number(u.port) : -1 };
}
export function isValidUri(uri: string): boolean {
  return URL.canParse(uri);
}
export function joinNetworkUri(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host.replace(/%/g, '%25')}]` : host}:${port}`;
}
