import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './env.js';

/** Whether the openssl CLI is here (the PKI below and the s_server interop tests need it). */
export const HAS_OPENSSL = hasCommand('openssl');

/** A certificate (PEM, leaf first then any intermediates the server should send) and its key. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
  /** Files holding the same, for the openssl CLI. */
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A throw-away PKI made with the openssl CLI. Every leaf names `localhost`, 127.0.0.1 and ::1
 * unless its name says otherwise, so only the property under test differs between them.
 */
export interface TestPki {
  readonly dir: string;
  /** The trusted root (PEM) and its file. */
  readonly ca: string;
  readonly caFile: string;
  /** A root nobody trusts. */
  readonly otherCa: string;
  /** CRL (PEM) issued by `ca`, listing `revoked`. */
  readonly crl: string;
  /** The same CRL in DER. */
  readonly crlDer: Buffer;
  /** A CRL by `ca` (also listing `revoked`) whose validity ended in 2021. */
  readonly staleCrl: string;
  /**
   * A CRL naming `ca` as issuer and listing `valid`, but signed by another key: must be ignored.
   */
  readonly forgedCrl: string;
  readonly valid: CertPair;
  readonly expired: CertPair;
  readonly notYetValid: CertPair;
  /** SAN `DNS:wrong.example` only: no name, no IP of ours. */
  readonly wrongName: CertPair;
  /** Self-signed `CN=localhost` with our names. */
  readonly selfSigned: CertPair;
  /** Issued by `otherCa`. */
  readonly unknownCa: CertPair;
  /** Expired, issued by `otherCa`, and for `wrong.example`: three flags at once. */
  readonly expiredUnknownWrongName: CertPair;
  /** Signed by `ca` with SHA-1. */
  readonly sha1: CertPair;
  /** A 1024-bit RSA key, signed by `ca` with SHA-256. */
  readonly rsa1024: CertPair;
  /** Issued by `ca`, then revoked (listed in `crl`). */
  readonly revoked: CertPair;
  /** Issued by an intermediate CA that `ca` signed; `cert` holds leaf + intermediate. */
  readonly intermediate: CertPair;
  /** The intermediate's leaf alone (the server "forgets" to send the intermediate). */
  readonly intermediateLeafOnly: CertPair;
  /** Issued by a CA with the same name as `ca` but another key. */
  readonly impostor: CertPair;
  /** A client certificate (`CN=client`, clientAuth) issued by `ca`. */
  readonly client: CertPair;
  /** A client certificate issued by `otherCa`. */
  readonly clientUnknownCa: CertPair;
}

/** The names of the TestPki members that are certificates (`valid`, `expired`, …). */
export type CertKind = { [K in keyof TestPki]: TestPki[K] extends CertPair ? K : never }[keyof TestPki];

let cached: TestPki | null = null;

/** The PKI for this test process: generated once (about a second), removed at exit. */
export function testPki(): TestPki {
  cached ??= generate();
  return cached;
}

const OUR_NAMES = 'DNS:localhost,IP:127.0.0.1,IP:::1';

