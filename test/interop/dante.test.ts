// SOCKS4 and SOCKS5 against dante's danted (it has no SOCKS4a: test/interop/openssh-socks.test.ts) (§7.1, §7.2).
import { describe, it } from 'node:test';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { hasDaemon, startDanted, type Daemon } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, type TestServer } from '../helpers/servers.js';
import { assertEcho, rejectsWith, tunnel } from './interop-support.js';

describe('interop: dante (SOCKS4/5)', { timeout: 60_000 }, () => {
  it('tunnels to an allowed destination and maps a ruleset refusal', async (t) => {
    if (!requireOrSkip(t, hasDaemon('danted'), 'danted is not installed')) return;
    let daemon: Daemon | null = null;
    let echo: TestServer | null = null;
    try {
      daemon = await startDanted({ allowTo: '127.0.0.1/32' });
      echo = await startEchoServer('127.0.0.1');
      const port = echo.port;

      await t.test('socks5 to 127.0.0.1', async () => {
        const tun = await tunnel(daemon!.port, {
          protocol: 'socks5',
          destinationHostname: '127.0.0.1',
          destinationPort: port,
        });
        await assertEcho(tun.stream.stream);
        await tun.close();
      });
      await t.test('socks4 to 127.0.0.1 (with a user id)', async () => {
        const tun = await tunnel(daemon!.port, {
          protocol: 'socks4',
          destinationHostname: '127.0.0.1',
          destinationPort: port,
          username: 'someone',
        });
        await assertEcho(tun.stream.stream);
        await tun.close();
      });
      // Dante has no SOCKS4a (it takes 0.0.0.1 for an address and blocks it): names go by SOCKS5.
      await t.test('socks5 to the name localhost (resolved by the proxy from /etc/hosts)', async () => {
        const tun = await tunnel(daemon!.port, {
          protocol: 'socks5',
          destinationHostname: 'localhost',
          destinationPort: port,
        });
        await assertEcho(tun.stream.stream);
        await tun.close();
      });
      // 127.0.0.2 is outside the pass rule: dante refuses before connecting anywhere.
      await t.test('socks5 to a destination the ruleset blocks → PROXY_NOT_ALLOWED', () =>
        rejectsWith(
          tunnel(daemon!.port, {
            protocol: 'socks5',
            destinationHostname: '127.0.0.2',
            destinationPort: port,
          }),
          IOErrorEnum.PROXY_NOT_ALLOWED,
          'SOCKSv5 connection not allowed by ruleset.',
        ),
      );
      await t.test('socks4 to a destination the ruleset blocks → rejected', () =>
        rejectsWith(
          tunnel(daemon!.port, {
            protocol: 'socks4',
            destinationHostname: '127.0.0.2',
            destinationPort: port,
          }),
          IOErrorEnum.PROXY_FAILED,
          'Connection through SOCKSv4 server was rejected',
        ),
      );
    } finally {
      await daemon?.stop();
      await echo?.close();
    }
  });
});
