import { execFileSync } from 'node:child_process';

/**
 * Blackholes TCP SYNs to one loopback port with an ip(6)tables DROP rule, so a connect hangs
 * (the network rules allow nothing else). Returns the function that removes the rule; call it in
 * `finally`. Needs root (see canFirewall()).
 */
export function blackholePort(port: number, family: 4 | 6): () => void {
  const cmd = family === 6 ? 'ip6tables' : 'iptables';
  const dst = family === 6 ? '::1' : '127.0.0.0/8';
  const rule = ['INPUT', '-p', 'tcp', '-d', dst, '--dport', String(port), '--syn', '-j', 'DROP'];
  execFileSync(cmd, ['-I', ...rule]);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    execFileSync(cmd, ['-D', ...rule]);
  };
}
