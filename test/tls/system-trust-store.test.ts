// The default trust store is the system's (issue 9, as GIO's default GTlsDatabase): SSL_CERT_FILE
// and SSL_CERT_DIR first, then the distribution bundle, plus NODE_EXTRA_CA_CERTS. The end-to-end
// cases run a child process with the variables set, since the store is read once per process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { rootCertificates } from 'node:tls';
import { TlsCertificateFlags as F } from '../../src/errors/enums.js';
import { findSystemTrustStore, SYSTEM_BUNDLE_FILES } from '../../src/tls/system-trust-store.js';
import { HAS_OPENSSL, testPki, type TestPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { startTlsServer, type TlsTestServer } from './tls-peers.js';

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI not installed (needed to make certificates)')
    ? testPki()
    : null;
}

interface ChildOutcome {
  readonly accepted: boolean;
  readonly error: string | null;
  readonly flags: number | null;
  readonly source: { readonly kind: string; readonly path?: string; readonly variable?: string };
  readonly extraFile: string | null;
}

/** Runs trust-store-child.ts with `env` added (and the trust variables of this process removed). */
function child(port: number, env: Record<string, string>): Promise<ChildOutcome> {
  const base = { ...process.env };
  for (const name of ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS']) delete base[name];
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './test/helpers/network-guard.ts', 'test/tls/trust-store-child.ts'],
      { env: { ...base, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim()) as ChildOutcome);
      } catch {
        reject(new Error(`child exited ${code}: ${err.slice(-1500)}`));
      }
    });
  });
}

describe('system trust store: which store, found how', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gsc-truststore-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('SSL_CERT_FILE wins over the distribution bundle', (t) => {
    const p = pki(t);
    if (!p) return;
    const store = findSystemTrustStore({ SSL_CERT_FILE: p.caFile });
    assert.deepEqual(store.source, { kind: 'env', variable: 'SSL_CERT_FILE', path: p.caFile });
    assert.equal(store.certificates.length, 1);
    assert.equal(store.certificates[0].trim(), p.ca.trim());
  });

  it('SSL_CERT_DIR: every certificate of every file, each once', (t) => {
    const p = pki(t);
    if (!p) return;
    const certs = mkdtempSync(join(dir, 'certs-'));
    writeFileSync(join(certs, 'a.pem'), p.ca + p.otherCa);
    writeFileSync(join(certs, 'b.0'), p.ca); // a c_rehash link's copy
    const store = findSystemTrustStore({ SSL_CERT_DIR: `/nonexistent:${certs}` });
    assert.equal(store.source.kind, 'env');
    assert.equal(store.certificates.length, 2);
  });

  it('without variables: the first distribution bundle present, else Node’s bundled roots', () => {
    const store = findSystemTrustStore({});
    if (store.source.kind === 'bundle') {
      assert.ok(SYSTEM_BUNDLE_FILES.includes(store.source.path));
      assert.ok(store.certificates.length > 0);
    } else {
      assert.equal(store.source.kind, 'node-bundled');
      assert.equal(store.certificates, rootCertificates);
    }
    // An unreadable SSL_CERT_FILE is skipped, not taken as an empty store.
    assert.deepEqual(findSystemTrustStore({ SSL_CERT_FILE: '/nonexistent/ca.pem' }).source, store.source);
  });

  it('NODE_EXTRA_CA_CERTS is added to whichever store was found', (t) => {
    const p = pki(t);
    if (!p) return;
    const plain = findSystemTrustStore({ SSL_CERT_FILE: p.caFile });
    const extra = findSystemTrustStore({ SSL_CERT_FILE: p.caFile, NODE_EXTRA_CA_CERTS: p.caFile });
    assert.equal(extra.certificates.length, plain.certificates.length + 1);
    assert.equal(extra.extraFile, p.caFile);
  });
});

describe('system trust store: a handshake without `ca` (child processes)', () => {
  let server: TlsTestServer | null = null;
  let p: TestPki | null = null;
  before(async () => {
    if (!HAS_OPENSSL) return;
    p = testPki();
    server = await startTlsServer('127.0.0.1', p.valid);
  });
  after(async () => {
    await server?.close();
  });

  it('a CA named by SSL_CERT_FILE is trusted', async (t) => {
    if (!pki(t) || !server || !p) return;
    const outcome = await child(server.port, { SSL_CERT_FILE: p.caFile });
    assert.equal(outcome.source.kind, 'env');
    assert.equal(outcome.accepted, true, outcome.error ?? '');
  });

  it('a CA added with NODE_EXTRA_CA_CERTS is trusted besides the system store', async (t) => {
    if (!pki(t) || !server || !p) return;
    const outcome = await child(server.port, { NODE_EXTRA_CA_CERTS: p.caFile });
    assert.equal(outcome.extraFile, p.caFile);
    assert.equal(outcome.accepted, true, outcome.error ?? '');
  });

  it('otherwise the test CA is unknown: UNKNOWN_CA', async (t) => {
    if (!pki(t) || !server) return;
    const outcome = await child(server.port, {});
    assert.equal(outcome.accepted, false);
    assert.equal(outcome.error, 'Unacceptable TLS certificate');
    assert.equal(outcome.flags, F.UNKNOWN_CA);
  });
});
