// Runs inside `dbus-run-session` (test/proxy/pac-sources.test.ts): sets GNOME's proxy mode to
// auto with the autoconfig-url given in GSC_PAC_URL, using the real `gsettings` (dconf backend),
// and prints as one JSON object what the default resolver (a SystemProxyResolver) decides.
import { execFileSync } from 'node:child_process';
import { IOError, SystemProxyResolver } from '../../src/index.js';

const SCHEMA = 'org.gnome.system.proxy';
const env = { ...process.env, XDG_CURRENT_DESKTOP: 'GNOME', http_proxy: 'http://env.example:1' };

function set(key: string, value: string): void {
  execFileSync('gsettings', ['set', SCHEMA, key, value], { stdio: 'ignore', timeout: 5000 });
}

execFileSync('gsettings', ['reset-recursively', SCHEMA], { stdio: 'ignore', timeout: 5000 });
set('mode', 'auto');
set('autoconfig-url', `'${process.env.GSC_PAC_URL ?? ''}'`);
const resolver = new SystemProxyResolver(env);
const out: Record<string, unknown> = {
  lookup: await resolver.lookup('http://a.example:80'),
  lookupLoopback: await resolver.lookup('http://127.0.0.1:5432'),
  explain: await resolver.explainProxy('https://b.example:443'),
};
try {
  resolver.lookupSync('http://a.example:80');
  out.sync = 'answered';
} catch (err) {
  out.sync = err instanceof IOError ? err.codeName : String(err);
}
process.stdout.write(JSON.stringify(out));
