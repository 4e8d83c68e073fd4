// The README's TypeScript examples must compile as written against the built package: every
// ```ts block becomes a module of its own, preceded only by declarations of what the README takes
// from earlier blocks or leaves to the reader (`client`, `myCaPem`, …), and tsc checks them all
// (strict, library checking of our .d.ts on). One more module checks that the 'event' listener's
// `connection` really is narrowed by `event`, and that the client's socket type picks the
// connection class. Runs the built package (npm test builds before the tests run).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runTsc } from './tsc.js';

/** The packages the snippets import, besides gsocketclient itself (resolved from ours). */
const THIRD_PARTY = ['undici', 'ws', 'pg', 'ioredis', '@types'];

/** What a snippet may use without defining it, and how it is declared then. */
const PRELUDE: readonly { readonly name: string; readonly declaration: string }[] = [
  { name: 'SocketClient', declaration: "import { SocketClient } from 'gsocketclient';" },
  { name: 'SocketClientEvent', declaration: "import { SocketClientEvent } from 'gsocketclient';" },
  { name: 'SocketType', declaration: "import { SocketType } from 'gsocketclient';" },
  { name: 'Cancellable', declaration: "import { Cancellable } from 'gsocketclient';" },
  { name: 'TlsCertificateFlags', declaration: "import { TlsCertificateFlags } from 'gsocketclient';" },
  { name: 'TlsClientConnection', declaration: "import type { TlsClientConnection } from 'gsocketclient';" },
  { name: 'client', declaration: 'declare const client: SocketClient;' },
  { name: 'cancellable', declaration: 'declare const cancellable: Cancellable;' },
  { name: 'myCaPem', declaration: 'declare const myCaPem: string;' },
  {
    name: 'isPinned',
    declaration: "declare function isPinned(cert: import('node:crypto').X509Certificate): boolean;",
  },
];

/** Not from the README: the narrowing and inference the types promise, checked both ways. */
const TYPE_PROMISES = `
import type { Socket } from 'node:net';
import {
  DatagramConnection,
  DatagramStream,
  SocketClient,
  SocketClientEvent,
  SocketType,
  TcpConnection,
  TcpWrapperConnection,
  UnixConnection,
} from 'gsocketclient';

const client = new SocketClient({ timeout: 5 });
client.on('event', (event, _connectable, connection) => {
  if (event === SocketClientEvent.TLS_HANDSHAKING) connection.onAcceptCertificate(() => false);
  if (event === SocketClientEvent.CONNECTING) {
    connection.getRemoteAddress();
    // @ts-expect-error a CONNECTING connection is no TLS connection
    connection.onAcceptCertificate(() => false);
  }
  if (event === SocketClientEvent.RESOLVING) {
    const nothing: null = connection;
    void nothing;
  }
  if (event === SocketClientEvent.COMPLETE) {
    // @ts-expect-error a failed operation's COMPLETE carries null
    connection.getRemoteAddress();
  }
});
// Listeners that take fewer arguments, or return a value, still type-check.
const seen: number[] = [];
client.on('event', (event) => seen.push(event));
client.once('event', (event: SocketClientEvent) => void event);

const conn = await client.connectToHost('localhost:8080', 80);
const stream: Socket = conn.stream;
const socket: Socket = conn.socket;
socket.setTimeout(0);
const either: TcpConnection | UnixConnection = conn;
if (conn instanceof TcpWrapperConnection) conn.getBaseIOStream();

// tls: false too: a client whose tls could still be switched on may return a TLS wrapper.
const udp = await new SocketClient({ type: SocketType.DATAGRAM, tls: false }).connectToHost('127.0.0.1:53', 53);
const datagram: DatagramConnection = udp;
const datagrams: DatagramStream = udp.stream;
// @ts-expect-error a UDP socket has no setTimeout
udp.socket.setTimeout(0);
// @ts-expect-error the static type follows the constructor option, so the type stays DATAGRAM
new SocketClient({ type: SocketType.DATAGRAM, tls: false }).type = SocketType.STREAM;

// tls: true at construction: TcpWrapperConnections over a TlsClientConnection, a TLSSocket stream.
const secure = new SocketClient({ tls: true });
const tlsConn = await secure.connectToHost('localhost:8443', 443);
tlsConn.getBaseIOStream().peerCertificateErrors;
tlsConn.stream.getProtocol();
// @ts-expect-error the static type follows the constructor option, so tls stays true
secure.tls = false;
// An operation's own tls wins, both ways.
const plain = await secure.connectToHost('localhost:8080', 80, { tls: false });
// @ts-expect-error without TLS the result is no TcpWrapperConnection (statically)
plain.getBaseIOStream();
const upgraded = await client.connectToHost('localhost:8443', 443, { tls: true });
upgraded.getBaseIOStream().negotiatedProtocol;
// Unknown tls (a client that may change it): the wrapper is only one of the possibilities.
const maybe = await new SocketClient({ tls: Math.random() > 0.5 }).connectToHost('h:1', 1);
// @ts-expect-error maybe a TcpWrapperConnection, maybe not
maybe.getBaseIOStream();

export const used = [stream, either, datagram, datagrams, seen];
`;

