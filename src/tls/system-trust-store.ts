import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';

/**
 * The distributions' CA bundles, in the order OpenSSL-based tools look for them (Go's
 * crypto/x509 root_linux.go keeps the same list): Debian/Ubuntu/Gentoo/Arch, Fedora/RHEL,
 * openSUSE, RHEL 7+ extracted, Alpine/BSD-style, FreeBSD.
 */
export const SYSTEM_BUNDLE_FILES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/share/certs/ca-root-nss.crt',
];

/**
 * Where the default trust anchors came from (shown by the CLI and useful in bug reports), one
 * variant per step of {@link findSystemTrustStore}.
 */
export type TrustStoreSource =
  | {
      /** Node's own view of the system store, `tls.getCACertificates('system')`. */
      readonly kind: 'node-system';
    }
  | {
      /** One of OpenSSL's environment variables named the store. */
      readonly kind: 'env';
      /** Which variable: a bundle file or a (colon-separated) list of directories. */
      readonly variable: 'SSL_CERT_FILE' | 'SSL_CERT_DIR';
      /** The variable's value. */
      readonly path: string;
    }
  | {
      /** The first distribution CA bundle found (`/etc/ssl/certs/ca-certificates.crt`, …). */
      readonly kind: 'bundle';
      /** The bundle file read. */
      readonly path: string;
    }
  | {
      /** No system store was found: Node's bundled Mozilla roots, `tls.rootCertificates`. */
      readonly kind: 'node-bundled';
    };

/**
 * The trust anchors every handshake without a `ca` option verifies against: what
 * glib-networking's default GTlsDatabase (g_tls_backend_get_default_database) holds in GIO.
 */
export interface SystemTrustStore {
  /** One PEM certificate per element: usable as Node's `ca` option. */
  readonly certificates: readonly string[];
  /** Where {@link certificates} came from. */
  readonly source: TrustStoreSource;
  /** The NODE_EXTRA_CA_CERTS file whose certificates were added, if any. */
  readonly extraFile: string | null;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemCertificates(text: string): string[] {
  return [...text.matchAll(PEM_CERTIFICATE)].map((m) => `${m[0]}\n`);
}

function readCertificates(path: string): string[] | null {
  try {
    return pemCertificates(readFileSync(path, 'latin1'));
  } catch {
    return null;
  }
}

/** Every PEM certificate in the files of `dirs` (colon-separated, as OpenSSL's SSL_CERT_DIR). */
function readCertificateDirs(dirs: string): string[] | null {
  const out: string[] = [];
  let readable = false;
  for (const dir of dirs.split(':').filter((d) => d !== '')) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
      readable = true;
    } catch {
      continue;
    }
    const seen = new Set<string>();
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (!statSync(path).isFile()) continue;
      } catch {
        continue;
      }
      // c_rehash directories hold each certificate twice (file and hash link): keep one.
      for (const pem of readCertificates(path) ?? []) {
        if (seen.has(pem)) continue;
        seen.add(pem);
        out.push(pem);
      }
    }
  }
  return readable ? out : null;
}

/**
 * Finds the operating system's trust store the way glib-networking's default GTlsDatabase
 * trusts the system's CA file:
 * 1. Node's own view of the system store, `tls.getCACertificates('system')` (Node 22.15+);
 * 2. otherwise `SSL_CERT_FILE`, then `SSL_CERT_DIR` (OpenSSL's variables), when readable;
 * 3. otherwise the first distribution bundle of SYSTEM_BUNDLE_FILES that holds certificates;
 * 4. only when none exists, Node's bundled Mozilla roots (`tls.rootCertificates`).
 * The certificates of the file named by NODE_EXTRA_CA_CERTS are added in every case, as Node
 * adds them to its own store.
 */
export function findSystemTrustStore(env: NodeJS.ProcessEnv = process.env): SystemTrustStore {
  const { certificates, source } = baseStore(env);
  const extraFile = env.NODE_EXTRA_CA_CERTS || null;
  const extra = extraFile ? (readCertificates(extraFile) ?? []) : [];
  return {
    certificates: [...certificates, ...extra],
    source,
    extraFile: extra.length > 0 ? extraFile : null,
  };
}

function baseStore(env: NodeJS.ProcessEnv): Pick<SystemTrustStore, 'certificates' | 'source'> {
  const getCACertificates = (tls as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  if (getCACertificates) {
    try {
      const system = getCACertificates('system');
      if (system.length > 0) return { certificates: system, source: { kind: 'node-system' } };
    } catch {
      // Older Node 22/23 releases know only 'default' and 'bundled': use the files below.
    }
  }
  const file = env.SSL_CERT_FILE;
  if (file) {
    const certs = readCertificates(file);
    if (certs) return { certificates: certs, source: { kind: 'env', variable: 'SSL_CERT_FILE', path: file } };
  }
  const dir = env.SSL_CERT_DIR;
  if (dir) {
    const certs = readCertificateDirs(dir);
    if (certs) return { certificates: certs, source: { kind: 'env', variable: 'SSL_CERT_DIR', path: dir } };
  }
  for (const path of SYSTEM_BUNDLE_FILES) {
    const certs = readCertificates(path);
    if (certs && certs.length > 0) return { certificates: certs, source: { kind: 'bundle', path } };
  }
  return { certificates: tls.rootCertificates, source: { kind: 'node-bundled' } };
}

let cached: SystemTrustStore | null = null;

/**
 * The default trust store, found and read once per process: every handshake without a `ca`
 * option uses it, and reading a 200 kB bundle per handshake would cost more than the handshake.
 * Its GIO counterpart is g_tls_backend_get_default_database.
 *
 * @example
 * ```ts
 * const store = systemTrustStore();
 * console.log(store.source.kind, store.certificates.length); // e.g. 'bundle' 146
 * // Trust the system roots plus a private CA for one client:
 * const client = new SocketClient({ tls: true, tlsOptions: { ca: [...store.certificates, myCaPem] } });
 * ```
 */
export function systemTrustStore(): SystemTrustStore {
  cached ??= findSystemTrustStore();
  return cached;
}
