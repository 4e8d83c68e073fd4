// Linux abstract Unix sockets bound by a program that is not Node.js (socat): exact-length names
// (socat's default, as Python, systemd and GIO bind them) and padded ones (GIO's
// ABSTRACT_PADDED, socat's unix-tightsocklen=0). Node.js 20's libuv pads every abstract name it
// connects to, so there an exact-length name cannot be reached: the error must say so instead of
// a bare CONNECTION_REFUSED (src/client/abstract-unix.ts). Later Node.js versions connect.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  UnixSocketAddress,
} from '../../src/index.js';
import { PADS_ABSTRACT_NAMES } from '../../src/client/abstract-unix.js';
import { hasCommand, requireOrSkip } from '../helpers/env.js';

const client = (): SocketClient => new SocketClient({ proxyResolver: new SimpleProxyResolver(), timeout: 5 });

/** socat listening on `\0name` (exact length, or padded), answering each connection "hello". */
async function socatServer(name: string, padded: boolean): Promise<ChildProcess> {
  const listen = `ABSTRACT-LISTEN:${name},fork${padded ? ',unix-tightsocklen=0' : ''}`;
  const child = spawn('socat', [listen, 'SYSTEM:echo hello'], { stdio: 'ignore' });
  // Bounded wait until the kernel lists the listener.
  for (let i = 0; i < 100; i++) {
    if (readFileSync('/proc/net/unix', 'latin1').includes(`@${name}`)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error('socat did not start listening');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill();
  await exited;
}

async function readAll(conn: Awaited<ReturnType<SocketClient['connect']>>): Promise<string> {
  let text = '';
  conn.stream.setEncoding('utf8');
  conn.stream.on('data', (d: string) => (text += d));
  await new Promise<void>((resolve, reject) => {
    conn.stream.once('end', resolve);
    conn.stream.once('error', reject);
  });
  return text;
}

const unique = (what: string): string => `gsocketclient-${what}-${process.pid}-${Date.now()}`;

function haveSocat(t: TestContext): boolean {
  return requireOrSkip(t, process.platform === 'linux' && hasCommand('socat'), 'needs Linux and socat');
}

describe('abstract Unix sockets bound by socat', () => {
  it('an exact-length name: connects where libuv allows it, else NOT_SUPPORTED saying why', async (t) => {
    if (!haveSocat(t)) return;
    const name = unique('exact');
    const server = await socatServer(name, false);
    try {
      const address = UnixSocketAddress.newAbstract(name);
      if (!PADS_ABSTRACT_NAMES) {
        const conn = await client().connect(address);
        assert.equal(await readAll(conn), 'hello\n');
        await conn.close();
        const sync = client().connectSync(address);
        assert.equal(sync.readAll(6).toString(), 'hello\n');
        sync.close();
        return;
      }
      const expected = (err: unknown): boolean => {
        assert.ok(err instanceof IOError, String(err));
        assert.equal(err.code, IOErrorEnum.NOT_SUPPORTED);
        assert.equal(
          err.message,
          `Could not connect: Node.js ${process.version} (libuv ${process.versions.uv}) cannot reach the ` +
            `abstract socket @${name}: it pads abstract names to the whole sockaddr_un, and this server ` +
            'bound the exact name (Node.js 22 or later can connect)',
        );
        return true;
      };
      await assert.rejects(client().connect(address), expected);
      assert.throws(() => client().connectSync(address), expected);
    } finally {
      await stop(server);
    }
  });

  it('a padded name (GIO ABSTRACT_PADDED) connects where libuv pads, else is refused', async (t) => {
    if (!haveSocat(t)) return;
    const name = unique('padded');
    const server = await socatServer(name, true);
    try {
      const address = UnixSocketAddress.newAbstract(name);
      if (PADS_ABSTRACT_NAMES) {
        const conn = await client().connect(address);
        assert.equal(await readAll(conn), 'hello\n');
        await conn.close();
      } else {
        await assert.rejects(client().connect(address), { code: IOErrorEnum.CONNECTION_REFUSED });
      }
    } finally {
      await stop(server);
    }
  });

  it('no listener at all stays CONNECTION_REFUSED "Could not connect: Connection refused"', async () => {
    await assert.rejects(client().connect(UnixSocketAddress.newAbstract(unique('nobody'))), {
      code: IOErrorEnum.CONNECTION_REFUSED,
      message: 'Could not connect: Connection refused',
    });
  });
});
