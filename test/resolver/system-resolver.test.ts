// Issue 12: SystemResolver's getaddrinfo path and its error mapping, against a private /etc/hosts.
// A child process runs in its own mount and network namespace (unshare -m -n) with the test's
// /etc/hosts (names with IPv4 only and with both families), /etc/nsswitch.conf (`hosts: files dns`)
// and /etc/resolv.conf naming a recording DNS server on the namespace's 127.0.0.1:53 that answers
// NXDOMAIN. The namespace's lo also carries 192.0.2.1 and 2001:db8::1, so AI_ADDRCONFIG sees a
// dual-stack host (glibc ignores 127.0.0.1 and ::1 there). Nothing can leave: the namespace has no
// interface but lo.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { ResolverErrorEnum } from '../../src/index.js';
import { hasCommand, isRoot, requireOrSkip } from '../helpers/env.js';

const HOSTS = [
  '127.0.0.1 localhost',
  '::1 localhost ip6-localhost',
  '127.0.0.1 v4only.gsc.test',
  '::1 both.gsc.test',
  '127.0.0.1 both.gsc.test',
  '::1 v6only.gsc.test',
  '',
].join('\n');
const RESOLV_CONF = 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n';
const NSSWITCH = 'hosts: files dns\n';

/** gai_strerror(EAI_NODATA), the text GIO's threaded resolver puts after the name. */
const NODATA_MESSAGE = 'Error resolving “nodata.gsc.test”: No address associated with hostname';
const RR_A = 1;
const RR_AAAA = 28;

interface ErrorReport {
  readonly kind: string;
  readonly domain: string;
  readonly code: number;
  readonly message: string;
}
interface ChildReport {
  readonly port: number;
  readonly fromHosts: {
    readonly lookupBoth: string[];
    readonly lookupV4Only: string[];
    readonly lookupBothIpv4Only: string[];
    readonly lookupBothIpv6Only: string[];
    readonly lookupV6Only: string[];
    readonly lookupV4OnlyIpv4Only: string[];
    readonly lookupMixedCase: string[];
    readonly enumerateV6Only: string[];
    readonly connectV6Only: { remote: string; events: string[] };
    readonly enumerateBoth: string[];
    readonly enumerateV4Only: string[];
    readonly connectBoth: { remote: string; events: string[] };
    readonly connectV4Only: { remote: string; events: string[] };
    readonly connectV4OnlyAgain: { remote: string; events: string[] };
  };
  readonly queriesAfterHosts: string[];
  readonly unknown: {
    readonly lookup: ErrorReport | null;
    readonly connect: ErrorReport | null;
    readonly servfail: ErrorReport | null;
    readonly silent: ErrorReport | null;
    readonly nodata: ErrorReport | null;
    readonly v4OnlyAsIpv6: ErrorReport | null;
  };
  readonly queriesAtEnd: string[];
  readonly hostsChange: {
    readonly serialUnchangedWithinInterval: boolean;
    readonly serialChangedAfterInterval: boolean;
    readonly cachedBefore: string[];
    readonly cachedWithinInterval: string[];
    readonly cachedAfterInterval: string[];
    readonly acrossBefore: string;
    readonly acrossAfter: string;
  };
  readonly sharedCache: {
    readonly sharedFirst: { remote: string; events: string[] };
    readonly sharedSecond: { remote: string; events: string[] };
    readonly queriesAfterFirst: number;
    readonly queriesAfterSecond: number;
    readonly queriesAfterTtl: number;
    readonly queriesUncachedFirst: number;
    readonly queriesUncachedSecond: number;
  };
}

