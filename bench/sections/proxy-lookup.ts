import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentProxyResolver, PacProxyResolver, SystemProxyResolver } from '../../src/index.js';
import { hasCommand } from '../daemons.js';
import { measureSource } from '../proxy-lookup-measure.js';
import { rows, type BenchContext, type BenchRow, type BenchSection } from '../section.js';
import { startBenchServer } from '../servers.js';

const GNOME_CHILD = fileURLToPath(new URL('../proxy-lookup-gnome-child.js', import.meta.url));
/** The GNOME child measures two rows; it must not run longer than this. */
const GNOME_TIMEOUT_MS = 180_000;
const PROXY = 'http://proxy.example:3128';
const PAC_DIRECT = 'function FindProxyForURL(url, host) { return "DIRECT"; }';

/**
 * The cost of deciding on a proxy, per settings source, against today's EnvironmentProxyResolver
 * in the same run: per `lookup()`, and per connect (to 127.0.0.1, so the decision is direct)
 * through a SocketClient using the resolver.
 * - environment: the default SystemProxyResolver outside a desktop session (it delegates to the
 *   environment);
 * - GNOME: SystemProxyResolver reading `org.gnome.system.proxy` with the real `gsettings`, in a
 *   child inside `dbus-run-session` (skipped with a note when those are not installed);
 * - PAC: a PacProxyResolver given a script that returns DIRECT (QuickJS; the script is compiled
 *   once, each lookup is one FindProxyForURL call).
 */
export const proxyLookupSection: BenchSection = {
  name: 'proxy-lookup',
  async run(ctx) {
    const results: BenchRow[] = [];
    const notes: string[] = [];
    const server = await startBenchServer();
    try {
      const env = { http_proxy: PROXY };
      results.push(
        ...(await measureSource(
          ctx.scale,
          'environment (SystemProxyResolver)',
          new SystemProxyResolver(env),
          new EnvironmentProxyResolver(env),
          server.port,
          (m) => ctx.log(m),
        )),
      );
      results.push(
        ...(await measureSource(
          ctx.scale,
          'PAC, DIRECT (PacProxyResolver)',
          new PacProxyResolver(PAC_DIRECT),
          new EnvironmentProxyResolver(env),
          server.port,
          (m) => ctx.log(m),
        )),
      );
    } finally {
      await server.close();
    }
    if (['gsettings', 'dconf', 'dbus-run-session'].every(hasCommand)) {
      results.push(...(await gnomeRows(ctx)));
    } else {
      notes.push('GNOME source skipped — gsettings, dconf or dbus-run-session is not installed');
    }
    return rows(results, notes);
  },
};

/** Runs the GNOME child in a private D-Bus session and HOME (the user's settings are never touched). */
async function gnomeRows(ctx: BenchContext): Promise<BenchRow[]> {
  const home = await mkdtemp(join(tmpdir(), 'gsc-bench-gsettings-'));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'dbus-run-session',
        ['--', process.execPath, GNOME_CHILD, String(ctx.scale)],
        {
          timeout: GNOME_TIMEOUT_MS,
          env: {
            ...process.env,
            HOME: home,
            XDG_CONFIG_HOME: join(home, 'config'),
            GSETTINGS_BACKEND: 'dconf',
          },
        },
        (error, out, err) => {
          process.stderr.write(err);
          if (error === null) resolve(out);
          else reject(new Error(`the GNOME bench child failed: ${error.message}`, { cause: error }));
        },
      );
    });
    return JSON.parse(stdout) as BenchRow[];
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