function generate(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gsc-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const path = (name: string): string => join(dir, name);
  const read = (name: string): string => readFileSync(path(name), 'utf8');

  const rsaKey = (name: string, bits: number): void =>
    ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', path(name));
  rsaKey('ca.key', 2048);
  rsaKey('other-ca.key', 2048);
  rsaKey('inter.key', 2048);
  rsaKey('leaf.key', 2048);
  rsaKey('client.key', 2048);
  rsaKey('weak.key', 1024);
  rsaKey('forger.key', 2048);

  writeFileSync(
    path('ext.cnf'),
    [
      // `req` wants a [req] section in its config; the extension sections sit beside it.
      '[ req ]',
      'distinguished_name = dn',
      '[ dn ]',
      '[ root ]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[ inter ]',
      'basicConstraints = critical,CA:TRUE,pathlen:0',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      '[ server ]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      `subjectAltName = ${OUR_NAMES}`,
      '[ wrongname ]',
      'basicConstraints = critical,CA:FALSE',
      'extendedKeyUsage = serverAuth',
      'authorityKeyIdentifier = keyid:always',
      'subjectAltName = DNS:wrong.example',
      '[ client ]',
      'basicConstraints = critical,CA:FALSE',
      'extendedKeyUsage = clientAuth',
      'authorityKeyIdentifier = keyid:always',
      '[ selfsigned ]',
      'basicConstraints = critical,CA:FALSE',
      'subjectKeyIdentifier = hash',
      `subjectAltName = ${OUR_NAMES}`,
      '',
    ].join('\n'),
  );

  // Each CA is an `openssl ca` directory so certificates can get explicit dates and be revoked.
  const makeCaDir = (name: string, keyFile: string, serial: string): void => {
    const d = path(name);
    mkdirSync(join(d, 'newcerts'), { recursive: true });
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'serial'), `${serial}\n`);
    writeFileSync(join(d, 'crlnumber'), '01\n');
    writeFileSync(
      join(d, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = CA_default',
        '[ CA_default ]',
        `dir = ${d}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir/newcerts',
        'serial = $dir/serial',
        'crlnumber = $dir/crlnumber',
        `certificate = ${path(`${name}.pem`)}`,
        `private_key = ${path(keyFile)}`,
        'default_md = sha256',
        'default_days = 3650',
        'default_crl_days = 3650',
        'policy = policy_any',
        'unique_subject = no',
        'email_in_dn = no',
        '[ policy_any ]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
  };

  const selfSign = (key: string, cn: string, out: string, section: string): void =>
    ossl(
      'req',
      '-x509',
      '-new',
      '-key',
      path(key),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      '-sha256',
      '-config',
      path('ext.cnf'),
      '-extensions',
      section,
      '-out',
      path(out),
    );
  selfSign('ca.key', 'gsocketclient test CA', 'ca.pem', 'root');
  selfSign('other-ca.key', 'gsocketclient unknown CA', 'other.pem', 'root');
  selfSign('forger.key', 'gsocketclient test CA', 'forger.pem', 'root');
  makeCaDir('ca', 'ca.key', '10');
  makeCaDir('other', 'other-ca.key', '70');
  makeCaDir('forger', 'forger.key', 'A0');

  const yesterday = asn1Time(new Date(Date.now() - 86_400_000));
  const inTenYears = asn1Time(new Date(Date.now() + 10 * 365 * 86_400_000));

  interface IssueOptions {
    readonly ca: 'ca' | 'other' | 'inter' | 'forger';
    readonly key: string;
    readonly cn: string;
    readonly section: string;
    readonly start?: string;
    readonly end?: string;
    readonly md?: string;
  }
  const issue = (out: string, o: IssueOptions): void => {
    ossl('req', '-new', '-key', path(o.key), '-subj', `/CN=${o.cn}`, '-out', path(`${out}.csr`));
    ossl(
      'ca',
      '-config',
      join(path(o.ca), 'ca.cnf'),
      '-batch',
      '-notext',
      '-in',
      path(`${out}.csr`),
      '-out',
      path(`${out}.pem`),
      '-startdate',
      o.start ?? yesterday,
      '-enddate',
      o.end ?? inTenYears,
      '-md',
      o.md ?? 'sha256',
      '-extfile',
      path('ext.cnf'),
      '-extensions',
      o.section,
    );
  };

  issue('inter', { ca: 'ca', key: 'inter.key', cn: 'gsocketclient intermediate CA', section: 'inter' });
  makeCaDir('inter', 'inter.key', '40');

  issue('valid', { ca: 'ca', key: 'leaf.key', cn: 'localhost', section: 'server' });
  issue('expired', {
    ca: 'ca',
    key: 'leaf.key',
    cn: 'localhost',
    section: 'server',
    start: '20200101000000Z',
    end: '20210101000000Z',
  });
  issue('notyet', {
    ca: 'ca',
    key: 'leaf.key',
    cn: 'localhost',
    section: 'server',
    start: '20990101000000Z',
    end: '21000101000000Z',
  });
  issue('wrongname', { ca: 'ca', key: 'leaf.key', cn: 'wrong.example', section: 'wrongname' });
  issue('unknownca', { ca: 'other', key: 'leaf.key', cn: 'localhost', section: 'server' });
  issue('triple', {
    ca: 'other',
    key: 'leaf.key',
    cn: 'wrong.example',
    section: 'wrongname',
    start: '20200101000000Z',
    end: '20210101000000Z',
  });
  issue('sha1', { ca: 'ca', key: 'leaf.key', cn: 'localhost', section: 'server', md: 'sha1' });
  issue('weak', { ca: 'ca', key: 'weak.key', cn: 'localhost', section: 'server' });
  issue('revoked', { ca: 'ca', key: 'leaf.key', cn: 'localhost', section: 'server' });
  issue('client', { ca: 'ca', key: 'client.key', cn: 'client', section: 'client' });
  issue('client-other', { ca: 'other', key: 'client.key', cn: 'client', section: 'client' });
  issue('interleaf', { ca: 'inter', key: 'leaf.key', cn: 'localhost', section: 'server' });
  selfSign('leaf.key', 'localhost', 'selfsigned.pem', 'selfsigned');
  issue('impostor', { ca: 'forger', key: 'leaf.key', cn: 'localhost', section: 'server' });

  const caCnf = join(path('ca'), 'ca.cnf');
  ossl('ca', '-config', caCnf, '-revoke', path('revoked.pem'), '-crl_reason', 'keyCompromise');
  ossl('ca', '-config', caCnf, '-gencrl', '-out', path('crl.pem'));
  ossl('crl', '-in', path('crl.pem'), '-outform', 'DER', '-out', path('crl.der'));
  ossl(
    'ca',
    '-config',
    caCnf,
    '-gencrl',
    '-crl_lastupdate',
    '20200101000000Z',
    '-crl_nextupdate',
    '20210101000000Z',
    '-out',
    path('stale-crl.pem'),
  );
  const forgerCnf = join(path('forger'), 'ca.cnf');
  ossl('ca', '-config', forgerCnf, '-revoke', path('valid.pem'));
  ossl('ca', '-config', forgerCnf, '-gencrl', '-out', path('forged-crl.pem'));

  writeFileSync(path('interchain.pem'), read('interleaf.pem') + read('inter.pem'));

  const pair = (certName: string, keyName: string): CertPair => ({
    cert: read(certName),
    key: read(keyName),
    certFile: path(certName),
    keyFile: path(keyName),
  });
  return {
    dir,
    ca: read('ca.pem'),
    caFile: path('ca.pem'),
    otherCa: read('other.pem'),
    crl: read('crl.pem'),
    crlDer: readFileSync(path('crl.der')),
    staleCrl: read('stale-crl.pem'),
    forgedCrl: read('forged-crl.pem'),
    valid: pair('valid.pem', 'leaf.key'),
    expired: pair('expired.pem', 'leaf.key'),
    notYetValid: pair('notyet.pem', 'leaf.key'),
    wrongName: pair('wrongname.pem', 'leaf.key'),
    selfSigned: pair('selfsigned.pem', 'leaf.key'),
    unknownCa: pair('unknownca.pem', 'leaf.key'),
    expiredUnknownWrongName: pair('triple.pem', 'leaf.key'),
    sha1: pair('sha1.pem', 'leaf.key'),
    rsa1024: pair('weak.pem', 'weak.key'),
    revoked: pair('revoked.pem', 'leaf.key'),
    intermediate: pair('interchain.pem', 'leaf.key'),
    intermediateLeafOnly: pair('interleaf.pem', 'leaf.key'),
    impostor: pair('impostor.pem', 'leaf.key'),
    client: pair('client.pem', 'client.key'),
    clientUnknownCa: pair('client-other.pem', 'client.key'),
  };
}

/** `YYYYMMDDHHMMSSZ`, the form `openssl ca -startdate/-enddate` takes. */
function asn1Time(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Certificates signed with RSASSA-PSS (RFC 4055), made with `openssl … -sigopt
 * rsa_padding_mode:pss`: a PSS root, a PSS intermediate, and leaves for `localhost` signed with
 * PSS over several digests and salt lengths, one with an RSA-PSS key of its own.
 */
export interface PssPki {
  readonly dir: string;
  /** The trusted root: RSA key, self-signed with PSS/SHA-256. */
  readonly ca: string;
  readonly caFile: string;
  /** Signed by `ca` with PSS, SHA-256, salt length 32. */
  readonly sha256: CertPair;
  /** Signed by `ca` with PSS, SHA-384, salt length = digest length (48). */
  readonly sha384: CertPair;
  /** Signed by `ca` with PSS, SHA-512, the maximum salt length. */
  readonly sha512MaxSalt: CertPair;
  /** Signed by `ca` with PSS and every default parameter (SHA-1, MGF1-SHA-1, salt 20). */
  readonly sha1: CertPair;
  /** A leaf whose own key is an RSA-PSS key (id-RSASSA-PSS SubjectPublicKeyInfo). */
  readonly pssKey: CertPair;
  /** Leaf + intermediate, both signed with PSS; the intermediate by `ca`. */
  readonly chain: CertPair;
  /** `sha256` with one bit of its signature flipped. */
  readonly tampered: CertPair;
  /** Issued with PSS by a root nobody trusts. */
  readonly unknownCa: CertPair;
  /** Issued by `ca` with PSS, then revoked in `crl`. */
  readonly revoked: CertPair;
  /** CRL by `ca`, itself signed with PSS (SHA-256, salt 32), listing `revoked`. */
  readonly crl: string;
  /** A CRL naming `ca` as issuer and listing `sha256`, PSS-signed by another key. */
  readonly forgedCrl: string;
}

let cachedPss: PssPki | null = null;

/** The PSS PKI for this test process: generated once, removed at exit. */
export function pssPki(): PssPki {
  cachedPss ??= generatePss();
  return cachedPss;
}

function generatePss(): PssPki {
  const dir = mkdtempSync(join(tmpdir(), 'gsc-pss-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string): string => join(dir, name);
  const read = (name: string): string => readFileSync(path(name), 'utf8');
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const pss = (md: string, salt: string): string[] => [
    `-${md}`,
    '-sigopt',
    'rsa_padding_mode:pss',
    '-sigopt',
    `rsa_pss_saltlen:${salt}`,
  ];
  for (const name of ['ca', 'other', 'inter', 'leaf', 'forger']) {
    ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path(`${name}.key`));
  }
  ossl('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path('psskey.key'));
  writeFileSync(
    path('ext.cnf'),
    [
      '[ req ]',
      'distinguished_name = dn',
      '[ dn ]',
      '[ root ]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[ inter ]',
      'basicConstraints = critical,CA:TRUE,pathlen:0',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      '[ server ]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'authorityKeyIdentifier = keyid:always',
      `subjectAltName = ${OUR_NAMES}`,
      '',
    ].join('\n'),
  );
  const root = (name: string, cn: string): void =>
    ossl(
      'req',
      '-x509',
      '-new',
      '-key',
      path(`${name}.key`),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      ...pss('sha256', '32'),
      '-config',
      path('ext.cnf'),
      '-extensions',
      'root',
      '-out',
      path(`${name}.pem`),
    );
  root('ca', 'gsocketclient PSS CA');
  root('other', 'gsocketclient unknown PSS CA');
  root('forger', 'gsocketclient PSS CA');
  let serial = 0x1000;
  const issue = (out: string, ca: string, key: string, cn: string, section: string, sig: string[]): void => {
    ossl('req', '-new', '-key', path(key), '-subj', `/CN=${cn}`, '-out', path(`${out}.csr`));
    ossl(
      'x509',
      '-req',
      '-in',
      path(`${out}.csr`),
      '-CA',
      path(`${ca}.pem`),
      '-CAkey',
      path(`${ca}.key`),
      '-set_serial',
      String(serial++),
      '-days',
      '3650',
      ...sig,
      '-extfile',
      path('ext.cnf'),
      '-extensions',
      section,
      '-out',
      path(`${out}.pem`),
    );
  };
  issue('sha256', 'ca', 'leaf.key', 'localhost', 'server', pss('sha256', '32'));
  issue('sha384', 'ca', 'leaf.key', 'localhost', 'server', pss('sha384', 'digest'));
  issue('sha512', 'ca', 'leaf.key', 'localhost', 'server', pss('sha512', 'max'));
  issue('sha1', 'ca', 'leaf.key', 'localhost', 'server', pss('sha1', '20'));
  issue('psskey', 'ca', 'psskey.key', 'localhost', 'server', pss('sha256', '32'));
  issue('inter', 'ca', 'inter.key', 'gsocketclient PSS intermediate', 'inter', pss('sha256', '32'));
  issue('interleaf', 'inter', 'leaf.key', 'localhost', 'server', pss('sha256', '32'));
  issue('unknownca', 'other', 'leaf.key', 'localhost', 'server', pss('sha256', '32'));
  issue('revoked', 'ca', 'leaf.key', 'localhost', 'server', pss('sha256', '32'));
  writeFileSync(path('chain.pem'), read('interleaf.pem') + read('inter.pem'));

  // One flipped bit in the last byte of the DER, which is the end of the signature value.
  const der = new X509Certificate(read('sha256.pem')).raw;
  der[der.length - 1] ^= 0x01;
  writeFileSync(
    path('tampered.pem'),
    `-----BEGIN CERTIFICATE-----\n${der
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END CERTIFICATE-----\n`,
  );

  // CRLs need an `openssl ca` database; -sigopt signs them with PSS too.
  const crl = (ca: string, revoke: string, out: string): void => {
    const d = path(`${ca}-db`);
    mkdirSync(d);
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'crlnumber'), '01\n');
    writeFileSync(
      join(d, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = CA_default',
        '[ CA_default ]',
        `database = ${join(d, 'index.txt')}`,
        `crlnumber = ${join(d, 'crlnumber')}`,
        `certificate = ${path(`${ca}.pem`)}`,
        `private_key = ${path(`${ca}.key`)}`,
        'default_md = sha256',
        'default_crl_days = 3650',
        '',
      ].join('\n'),
    );
    const cnf = join(d, 'ca.cnf');
    ossl('ca', '-config', cnf, '-revoke', path(revoke), '-crl_reason', 'keyCompromise');
    ossl(
      'ca',
      '-config',
      cnf,
      '-gencrl',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-out',
      path(out),
    );
  };
  crl('ca', 'revoked.pem', 'crl.pem');
  crl('forger', 'sha256.pem', 'forged-crl.pem');

  const pair = (certName: string, keyName: string): CertPair => ({
    cert: read(certName),
    key: read(keyName),
    certFile: path(certName),
    keyFile: path(keyName),
  });
  return {
    dir,
    ca: read('ca.pem'),
    caFile: path('ca.pem'),
    sha256: pair('sha256.pem', 'leaf.key'),
    sha384: pair('sha384.pem', 'leaf.key'),
    sha512MaxSalt: pair('sha512.pem', 'leaf.key'),
    sha1: pair('sha1.pem', 'leaf.key'),
    pssKey: pair('psskey.pem', 'psskey.key'),
    chain: pair('chain.pem', 'leaf.key'),
    tampered: pair('tampered.pem', 'leaf.key'),
    unknownCa: pair('unknownca.pem', 'leaf.key'),
    revoked: pair('revoked.pem', 'leaf.key'),
    crl: read('crl.pem'),
    forgedCrl: read('forged-crl.pem'),
  };
}
