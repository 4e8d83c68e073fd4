// End-to-end: the CLI as a user runs it, spawned from source, against loopback servers.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startEchoServer, startServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { ndjson, runCli, startCli } from './spawn.js';

/** Event lines of a -v run: `+12ms NAME …`. */
function timeline(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\+\d+ms [A-Z_]+ /.test(line));
}
const eventNames = (lines: string[]): string[] => lines.map((l) => l.split(' ')[1]);

describe('gsocketclient CLI', () => {
  let echo: TestServer;
  let refusedPort: number;

  before(async () => {
    echo = await startEchoServer('127.0.0.1');
    refusedPort = await unusedPort('127.0.0.1');
  });
  after(async () => {
    await echo.close();
  });

  test('-z connects, closes and exits 0 silently', async () => {
    const r = await runCli(['-z', `127.0.0.1:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

  test('connection refused: exit 4 and the GIO error on stderr', async () => {
    const r = await runCli(['-z', `127.0.0.1:${refusedPort}`]);
    assert.equal(r.status, 4);
    assert.equal(
      r.stderr,
      'gsocketclient: g-io-error-quark CONNECTION_REFUSED: Could not connect to 127.0.0.1: Connection refused\n',
    );
  });

  test('a TARGET that does not parse: exit 2, the error, no events', async () => {
    const r = await runCli(['-z', '-v', '[::1']);
    assert.equal(r.status, 2);
    assert.deepEqual(timeline(r.stderr), []);
    assert.match(r.stderr, /^gsocketclient: g-io-error-quark INVALID_ARGUMENT: Hostname “\[::1” contains/);
  });

  test('a TARGET without a port: exit 2 (the CLI does not connect to port 0)', async () => {
    const r = await runCli(['-z', '127.0.0.1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /INVALID_ARGUMENT: No port in ‘127\.0\.0\.1’/);
    const ok = await runCli(['-z', '--default-port', String(echo.port), '127.0.0.1']);
    assert.equal(ok.status, 0, ok.stderr);
  });

  const usageCases: [string, string[], RegExp][] = [
    ['unknown option', ['--bogus', '127.0.0.1:1'], /unknown option '--bogus'/],
    ['missing value', ['127.0.0.1:1', '--timeout'], /option '--timeout' needs a value/],
    ['no target', ['-z'], /missing TARGET/],
    ['two targets', ['a:1', 'b:2'], /expected one TARGET/],
    ['bad port', ['--default-port', '70000', 'x'], /--default-port: '70000'/],
    ['-4 with -6', ['-4', '-6', '127.0.0.1:1'], /-4 and -6/],
  ];
  for (const [name, args, message] of usageCases) {
    test(`usage error (${name}): exit 2, message, --help hint, no events`, async () => {
      const r = await runCli(['-v', ...args]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Try 'gsocketclient --help'/);
      assert.deepEqual(timeline(r.stderr), []);
      assert.equal(r.stdout, '');
    });
  }

  test('--help and --version print to stdout and exit 0', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: gsocketclient \[options\] TARGET/);
    const version = await runCli(['--version']);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^gsocketclient \d+\.\d+\.\d+/);
  });

  test('-v prints one timeline line per event (§2.1 direct TCP)', async () => {
    const r = await runCli(['-z', '-v', `127.0.0.1:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    const lines = timeline(r.stderr);
    assert.deepEqual(eventNames(lines), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
    const target = `127.0.0.1:${echo.port}`;
    assert.equal(lines[0].replace(/^\+\d+ms /, ''), `RESOLVING ${target}`);
    assert.equal(lines[2].replace(/^\+\d+ms /, ''), `CONNECTING ${target} → ${target}`);
    assert.match(lines[3], new RegExp(`CONNECTED ${target} → ${target} \\(local 127\\.0\\.0\\.1:\\d+\\)$`));
    assert.equal(lines[4].replace(/^\+\d+ms /, ''), `COMPLETE ${target} → ${target}`);
    // Elapsed times never go backwards.
    const ms = lines.map((l) => Number(/^\+(\d+)ms/.exec(l)![1]));
    assert.deepEqual(
      [...ms].sort((a, b) => a - b),
      ms,
    );
  });

  test('-v on localhost with both families refused: two CONNECTINGs, each failed, then COMPLETE (no connection)', async () => {
    const port = await unusedPort('127.0.0.1');
    const r = await runCli(['-z', '-v', `localhost:${port}`]);
    assert.equal(r.status, 4);
    const all = timeline(r.stderr);
    // Each failed attempt has its own line, as curl -v shows it (the next attempt starts after it).
    assert.deepEqual(
      all.filter((l) => l.endsWith(' failed: Connection refused')).map((l) => l.replace(/^\+\d+ms /, '')),
      [
        `CONNECTING localhost:${port} → [::1]:${port} failed: Connection refused`,
        `CONNECTING localhost:${port} → 127.0.0.1:${port} failed: Connection refused`,
      ],
    );
    assert.match(
      all[3],
      /\[::1\]:\d+ failed: /,
      'the refused ::1 attempt is reported before the next starts',
    );
    const lines = all.filter((l) => !l.includes(' failed: '));
    assert.deepEqual(eventNames(lines), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTING', 'COMPLETE']);
    assert.match(lines[2], new RegExp(`→ \\[::1\\]:${port}$`));
    assert.match(lines[3], new RegExp(`→ 127\\.0\\.0\\.1:${port}$`));
    assert.match(lines[4], /COMPLETE localhost:\d+ \(no connection\)$/);
    assert.match(r.stderr, /CONNECTION_REFUSED: Could not connect to localhost: Connection refused\n$/);
  });

  test('--json: NDJSON with the §2.1 sequence and a final result object', async () => {
    const r = await runCli(['-z', '--json', `127.0.0.1:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    const records = ndjson(r.stderr);
    const events = records.filter((rec) => 'event' in rec);
    assert.deepEqual(
      events.map((e) => [e.event, e.event_number]),
      [
        ['RESOLVING', 0],
        ['RESOLVED', 1],
        ['CONNECTING', 2],
        ['CONNECTED', 3],
        ['COMPLETE', 8],
      ],
    );
    for (const e of events) assert.equal(e.connectable, `127.0.0.1:${echo.port}`);
    assert.equal(events[0].remote, null);
    assert.equal(events[2].remote, `127.0.0.1:${echo.port}`);
    const times = records.map((rec) => rec.t_ms as number);
    assert.ok(times.every((t, i) => typeof t === 'number' && (i === 0 || t >= times[i - 1])));
    const last = records.at(-1)!;
    assert.equal(last.result, 'connected');
    assert.equal(last.remote, `127.0.0.1:${echo.port}`);
    assert.match(String(last.local), /^127\.0\.0\.1:\d+$/);
  });

  test('--json failure: events, then an error object with domain, code and exit status', async () => {
    const r = await runCli(['-z', '--json', `127.0.0.1:${refusedPort}`]);
    assert.equal(r.status, 4);
    const records = ndjson(r.stderr);
    assert.deepEqual(
      records.filter((rec) => 'event' in rec).map((e) => e.event),
      ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE'],
    );
    const error = {
      domain: 'g-io-error-quark',
      code: 39,
      code_name: 'CONNECTION_REFUSED',
      message: 'Could not connect to 127.0.0.1: Connection refused',
    };
    const attempts = records.at(-1)!.attempts as Record<string, unknown>[];
    assert.deepEqual(records.at(-1), { t_ms: records.at(-1)!.t_ms, error, exit_status: 4, attempts });
    // Every attempt, with its stage and own error (docs/timings.md).
    assert.equal(attempts.length, 1);
    assert.deepEqual(
      { ...attempts[0], start_ms: 0, end_ms: 0 },
      {
        remote: `127.0.0.1:${refusedPort}`,
        stage: 'connect',
        outcome: 'failed',
        start_ms: 0,
        connected_ms: null,
        proxy_ms: null,
        tls_ms: null,
        end_ms: 0,
        error,
      },
    );
    const failed = records.filter((rec) => 'attempt' in rec);
    assert.deepEqual(
      failed.map((rec) => rec.attempt),
      attempts,
      'the live attempt record is the same',
    );
  });

  test('--json parse error: only the error object, no events', async () => {
    const r = await runCli(['-z', '--json', '[::1']);
    assert.equal(r.status, 2);
    const records = ndjson(r.stderr);
    assert.equal(records.length, 1);
    assert.equal((records[0].error as Record<string, unknown>).code_name, 'INVALID_ARGUMENT');
  });

  test('relay: stdin "ping\\n" comes back on stdout; exits 0 after stdin EOF and the peer closing', async () => {
    const r = await runCli([`127.0.0.1:${echo.port}`], { stdin: 'ping\n' });
    assert.equal(r.killed, false);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ping\n');
  });

  test('relay half-close: stdin EOF sends FIN and the reply sent after it still arrives', async () => {
    // Answers only once it has seen EOF, so the reply proves the write side was ended and the
    // read side kept open.
    const server = await listenHalfOpen((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => s.end(Buffer.concat(chunks).toString().toUpperCase()));
    });
    try {
      const r = await runCli(['-v', `127.0.0.1:${server.port}`], { stdin: 'half closed\n' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'HALF CLOSED\n');
      assert.match(r.stderr, /closed: sent 12 bytes, received 12 bytes/);
    } finally {
      await server.close();
    }
  });

  test('relay: when the peer closes first, the CLI exits without waiting for stdin', async () => {
    const server = await startServer('127.0.0.1', 0, (s) => s.end('bye\n'));
    const run = startCli([`127.0.0.1:${server.port}`], { stdin: 'open' });
    try {
      const r = await run.done;
      assert.equal(r.killed, false);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'bye\n');
    } finally {
      run.child.stdin?.destroy();
      await server.close();
    }
  });

  test('--timeout: an idle relay ends with TIMED_OUT, exit 5', async () => {
    const server = await startServer('127.0.0.1', 0, () => undefined);
    const run = startCli(['--timeout', '0.3', `127.0.0.1:${server.port}`], { stdin: 'open' });
    try {
      const r = await run.done;
      assert.equal(r.status, 5);
      assert.equal(r.stderr, 'gsocketclient: g-io-error-quark TIMED_OUT: Socket I/O timed out\n');
    } finally {
      run.child.stdin?.destroy();
      await server.close();
    }
  });

  test('Ctrl-C (SIGINT) cancels: exit 8 with CANCELLED', async () => {
    const server = await startServer('127.0.0.1', 0, () => undefined);
    const run = startCli(['-v', `127.0.0.1:${server.port}`], { stdin: 'open' });
    try {
      await run.waitForStderr('COMPLETE');
      run.child.kill('SIGINT');
      const r = await run.done;
      assert.equal(r.status, 8);
      assert.match(r.stderr, /gsocketclient: g-io-error-quark CANCELLED: Operation was cancelled\n$/);
    } finally {
      run.child.stdin?.destroy();
      await server.close();
    }
  });

  test('--local-address binds the given address and port', async () => {
    const local = await unusedPort('127.0.0.1');
    const r = await runCli(['-z', '--json', '-s', `127.0.0.1:${local}`, `127.0.0.1:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(ndjson(r.stderr).at(-1)!.local, `127.0.0.1:${local}`);
  });

  test('-6 towards an IPv4 address fails after CONNECTING, as GIO does (§10)', async () => {
    const r = await runCli(['-z', '--json', '-6', `127.0.0.1:${echo.port}`]);
    assert.notEqual(r.status, 0);
    const events = ndjson(r.stderr).filter((rec) => 'event' in rec);
    assert.deepEqual(
      events.map((e) => e.event),
      ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE'],
    );
  });

  test('--udp relays datagrams and ends after the quiet period that follows stdin EOF', async () => {
    const { createSocket } = await import('node:dgram');
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const port = udp.address().port;
      const r = await runCli(['-u', '--timeout', '0.5', `127.0.0.1:${port}`], { stdin: 'datagram\n' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'datagram\n');
    } finally {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
  });
});

/** A TCP server that keeps its write side open after the client's FIN (for half-close tests). */
async function listenHalfOpen(onConnection: (s: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    peers: [],
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
