// The package as a CommonJS user meets it: `require('gsocketclient')` resolved through the
// package's `exports` map (not a path into dist/), then a real connect to a loopback server.
// Runs the built package (npm test builds before the tests run).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEchoServer } from '../helpers/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runNode(cwd: string, script: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { cwd, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`, { cause: err }));
      else resolve({ stdout, stderr });
    });
  });
}

describe('package: CommonJS consumers', () => {
  it("require('gsocketclient') resolves through exports and connects", async () => {
    const server = await startEchoServer();
    const dir = await mkdtemp(join(tmpdir(), 'gsc-cjs-'));
    try {
      await mkdir(join(dir, 'node_modules'));
      await symlink(ROOT, join(dir, 'node_modules', 'gsocketclient'), 'dir');
      const script = join(dir, 'consumer.cjs');
      await writeFile(
        script,
        [
          "const { SocketClient, IOError, IOErrorEnum } = require('gsocketclient');",
          'if (typeof SocketClient !== "function" || typeof IOError !== "function") throw new Error("missing exports");',
          'const client = new SocketClient();',
          `client.connectToHost('127.0.0.1:${server.port}', 0).then(async (conn) => {`,
          '  conn.stream.write("ping");',
          '  const [chunk] = await require("node:events").once(conn.stream, "data");',
          '  console.log(String(chunk), IOErrorEnum.CONNECTION_REFUSED);',
          '  await conn.close();',
          '});',
        ].join('\n'),
      );
      const { stdout } = await runNode(dir, script);
      assert.equal(stdout.trim(), 'ping 39');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  it("require('gsocketclient/testing') resolves through exports and runs a virtual connect", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-cjs-'));
    try {
      await mkdir(join(dir, 'node_modules'));
      await symlink(ROOT, join(dir, 'node_modules', 'gsocketclient'), 'dir');
      const script = join(dir, 'consumer.cjs');
      await writeFile(
        script,
        [
          "const { VirtualNetwork, echoServer } = require('gsocketclient/testing');",
          'const net = new VirtualNetwork();',
          "net.addHost('api.example', ['2001:db8::1', '192.0.2.1']).blackhole('2001:db8::1', 443);",
          "net.accept('192.0.2.1', 443, echoServer);",
          "const pending = net.client().connectToHost('api.example', 443);",
          'net.clock.advance(250).then(() => pending).then(async (conn) => {',
          '  console.log(conn.getRemoteAddress().toString(), conn.timings.connect);',
          '  await conn.close();',
          '});',
        ].join('\n'),
      );
      const { stdout } = await runNode(dir, script);
      assert.equal(stdout.trim(), '192.0.2.1:443 250');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
