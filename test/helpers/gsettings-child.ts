// Runs inside `dbus-run-session` (test/proxy/system-proxy-resolver.test.ts): writes GNOME proxy
// settings with the real `gsettings` (dconf backend) and prints, as one JSON object, what a
// SystemProxyResolver decides for each scenario.
import { execFileSync } from 'node:child_process';
// The package entry point: it installs the client-layer fetcher that WPAD fetches wpad.dat with.
import { SystemProxyResolver, type SystemProxyOptions } from '../../src/index.js';
import { DnsResolver } from '../../src/resolver/dns-resolver.js';

const SCHEMA = 'org.gnome.system.proxy';
const env = { ...process.env, XDG_CURRENT_DESKTOP: 'ubuntu:GNOME', http_proxy: 'http://env.example:1' };

function set(schema: string, key: string, value: string): void {
  execFileSync('gsettings', ['set', schema, key, value], { stdio: 'ignore', timeout: 5000 });
}
function reset(): void {
  execFileSync('gsettings', ['reset-recursively', SCHEMA], { stdio: 'ignore', timeout: 5000 });
}

// WPAD (mode auto without a URL) asks the parent's dnsmasq and fetches from its server, never the
// system DNS; without them, discovery is off (domain null).
const wpadDns = process.env.GSC_WPAD_DNS;
const options: SystemProxyOptions = {
  wpad:
    wpadDns === undefined
      ? { domain: null }
      : {
          resolver: new DnsResolver({ servers: [wpadDns] }),
          domain: process.env.GSC_WPAD_DOMAIN,
          port: Number(process.env.GSC_WPAD_PORT),
        },
};

const out: Record<string, unknown> = {};
const uris = [
  'http://a.example:80',
  'https://a.example:443',
  'ftp://a.example:21',
  'imap://a.example:143',
  'http://127.0.0.1:8080',
  'http://intra.example:80',
];
async function record(name: string, sync = false): Promise<void> {
  const resolver = new SystemProxyResolver(env, options);
  const answers: Record<string, unknown> = {};
  for (const uri of uris) answers[uri] = sync ? resolver.lookupSync(uri) : await resolver.lookup(uri);
  answers.explainHttp = await resolver.explainProxy('http://a.example:80');
  try {
    answers.explainIgnored = resolver.explainProxySync('http://intra.example:80');
  } catch (err) {
    // A script decides (mode auto): blocking lookups are NOT_SUPPORTED.
    answers.explainIgnored = { error: (err as { code?: unknown }).code };
  }
  answers.loopbackAllowed = await new SystemProxyResolver(env, { ...options, proxyLoopback: true }).lookup(
    'http://127.0.0.1:8080',
  );
  out[name] = answers;
}

reset();
await record('defaults');
set(SCHEMA, 'mode', 'none');
await record('none', true);
set(SCHEMA, 'mode', 'manual');
set(`${SCHEMA}.http`, 'host', 'http.example');
set(`${SCHEMA}.http`, 'port', '3128');
set(SCHEMA, 'ignore-hosts', "['localhost', '127.0.0.0/8', '::1', 'intra.example']");
set(SCHEMA, 'use-same-proxy', 'false');
await record('http');
set(SCHEMA, 'use-same-proxy', 'true');
set(SCHEMA, 'ignore-hosts', "['intra.example']");
set(`${SCHEMA}.http`, 'use-authentication', 'true');
set(`${SCHEMA}.http`, 'authentication-user', 'us er');
set(`${SCHEMA}.http`, 'authentication-password', "p@ss'word");
await record('sameAuth', true);
set(`${SCHEMA}.https`, 'host', 'secure.example');
set(`${SCHEMA}.https`, 'port', '3129');
set(`${SCHEMA}.socks`, 'host', 'socks.example');
set(`${SCHEMA}.socks`, 'port', '1080');
set(`${SCHEMA}.ftp`, 'host', 'ftp.example');
set(`${SCHEMA}.ftp`, 'port', '2121');
await record('all');
reset();
set(SCHEMA, 'mode', 'manual');
set(`${SCHEMA}.socks`, 'host', 'socks.example');
set(`${SCHEMA}.socks`, 'port', '1080');
await record('socksOnly');
set(SCHEMA, 'mode', 'auto');
await record('auto');
process.stdout.write(JSON.stringify(out));
