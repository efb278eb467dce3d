// connectInspector (call-session-machine/inspector): what goes over the wire for each
// event, and that an app never depends on the inspector: unreachable, gone, slow, or a
// WebSocket that throws, the session goes on, memory stays bounded, nothing is thrown.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { SimulatedClock } from 'xstate';
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type Participant } from '../src/index.js';
import { connectInspector, type InspectorStep, type InspectorWebSocket } from '../src/inspector/index.js';

const run = promisify(execFile);
const SECOND = 1_000;
const ana: Participant = { uid: 'ana', name: 'Ana', avatar: 'https://example.com/ana.png' };
const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setReconnectTimeoutPeriod(30).build();

/** A WebSocket the test opens, fails and inspects by hand. */
class FakeSocket implements InspectorWebSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  onopen: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
    this.onclose?.({} as never);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as never);
  }
  fail(): void {
    this.onerror?.({} as never);
    this.readyState = 3;
    this.onclose?.({} as never);
  }
}

const steps = (socket: FakeSocket) => socket.sent.map((message) => JSON.parse(message) as InspectorStep);

/** A port on 127.0.0.1 nobody listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterEach(() => {
  FakeSocket.made = [];
  vi.restoreAllMocks();
});

describe('what goes over the wire', () => {
  test('one message per event: clock time, from → to, the event, the transition taken, callbacks, countdowns, participants', () => {
    const clock = new SimulatedClock();
    const inspector = connectInspector('ws://127.0.0.1:1', { WebSocket: FakeSocket });
    FakeSocket.made[0]!.open();
    const session = createCallSession({ clock, settings, inspect: inspector });
    session.join('standup');
    clock.increment(1_500);
    session.send({ type: 'session.joined', participants: [ana] });
    clock.increment(40 * SECOND);
    session.send({ type: 'participant.left', participant: ana });
    clock.increment(20 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(12 * SECOND);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored' });
    clock.increment(88 * SECOND);
    expect(session.state).toBe('timedOut');

    const sent = steps(FakeSocket.made[0]!);
    expect(
      sent.map((step) => [
        step.seq,
        step.at,
        step.event.label,
        step.from,
        step.to,
        step.ignored,
        step.callbacks.join(' '),
      ]),
    ).toEqual([
      [0, 0, '(created)', null, 'idle', false, ''],
      [1, 0, 'session.join(standup)', 'idle', 'joining', false, ''],
      [
        2,
        1_500,
        'session.joined[Ana]',
        'joining',
        'joined.accompanied',
        false,
        'onSessionJoined onParticipantJoined(Ana) onParticipantListChanged[1]',
      ],
      [
        3,
        41_500,
        'participant.left(Ana)',
        'joined.accompanied',
        'joined.alone',
        false,
        'onParticipantLeft(Ana) onParticipantListChanged[0]',
      ],
      [4, 61_500, 'connection.lost', 'joined.alone', 'reconnecting', false, 'onConnectionLost'],
      [5, 73_500, 'connection.lost', 'reconnecting', 'reconnecting', true, ''],
      [6, 73_500, 'connection.restored', 'reconnecting', 'joined.alone', false, 'onConnectionRestored'],
      [7, 161_500, 'after idleTimeoutPeriod', 'joined.alone', 'timedOut', false, 'onSessionTimedOut'],
    ]);
    expect(sent.map((step) => step.transitions)).toEqual([
      [],
      ['callSession.idle#session.join#0'],
      ['callSession.joining#session.joined#0'],
      ['callSession.joined#participant.left#0'],
      ['callSession.joined#connection.lost#0'],
      [],
      ['callSession.reconnecting#connection.restored#0'],
      ['callSession.joined.alone#xstate.after.idleTimeoutPeriod.callSession.joined.alone#0'],
    ]);
    const reconnecting = sent[4]!;
    expect(reconnecting).toMatchObject({
      type: 'call-session-machine.step',
      version: 1,
      actor: session.actor.sessionId,
      sessionId: 'standup',
      clock: 'simulated',
      countdowns: [
        { key: 'idle', label: 'idle timeout', deadline: 161_500, period: 120_000 },
        { key: 'warning', label: 'idle warning', deadline: null, period: 120_000 },
        { key: 'reconnect', label: 'reconnect bound', deadline: 91_500, period: 30_000 },
      ],
      settings: { idleTimeoutPeriod: 120, reconnectTimeoutPeriod: 30, idleWarningPeriod: 0, type: 'VIDEO' },
      endReason: null,
      status: 'active',
    });
    // The avatar URL stays in the app: the page loads nothing.
    expect(sent[2]!.participants).toEqual([{ uid: 'ana', name: 'Ana' }]);
    expect(sent[7]).toMatchObject({
      status: 'done',
      endReason: 'idleTimeout',
      countdowns: [{ deadline: null }, { deadline: null }, { deadline: null }],
    });
  });

  test('a session on the real clock says so, and its time is Date.now()', () => {
    const inspector = connectInspector('ws://127.0.0.1:1', { WebSocket: FakeSocket });
    FakeSocket.made[0]!.open();
    const before = Date.now();
    const session = createCallSession({ inspect: inspector });
    session.join('x');
    const [, join] = steps(FakeSocket.made[0]!);
    expect(join!.clock).toBe('real');
    expect(join!.at).toBeGreaterThanOrEqual(before);
    expect(join!.at).toBeLessThanOrEqual(Date.now());
    session.dispose();
  });
});

describe('the app never depends on the inspector', () => {
  test('while connecting, messages wait and go out in order on open; past the bound the oldest are dropped', () => {
    const inspector = connectInspector('ws://127.0.0.1:1', { WebSocket: FakeSocket, maxBufferedBytes: 4_000 });
    const socket = FakeSocket.made[0]!;
    const clock = new SimulatedClock();
    const session = createCallSession({ clock, inspect: inspector });
    session.join('standup');
    session.send({ type: 'session.joined' });
    for (let i = 0; i < 200; i++) session.send({ type: 'connection.lost' }); // taken once, then ignored
    expect(inspector.status).toBe('connecting');
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(inspector.status).toBe('open');
    const sent = steps(socket);
    const bytes = socket.sent.reduce((sum, message) => sum + message.length, 0);
    expect(bytes).toBeLessThanOrEqual(4_000);
    expect(sent.length).toBeGreaterThan(0);
    expect(inspector.dropped).toBe(203 - sent.length);
    // The newest survive, in order.
    const seqs = sent.map((step) => step.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(202);
  });

  test('once open, a slow inspector cannot make the app hold more than the bound', () => {
    const inspector = connectInspector('ws://127.0.0.1:1', { WebSocket: FakeSocket, maxBufferedBytes: 10_000 });
    const socket = FakeSocket.made[0]!;
    socket.open();
    const session = createCallSession({ inspect: inspector });
    session.join('standup');
    socket.bufferedAmount = 9_999;
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    expect(steps(socket).map((step) => step.event.type)).toEqual(['xstate.init', 'session.join']);
    expect(inspector.dropped).toBe(2);
    socket.bufferedAmount = 0;
    session.send({ type: 'connection.restored' });
    expect(steps(socket).at(-1)!.event.type).toBe('connection.restored');
    session.dispose();
  });

  test('an inspector that cannot be reached (a closed port, the ws package): reported once, the session still times out, nothing is kept', async () => {
    const errors: unknown[] = [];
    const inspector = connectInspector(`ws://127.0.0.1:${await closedPort()}`, {
      WebSocket: WsWebSocket,
      onError: (error) => errors.push(error),
    });
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const session = createCallSession({ clock, settings, inspect: inspector });
    session.addSessionStatusListener({
      onSessionJoined: () => fired.push('joined'),
      onSessionTimedOut: () => fired.push('timedOut'),
    });
    session.join('standup');
    session.send({ type: 'session.joined' });
    await eventually(() => inspector.status === 'closed');
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/cannot reach the inspector at ws:\/\/127\.0\.0\.1:\d+/);
    const droppedBefore = inspector.dropped;
    expect(droppedBefore).toBe(3); // (created), join, joined: held while connecting, dropped when it failed
    for (let i = 0; i < 10_000; i++) session.send({ type: 'connection.restored' }); // ignored while joined: 10,000 steps
    clock.increment(120 * SECOND);
    expect(session.state).toBe('timedOut');
    expect(fired).toEqual(['joined', 'timedOut']);
    expect(inspector.dropped).toBe(droppedBefore + 10_000 + 1);
    expect(errors).toHaveLength(1);
  });

  test('an inspector that goes away: the session goes on, later messages are dropped', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const received: InspectorStep[] = [];
    server.on('connection', (client) =>
      client.on('message', (data) => received.push(JSON.parse(String(data)) as InspectorStep)),
    );
    const errors: unknown[] = [];
    const inspector = connectInspector(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      WebSocket: WsWebSocket,
      onError: (error) => errors.push(error),
    });
    const clock = new SimulatedClock();
    const session = createCallSession({ clock, settings, inspect: inspector });
    session.join('standup');
    await eventually(() => received.length === 2);
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await eventually(() => inspector.status === 'closed');
    session.send({ type: 'session.joined' });
    clock.increment(120 * SECOND);
    expect(session.state).toBe('timedOut');
    expect(inspector.dropped).toBe(2);
    expect(errors).toHaveLength(1);
  });

  test('a WebSocket that throws, an error handler that throws, no WebSocket at all: nothing reaches the session', () => {
    const clock = new SimulatedClock();
    const throwing = function () {
      throw new Error('constructor exploded');
    } as unknown as typeof FakeSocket;
    const reported: unknown[] = [];
    const a = connectInspector('ws://127.0.0.1:1', { WebSocket: throwing, onError: (error) => reported.push(error) });
    expect(a.status).toBe('closed');
    expect(reported).toEqual([new Error('constructor exploded')]);

    const b = connectInspector('ws://127.0.0.1:1', {
      WebSocket: FakeSocket,
      onError: () => {
        throw new Error('handler exploded');
      },
    });
    const socket = FakeSocket.made[0]!;
    socket.open();
    socket.send = () => {
      throw new Error('send exploded');
    };

    vi.stubGlobal('WebSocket', undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const c = connectInspector('ws://127.0.0.1:1');
    vi.unstubAllGlobals();
    expect(c.status).toBe('closed');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![1])).toMatch(/no WebSocket here: Node 20 has one with --experimental-websocket/);

    for (const inspect of [a, b, c]) {
      const session = createCallSession({ clock, settings, inspect });
      session.join('standup');
      session.send({ type: 'session.joined' });
      clock.increment(120 * SECOND);
      expect(session.state).toBe('timedOut');
    }
    socket.fail();
    expect(b.status).toBe('closed');
  });

  test('close() closes the socket; later messages are dropped', () => {
    const inspector = connectInspector('ws://127.0.0.1:1', { WebSocket: FakeSocket });
    const socket = FakeSocket.made[0]!;
    socket.open();
    const session = createCallSession({ inspect: inspector });
    inspector.close();
    expect(socket.readyState).toBe(3);
    expect(inspector.status).toBe('closed');
    session.join('x');
    expect(socket.sent).toHaveLength(1);
    expect(inspector.dropped).toBe(1);
    session.dispose();
  });

  test('a URL that is not ws:// or wss://, or mistyped options: a TypeError at once', () => {
    expect(() => connectInspector('http://127.0.0.1:1')).toThrow(TypeError);
    expect(() => connectInspector('127.0.0.1:1')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => connectInspector(42 as never)).toThrow(TypeError);
    expect(() => connectInspector('ws://127.0.0.1:1', { WebSocket: 'ws' as never })).toThrow(TypeError);
    expect(() => connectInspector('ws://127.0.0.1:1', { maxBufferedBytes: -1 })).toThrow(TypeError);
    expect(() => connectInspector('ws://127.0.0.1:1', { onError: 1 as never })).toThrow(TypeError);
    expect(() => connectInspector('ws://127.0.0.1:1', { connectTimeoutMs: 0 })).toThrow(TypeError);
    expect(() => connectInspector('ws://127.0.0.1:1', { closeTimeoutMs: '1s' as never })).toThrow(TypeError);
  });
});

describe('where it runs', () => {
  test('call-session-machine/inspector imports no Node module: it bundles for the browser', async () => {
    const result = await build({
      entryPoints: [new URL('../src/inspector/index.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      external: ['xstate'],
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((entry) => entry.path));
    expect(
      imports.filter(
        (path) =>
          path.startsWith('node:') || (!path.startsWith('src/') && !path.startsWith('machines/') && path !== 'xstate'),
      ),
    ).toEqual([]);
    expect(result.outputFiles[0]!.text).toContain('connectInspector');
  });

  test("with Node 20's own WebSocket (--experimental-websocket), no package needed", async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const received: InspectorStep[] = [];
    server.on('connection', (client) =>
      client.on('message', (data) => received.push(JSON.parse(String(data)) as InspectorStep)),
    );
    const dir = new URL('../.tmp/inspector-connect/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const script = new URL('node-websocket.ts', dir);
    writeFileSync(
      script,
      [
        `import { SimulatedClock } from 'xstate';`,
        `import { createCallSession } from '${new URL('../../src/index.ts', dir).pathname}';`,
        `import { connectInspector } from '${new URL('../../src/inspector/index.ts', dir).pathname}';`,
        `if (typeof WebSocket !== 'function') throw new Error('no global WebSocket');`,
        `const inspector = connectInspector(process.argv[2]!);`,
        `const clock = new SimulatedClock();`,
        `const session = createCallSession({ clock, inspect: inspector });`,
        `session.join('node-20');`,
        `session.send({ type: 'session.joined' });`,
        `clock.increment(300_000);`,
        `while (inspector.status === 'connecting') await new Promise((resolve) => setTimeout(resolve, 10));`,
        `await new Promise((resolve) => setTimeout(resolve, 100));`,
        `inspector.close();`,
        `console.log(session.state, inspector.status, inspector.dropped);`,
      ].join('\n'),
    );
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { stdout } = await run(
      process.execPath,
      ['--experimental-websocket', '--no-warnings', '--import', 'tsx', script.pathname, url],
      {
        cwd: new URL('..', import.meta.url).pathname,
      },
    );
    expect(stdout.trim()).toBe('timedOut closed 0');
    await eventually(() => received.length === 4);
    expect(received.map((step) => step.to)).toEqual(['idle', 'joining', 'joined.alone', 'timedOut']);
    expect(received[1]!.sessionId).toBe('node-20');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
