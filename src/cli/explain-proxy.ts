import { NetworkAddress, type ProxyExplanation } from '../index.js';
import { joinNetworkUri } from '../address/uri.js';
import type { ConnectCommand } from './args.js';
import { createClient, parseTarget } from './client-factory.js';
import { ExitStatus, reportFailure } from './exit-status.js';
import type { CliIO } from './io.js';
import { JsonReporter, QuietReporter } from './reporter.js';

/**
 * `gsocketclient --explain-proxy TARGET`: the proxies a connect to TARGET would try, and why,
 * from the same client settings (--proxy, --no-proxy, --no-proxy-for, --proxy-loopback, the
 * environment); on stdout, in words or with --json as one JSON object. Connects nothing.
 */
export async function runExplainProxy(cmd: ConnectCommand, io: CliIO): Promise<number> {
  try {
    const target = parseTarget(cmd);
    // The URI the client's proxy enumerator asks about (NetworkAddress's proxy_enumerate).
    const uri =
      target instanceof NetworkAddress
        ? joinNetworkUri(target.scheme ?? 'none', target.hostname, target.port)
        : target.toString();
    const why = await createClient(cmd).explainProxy(uri);
    io.stdout.write(cmd.json ? `${JSON.stringify({ explain_proxy: why })}\n` : describeExplanation(why));
    return ExitStatus.OK;
  } catch (err) {
    return reportFailure(cmd.json ? new JsonReporter(io.stderr) : new QuietReporter(io.stderr), err);
  }
}

/** The explanation in words, one fact a line. */
export function describeExplanation(why: ProxyExplanation): string {
  const direct = why.proxies.length === 1 && why.proxies[0] === 'direct://';
  const lines = [
    `destination: ${why.uri}`,
    `decision:    ${direct ? 'direct (no proxy)' : `through ${why.proxies.join(', then ')}`}`,
    `source:      ${why.source} (${why.resolver} resolver)`,
  ];
  if (why.matchedIgnoreHost !== null) lines.push(`matched:     ${why.matchedIgnoreHost}`);
  return `${lines.join('\n')}\n`;
}
