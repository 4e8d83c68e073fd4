// SOCKS5 against microsocks, without and with username/password authentication (§7.2).
import { describe, it } from 'node:test';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { hasDaemon, startMicrosocks, type Daemon } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { assertEcho, rejectsWith, tunnel } from './interop-support.js';

const AUTH = { user: 'gsc-user', password: 'p@ss:wörd' };

describe('interop: microsocks (SOCKS5)', { timeout: 60_000 }, () => {
  it('no authentication: IPv4 and IPv6 destinations, refused destination', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    let daemon: Daemon | null = null;
    const echoes: TestServer[] = [];
    try {
      daemon = await startMicrosocks();
      const echo4 = await startEchoServer('127.0.0.1');
      echoes.push(echo4);
      const echo6 = await startEchoServer('::1');
      echoes.push(echo6);

      for (const [host, port] of [
        ['127.0.0.1', echo4.port],
        ['::1', echo6.port],
      ] as const) {
        const tun = await tunnel(daemon.port, {
          protocol: 'socks5',
          destinationHostname: host,
          destinationPort: port,
        });
        await assertEcho(tun.stream.stream);
        await tun.close();
      }

      const closed = await unusedPort();
      await rejectsWith(
        tunnel(daemon.port, {
          protocol: 'socks5',
          destinationHostname: '127.0.0.1',
          destinationPort: closed,
        }),
        IOErrorEnum.CONNECTION_REFUSED,
        'Connection refused through SOCKSv5 proxy.',
      );
    } finally {
      await daemon?.stop();
      for (const e of echoes) await e.close();
    }
  });

  it('username/password: right → OK, wrong → PROXY_AUTH_FAILED, none → PROXY_NEED_AUTH', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    let daemon: Daemon | null = null;
    let echo: TestServer | null = null;
    try {
      daemon = await startMicrosocks({ auth: AUTH });
      echo = await startEchoServer('127.0.0.1');
      const dest = { protocol: 'socks5', destinationHostname: '127.0.0.1', destinationPort: echo.port };

      const tun = await tunnel(daemon.port, { ...dest, username: AUTH.user, password: AUTH.password });
      await assertEcho(tun.stream.stream);
      await tun.close();

      await rejectsWith(
        tunnel(daemon.port, { ...dest, username: AUTH.user, password: 'wrong' }),
        IOErrorEnum.PROXY_AUTH_FAILED,
        'SOCKSv5 authentication failed due to wrong username or password.',
      );
      await rejectsWith(
        tunnel(daemon.port, dest),
        IOErrorEnum.PROXY_NEED_AUTH,
        'The SOCKSv5 proxy requires authentication.',
      );
    } finally {
      await daemon?.stop();
      await echo?.close();
    }
  });
});
