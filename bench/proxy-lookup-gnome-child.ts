// The GNOME part of the `proxy-lookup` bench section, run inside `dbus-run-session` with a private
// HOME: writes manual proxy settings with the real `gsettings` (dconf backend), then measures a
// SystemProxyResolver reading them against an EnvironmentProxyResolver with the same proxy, and
// prints the rows as JSON on stdout.
import { execFileSync } from 'node:child_process';
import { EnvironmentProxyResolver, SystemProxyResolver } from '../src/index.js';
import { LOOKUP_URI, measureSource } from './proxy-lookup-measure.js';
import { startBenchServer } from './servers.js';

const SCHEMA = 'org.gnome.system.proxy';
const set = (schema: string, key: string, value: string): void => {
  execFileSync('gsettings', ['set', schema, key, value], { stdio: 'ignore', timeout: 5000 });
};

set(SCHEMA, 'mode', 'manual');
set(`${SCHEMA}.http`, 'host', 'proxy.example');
set(`${SCHEMA}.http`, 'port', '3128');

const gnome = new SystemProxyResolver({ ...process.env, XDG_CURRENT_DESKTOP: 'GNOME' });
const expected = 'http://proxy.example:3128';
const answer = await gnome.lookup(LOOKUP_URI);
if (gnome.source !== 'gnome' || answer[0] !== expected) {
  throw new Error(`the GNOME settings were not read: ${gnome.source} ${JSON.stringify(answer)}`);
}
const environment = new EnvironmentProxyResolver({ http_proxy: expected });
const server = await startBenchServer();
try {
  const scale = Number(process.argv[2] ?? '1');
  const rows = await measureSource(scale, 'GNOME (gsettings)', gnome, environment, server.port, (m) =>
    process.stderr.write(`  … ${m}\n`),
  );
  process.stdout.write(JSON.stringify(rows));
} finally {
  await server.close();
}