interface Snippet {
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of the README, with the line each starts on. */
function extractSnippets(markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    snippets.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return snippets;
}

/** Whether the snippet defines `name` itself (an import, a declaration or a parameter list). */
function defines(code: string, name: string): boolean {
  const word = `\\b${name}\\b`;
  return (
    new RegExp(`\\b(?:const|let|var|class|function)\\s+${name}\\b`).test(code) ||
    new RegExp(`import\\s[^;]*\\{[^}]*${word}[^}]*\\}[^;]*from`, 's').test(code) ||
    new RegExp(`import\\s+(?:type\\s+)?${name}\\s+from`).test(code)
  );
}

function withPrelude(snippet: Snippet): string {
  const uses = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(snippet.code);
  const needed = new Set(
    PRELUDE.filter((p) => uses(p.name) && !defines(snippet.code, p.name)).map((p) => p.name),
  );
  // A declared `client` or `cancellable` needs its class in scope too.
  if (needed.has('client') && !defines(snippet.code, 'SocketClient')) needed.add('SocketClient');
  if (needed.has('cancellable') && !defines(snippet.code, 'Cancellable')) needed.add('Cancellable');
  const prelude = PRELUDE.filter((p) => needed.has(p.name)).map((p) => p.declaration);
  return [...prelude, `// README.md line ${snippet.line}`, snippet.code, 'export {};', ''].join('\n');
}

describe('package: README TypeScript examples', () => {
  it('finds the README examples, the event-narrowing one included', async () => {
    const snippets = extractSnippets(await readFile(join(ROOT, 'README.md'), 'utf8'));
    assert.ok(snippets.length >= 10, `only ${snippets.length} ts blocks found`);
    assert.ok(
      snippets.some((s) => /TLS_HANDSHAKING\)[\s\S]*connection\.onAcceptCertificate/.test(s.code)),
      'the TLS example calls onAcceptCertificate on the narrowed connection',
    );
  });

  it('every ```ts block of README.md type-checks as written, and the types narrow as promised', async () => {
    const snippets = extractSnippets(await readFile(join(ROOT, 'README.md'), 'utf8'));
    const dir = await mkdtemp(join(tmpdir(), 'gsc-readme-'));
    try {
      await mkdir(join(dir, 'node_modules'));
      await symlink(ROOT, join(dir, 'node_modules', 'gsocketclient'), 'dir');
      for (const name of THIRD_PARTY) {
        await symlink(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
      }
      await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      const files: string[] = [];
      for (const snippet of snippets) {
        const file = `readme-line-${snippet.line}.ts`;
        await writeFile(join(dir, file), withPrelude(snippet));
        files.push(file);
      }
      await writeFile(join(dir, 'type-promises.ts'), TYPE_PROMISES);
      files.push('type-promises.ts');
      const { code, output } = await runTsc(dir, [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--lib',
        'es2023',
        '--types',
        'node',
        ...files,
      ]);
      assert.equal(code, 0, `tsc failed on README examples:\n${output}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
