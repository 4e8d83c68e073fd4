// The x509-limbo path-validation suite (C2SP/x509-limbo, compiled into ../shared/testdata): which
// of its cases a TLS client can run, and the verdicts the runner reports for them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The repository root (two levels above this file), so the data is found whatever the cwd. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** CI clones the repository with `shared/` beside it. */
export const LIMBO_PATH = join(REPO_ROOT, '..', 'shared', 'testdata', 'x509-limbo', 'limbo.json.gz');

export interface LimboCase {
  readonly id: string;
  readonly validation_kind: 'SERVER' | 'CLIENT';
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates: readonly string[];
  readonly peer_certificate: string;
  readonly peer_certificate_key: string | null;
  readonly validation_time: string | null;
  readonly expected_result: 'SUCCESS' | 'FAILURE';
  readonly expected_peer_name: { readonly kind: 'DNS' | 'IP' | 'RFC822'; readonly value: string } | null;
  readonly max_chain_depth: number | null;
  readonly crls: readonly string[];
  readonly description: string;
}

export function loadLimbo(path = LIMBO_PATH): LimboCase[] {
  const data = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { testcases: LimboCase[] };
  return data.testcases;
}

/** Why a case cannot be run by a TLS client, or null when it can. */
export function notRunnableReason(c: LimboCase): string | null {
  if (c.validation_kind !== 'SERVER') return 'a CLIENT validation case (a TLS client validates servers)';
  if (!c.peer_certificate_key) return 'no leaf private key, so no TLS server can present the leaf';
  if (!c.expected_peer_name || c.expected_peer_name.kind === 'RFC822') {
    return 'no DNS/IP peer name: a TLS client always has a server identity to check';
  }
  // OpenSSL's default verify depth is 100 (X509_VERIFY_PARAM); a smaller limit is a policy
  // neither tls.connect nor GIO lets a client set.
  if (c.max_chain_depth !== null && c.max_chain_depth < 100) {
    return `max_chain_depth ${c.max_chain_depth}: neither tls.connect nor GIO has a chain-depth setting`;
  }
  return null;
}

/** One case's outcome on each client; `error` is Node's code, our flag names or GError code. */
export interface CaseVerdict {
  readonly id: string;
  /** Set when the case could not be served (it then counts as not runnable). */
  readonly notServed?: string;
  readonly node?: { readonly accepted: boolean; readonly error: string | null };
  readonly ours?: { readonly accepted: boolean; readonly error: string | null };
}

/** The clock a case needs, as libfaketime's frozen absolute FAKETIME (`YYYY-MM-DD hh:mm:ss[.fff]`). */
export function faketimeOf(validationTime: string): string {
  const iso = new Date(validationTime).toISOString(); // 2024-03-01T00:00:00.999Z
  const [day, rest] = iso.split('T');
  const time = rest.replace('Z', '').replace(/\.000$/, '');
  return `${day} ${time}`;
}
