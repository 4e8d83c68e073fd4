// --resolve and --no-proxy-for parsing, and the resolvers they build (no network: lookups of
// pinned names and proxy lookups are answered in-process).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PinnedResolver,
  SimpleProxyResolver,
  EnvironmentProxyResolver,
  SystemProxyResolver,
} from '../../src/index.js';
import { parseCommandLine, type ConnectCommand } from '../../src/cli/args.js';
import { cliProxyResolver } from '../../src/cli/proxy-args.js';
import { parseResolveEntry, pinnedResolverFor } from '../../src/cli/resolve-args.js';

const connect = (argv: string[]): ConnectCommand => {
  const cmd = parseCommandLine(argv);
  assert.equal(cmd.kind, 'connect');
  return cmd;
};

test('--resolve: curl’s HOST:PORT:ADDR, with * ports, [v6] and comma lists; repeatable', () => {
  assert.deepEqual(parseResolveEntry('a.test:443:127.0.0.1'), {
    host: 'a.test',
    port: 443,
    addresses: ['127.0.0.1'],
  });
  assert.deepEqual(parseResolveEntry('a.test:*:[::1], 127.0.0.2'), {
    host: 'a.test',
    port: null,
    addresses: ['::1', '127.0.0.2'],
  });
  assert.deepEqual(parseResolveEntry('a.test:80:::1').addresses, ['::1']);
  const cmd = connect(['--resolve', 'a.test:80:127.0.0.1', '--resolve', 'b.test:*:::1', 'a.test:80']);
  assert.equal(cmd.resolve.length, 2);
});

test('--resolve: only the entries for the target’s port (or *) are pinned, merged per host', async () => {
  const entries = ['A.test:80:127.0.0.1', 'a.test:443:127.0.0.9', 'a.test:*:::1', 'b.test:443:127.0.0.3'].map(
    parseResolveEntry,
  );
  const resolver = pinnedResolverFor(entries, 80, undefined);
  assert.ok(resolver instanceof PinnedResolver);
  assert.deepEqual(resolver.pins, { 'a.test': ['127.0.0.1', '::1'] });
  assert.deepEqual((await resolver.lookupByName('a.test')).map(String), ['127.0.0.1', '::1']);
  assert.equal(pinnedResolverFor(entries.slice(1, 2), 80, undefined), null, 'nothing for port 80');
  assert.deepEqual(pinnedResolverFor(entries, null, undefined)?.pins, {
    'a.test': ['127.0.0.1', '127.0.0.9', '::1'],
    'b.test': ['127.0.0.3'],
  });
});

test('--no-proxy-for: comma lists, repeatable; with --proxy they are its ignore-hosts', () => {
  const cmd = connect(['--no-proxy-for', 'a.test, 10.0.0.0/8', '--no-proxy-for', '*.b.test', 'h:1']);
  assert.deepEqual(cmd.noProxyFor, ['a.test', '10.0.0.0/8', '*.b.test']);
  const resolver = cliProxyResolver('socks5://127.0.0.1:1080', cmd.noProxyFor);
  assert.ok(resolver instanceof SimpleProxyResolver);
  assert.deepEqual(resolver.ignoreHosts, cmd.noProxyFor);
  assert.deepEqual(resolver.lookupSync('none://a.test:1'), ['direct://']);
  assert.deepEqual(resolver.lookupSync('none://10.1.2.3:1'), ['direct://']);
  assert.deepEqual(resolver.lookupSync('none://x.b.test:1'), ['direct://']);
  assert.deepEqual(resolver.lookupSync('none://c.test:1'), ['socks5://127.0.0.1:1080']);
  assert.throws(() => connect(['--no-proxy-for', ' , ', 'h:1']), /names no host/);
});

test('--no-proxy-for without --proxy: the environment’s proxies, its no_proxy list plus these', () => {
  const env = { http_proxy: 'http://127.0.0.1:3128', NO_PROXY: 'kept.test' };
  assert.equal(cliProxyResolver(null, [], env), null, 'nothing given: the default resolver');
  const resolver = cliProxyResolver(null, ['extra.test'], env);
  assert.ok(resolver instanceof EnvironmentProxyResolver);
  assert.deepEqual(resolver.lookupSync('http://kept.test/'), ['direct://']);
  assert.deepEqual(resolver.lookupSync('http://extra.test/'), ['direct://']);
  assert.deepEqual(resolver.lookupSync('http://other.test/'), ['http://127.0.0.1:3128']);
  assert.equal(env.NO_PROXY, 'kept.test', 'the given environment is not changed');
  assert.equal(cliProxyResolver(null, ['x'], { GIO_USE_PROXY_RESOLVER: 'dummy' }), null);
});

test('--proxy-loopback alone: the default (system) resolver with loopback proxied', () => {
  const env = { http_proxy: 'http://127.0.0.1:3128' };
  const resolver = cliProxyResolver(null, [], env, true);
  assert.ok(resolver instanceof SystemProxyResolver);
  assert.deepEqual(resolver.lookupSync('http://127.0.0.1:5432/'), ['http://127.0.0.1:3128']);
  const environment = cliProxyResolver(null, [], { ...env, GIO_USE_PROXY_RESOLVER: 'environment' }, true);
  assert.ok(environment instanceof EnvironmentProxyResolver);
  assert.deepEqual(environment.lookupSync('http://127.0.0.1:5432/'), ['http://127.0.0.1:3128']);
});