const CHILD = fileURLToPath(new URL('../helpers/hosts-namespace-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const usable = isRoot() && hasCommand('unshare') && hasCommand('ip') && hasCommand('mount');
const REASON = 'needs root and unshare/ip/mount for a private mount and network namespace';

function runChild(): ChildReport {
  const dir = mkdtempSync(join(tmpdir(), 'gsc-hosts-'));
  try {
    const file = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const hosts = file('hosts', HOSTS);
    const resolv = file('resolv.conf', RESOLV_CONF);
    const nss = file('nsswitch.conf', NSSWITCH);
    // Every step must succeed before node starts (set -e); the child also checks resolv.conf.
    const script = [
      'set -e',
      `mount --bind "${hosts}" /etc/hosts`,
      `mount --bind "${resolv}" /etc/resolv.conf`,
      `mount --bind "${nss}" /etc/nsswitch.conf`,
      'ip link set lo up',
      'ip addr add 192.0.2.1/32 dev lo',
      'ip addr add 2001:db8::1/128 dev lo nodad',
      `exec "${process.execPath}" --import tsx "${CHILD}"`,
    ].join('\n');
    const child = spawnSync('unshare', ['--mount', '--net', '--propagation', 'private', 'sh', '-c', script], {
      encoding: 'utf8',
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: { ...process.env, GSC_EXPECT_RESOLV_CONF: RESOLV_CONF, GSC_EXPECT_HOSTS: HOSTS },
    });
    assert.equal(child.status, 0, `child failed (${String(child.status)}): ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SystemResolver through getaddrinfo, private /etc/hosts (mount + network namespace)', () => {
  let report: ChildReport | null = null;
  before(() => {
    if (usable) report = runChild();
  });
  const got = (): ChildReport => {
    assert.ok(report, 'the namespace child did not run');
    return report;
  };

  it('resolves /etc/hosts names of one and of both families, in RFC 6724 order', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { fromHosts } = got();
    assert.deepEqual(fromHosts.lookupBoth, ['::1', '127.0.0.1']);
    assert.deepEqual(fromHosts.lookupV4Only, ['127.0.0.1']);
    assert.deepEqual(fromHosts.lookupBothIpv4Only, ['127.0.0.1']);
    assert.deepEqual(fromHosts.lookupBothIpv6Only, ['::1']);
    assert.deepEqual(fromHosts.lookupV6Only, ['::1']);
    assert.deepEqual(fromHosts.lookupV4OnlyIpv4Only, ['127.0.0.1']);
    // Host names are case-insensitive in /etc/hosts as in DNS.
    assert.deepEqual(fromHosts.lookupMixedCase, ['::1', '127.0.0.1']);
  });

  it('the enumerator interleaves both families, IPv6 first; a v4-only name gives its one address', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { fromHosts, port } = got();
    assert.deepEqual(fromHosts.enumerateBoth, [`[::1]:${port}`, `127.0.0.1:${port}`]);
    assert.deepEqual(fromHosts.enumerateV4Only, [`127.0.0.1:${port}`]);
    assert.deepEqual(fromHosts.enumerateV6Only, [`[::1]:${port}`]);
  });

  it('connects to /etc/hosts names with the usual events', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { fromHosts, port } = got();
    const events = ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE'];
    assert.deepEqual(fromHosts.connectBoth, { remote: `[::1]:${port}`, events });
    assert.deepEqual(fromHosts.connectV4Only, { remote: `127.0.0.1:${port}`, events });
    assert.deepEqual(fromHosts.connectV4OnlyAgain, { remote: `127.0.0.1:${port}`, events });
    assert.deepEqual(fromHosts.connectV6Only, { remote: `[::1]:${port}`, events });
  });

  it('connects reuse an answer for cacheTtl ms (no getaddrinfo, same events), then ask again', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { sharedCache: c, port } = got();
    const events = ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE'];
    assert.deepEqual(c.sharedFirst, { remote: `127.0.0.1:${port}`, events });
    assert.deepEqual(c.sharedSecond, c.sharedFirst);
    assert.ok(c.queriesAfterFirst > 0, 'the first connect asks DNS');
    assert.equal(c.queriesAfterSecond, c.queriesAfterFirst, 'the second connect is answered from the cache');
    assert.ok(c.queriesAfterTtl > c.queriesAfterSecond, 'after cacheTtl, DNS is asked again');
    // cacheTtl 0: every connect calls getaddrinfo, as before.
    assert.ok(c.queriesUncachedFirst > c.queriesAfterTtl);
    assert.ok(c.queriesUncachedSecond > c.queriesUncachedFirst);
  });

  it('no DNS query is sent for names /etc/hosts answers: both families, IPv4 only, IPv6 only, per-family lookups', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    assert.deepEqual(got().queriesAfterHosts, []);
  });

  it('an unknown name: NXDOMAIN from DNS → ResolverError NOT_FOUND, lookup and connect alike', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { unknown, queriesAtEnd } = got();
    const notFound: ErrorReport = {
      kind: 'ResolverError',
      domain: 'g-resolver-error-quark',
      code: ResolverErrorEnum.NOT_FOUND,
      message: 'Error resolving “nosuch.gsc.test”: Name or service not known',
    };
    assert.deepEqual(unknown.lookup, notFound);
    assert.deepEqual(unknown.connect, notFound);
    // Only the unknown names reach DNS, each as A and AAAA (glibc sends both for AF_UNSPEC).
    const asked = new Set(queriesAtEnd);
    assert.ok(
      [...asked].every(
        (q) => /^(nosuch|servfail|silent|nodata)\.gsc\.test\//.test(q) || q === `v4only.gsc.test/${RR_AAAA}`,
      ),
      `unexpected queries: ${queriesAtEnd.join(', ')}`,
    );
    assert.ok(asked.has(`nosuch.gsc.test/${RR_A}`) && asked.has(`nosuch.gsc.test/${RR_AAAA}`));
  });

  it('a DNS server that does not answer (EAI_AGAIN) → ResolverError TEMPORARY_FAILURE', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    assert.deepEqual(got().unknown.silent, {
      kind: 'ResolverError',
      domain: 'g-resolver-error-quark',
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: 'Error resolving “silent.gsc.test”: Temporary failure in name resolution',
    });
  });

  it("a name DNS knows without addresses (NOERROR, no records) → NOT_FOUND with glibc's wording", (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    assert.deepEqual(got().unknown.nodata, {
      kind: 'ResolverError',
      domain: 'g-resolver-error-quark',
      code: ResolverErrorEnum.NOT_FOUND,
      message: NODATA_MESSAGE,
    });
  });

  it('IPv6 only for a name /etc/hosts lists with IPv4 only: DNS is asked for AAAA alone, NOT_FOUND', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { unknown, queriesAtEnd } = got();
    assert.deepEqual(unknown.v4OnlyAsIpv6, {
      kind: 'ResolverError',
      domain: 'g-resolver-error-quark',
      code: ResolverErrorEnum.NOT_FOUND,
      message: 'Error resolving “v4only.gsc.test”: Name or service not known',
    });
    assert.ok(!queriesAtEnd.includes(`v4only.gsc.test/${RR_A}`), queriesAtEnd.join(', '));
  });

  it('SERVFAIL from DNS → ResolverError TEMPORARY_FAILURE', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    assert.deepEqual(got().unknown.servfail, {
      kind: 'ResolverError',
      domain: 'g-resolver-error-quark',
      code: ResolverErrorEnum.TEMPORARY_FAILURE,
      message: 'Error resolving “servfail.gsc.test”: Temporary failure in name resolution',
    });
  });

  it('a changed /etc/hosts is noticed within a second (serial checked at most once a second)', (t) => {
    if (!requireOrSkip(t, usable, REASON)) return;
    const { hostsChange, port } = got();
    assert.equal(
      hostsChange.serialUnchangedWithinInterval,
      true,
      'the files are not looked at again at once',
    );
    assert.equal(hostsChange.serialChangedAfterInterval, true);
    assert.deepEqual(hostsChange.cachedBefore, [`127.0.0.1:${port}`]);
    assert.deepEqual(hostsChange.cachedWithinInterval, [`127.0.0.1:${port}`]);
    assert.deepEqual(hostsChange.cachedAfterInterval, [`[::1]:${port}`, `127.0.0.1:${port}`]);
    // The answer shared across connects follows the change too, long before its TTL is over.
    assert.equal(hostsChange.acrossBefore, `127.0.0.1:${port}`);
    assert.equal(hostsChange.acrossAfter, `[::1]:${port}`);
  });
});
