// connectInspector in an app process (a real Node process, the `ws` package's WebSocket)
// against an inspector that stalls: one that accepts TCP and never answers the upgrade,
// and one that answers and then stops reading. The app is told (onError), the connection
// ends, and the inspector never keeps the app's process alive: it exits by itself.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs `body` as an app process (tsx); what it printed, each line with the ms since start, and its exit. */
async function app(name: string, body: string[], url: string, giveUpMs: number) {
  const dir = new URL('../.tmp/inspector-stalls/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const script = new URL(`${name}.ts`, dir);
  writeFileSync(
    script,
    [
      `import { WebSocket } from 'ws';`,
      `import { createCallSession } from '${root}src/index.ts';`,
      `import { connectInspector } from '${root}src/inspector/index.ts';`,
      `const started = Date.now();`,
      `const say = (text: string) => console.log(\`\${Date.now() - started} \${text}\`);`,
      `const url = process.argv[2]!;`,
      ...body,
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script.pathname, url], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: { ms: number; text: string; arrivedAt: number }[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    let end;
    while ((end = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, end);
      partial = partial.slice(end + 1);
      lines.push({ ms: Number(line.split(' ')[0]), text: line.slice(line.indexOf(' ') + 1), arrivedAt: Date.now() });
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), giveUpMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  const exitedAt = Date.now();
  clearTimeout(killer);
  return { code, signal, lines, exitedAt };
}

test('an inspector that accepts TCP and never answers: onError after the connect timeout, status closed, the process exits', async () => {
  const { url } = await listen(() => {}); // reads the upgrade request, says nothing
  const { code, signal, lines } = await app(
    'never-answers',
    [
      `const inspector = connectInspector(url, { WebSocket, connectTimeoutMs: 500, onError: (error) => say('onError ' + (error as Error).message + ' status ' + inspector.status) });`,
      `const session = createCallSession({ inspect: inspector });`,
      `session.join('stalled');`,
      `say('joined ' + inspector.status);`,
    ],
    url,
    15_000,
  );
  expect(signal).toBeNull(); // not killed: it ended by itself
  expect(code).toBe(0);
  expect(lines.map((line) => line.text)).toEqual([
    'joined connecting',
    expect.stringMatching(/^onError .*did not answer within 500 ms.* status closed$/),
  ]);
  expect(lines[1]!.ms).toBeGreaterThanOrEqual(450);
});

test('an inspector that stops reading: close() does not keep the process alive for the closing handshake', async () => {
  // Answers the upgrade as RFC 6455 says, then never reads again: the app's bytes pile up.
  const { url } = await listen((socket) => {
    socket.once('data', (request: Buffer) => {
      const key = /sec-websocket-key: (.+)\r\n/i.exec(request.toString('latin1'))![1]!.trim();
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.pause();
    });
  });
  const { code, signal, lines, exitedAt } = await app(
    'stops-reading',
    [
      `const inspector = connectInspector(url, { WebSocket, maxBufferedBytes: 64 << 20, onError: () => {} });`,
      `while (inspector.status === 'connecting') await new Promise((resolve) => setTimeout(resolve, 5));`,
      `const session = createCallSession({ inspect: inspector });`,
      `session.join('x'.repeat(100_000));`,
      `for (let i = 0; i < 300; i++) session.send({ type: 'idle.extend' });`,
      `session.send({ type: 'session.joined' });`,
      `for (let i = 0; i < 300; i++) session.send({ type: 'idle.extend' });`,
      `await new Promise((resolve) => setTimeout(resolve, 500));`,
      `session.dispose();`,
      `inspector.close();`,
      `say('closed ' + inspector.status);`,
    ],
    url,
    45_000,
  );
  expect(signal).toBeNull();
  expect(code).toBe(0);
  expect(lines.map((line) => line.text)).toEqual(['closed closed']);
  // The process ended soon after close(), not after the closing handshake's 30 s timeout.
  expect(exitedAt - lines[0]!.arrivedAt).toBeLessThan(5_000);
});
