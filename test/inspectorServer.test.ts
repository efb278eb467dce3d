// The inspector's server (what `call-session-machine inspect` runs): loopback only, the
// page's own origin only, apps' sessions relayed to pages as they arrive, from
// connectInspector and from @statelyai/inspect alike.
import { once } from 'node:events';
import http from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createWebSocketInspector } from '@statelyai/inspect';
import { SimulatedClock } from 'xstate';
import * as ws from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder } from '../src/index.js';
import { connectInspector, type InspectorStep } from '../src/inspector/index.js';
import type { LiveMessage } from '../src/inspector/pageData.js';
import { ListenError, startInspectorServer, type InspectorServer, type WsModule } from '../src/cli/server.js';

const SECOND = 1_000;
const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setReconnectTimeoutPeriod(30).build();
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function liveServer(options: { allowOrigins?: string[] } = {}): Promise<InspectorServer> {
  const server = await startInspectorServer({
    ws: ws as unknown as WsModule,
    page: (origin) => `<p>page of ${origin}</p>`,
    ...options,
  });
  cleanups.push(() => server.close());
  return server;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      })
      .on('error', reject);
  });
}

/** Reads the server-sent events a page reads. */
function subscribe(server: InspectorServer, headers: Record<string, string> = {}) {
  const messages: { id: number; message: LiveMessage }[] = [];
  let buffer = '';
  const request = http.get(`${server.url}events`, { headers }, (response) => {
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = Number(/^id: (\d+)$/m.exec(block)?.[1]);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data) messages.push({ id, message: JSON.parse(data) as LiveMessage });
      }
    });
  });
  request.on('error', () => {});
  cleanups.push(() => request.destroy());
  return {
    messages,
    steps: () => messages.flatMap(({ message }) => (message.kind === 'step' ? [message.step] : [])),
  };
}

/** Tries a WebSocket upgrade; resolves with the HTTP status it was refused with, or 101. */
function upgrade(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve) => {
    const client = new ws.WebSocket(url, options);
    client.on('open', () => {
      client.close();
      resolve(101);
    });
    client.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      client.terminate();
    });
    client.on('error', () => resolve(-1));
  });
}

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('only this machine, only the page itself', () => {
  test('listens on 127.0.0.1 at a free port and serves the page there', async () => {
    const server = await liveServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.appUrl).toBe(`ws://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(await get(server.url)).toEqual({ status: 200, body: `<p>page of http://127.0.0.1:${server.port}</p>` });
    expect((await get(`http://localhost:${server.port}/`)).status).toBe(200);
    expect((await get(`${server.url}nothing`)).status).toBe(404);
  });

  test('does not answer on any other address of this machine', async (context) => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry && !entry.internal && !entry.address.startsWith('fe80:'))
      .map((entry) => entry!.address);
    if (others.length === 0) context.skip('this machine has no non-loopback address to try');
    const server = await liveServer();
    // The check can fail: a server on every interface does answer there.
    const control = createServer().listen(0, '::');
    await once(control, 'listening');
    cleanups.push(() => new Promise((resolve) => control.close(resolve)));
    const controlPort = (control.address() as AddressInfo).port;
    for (const address of others) {
      expect(await canConnect(address, controlPort), `control server on ${address}`).toBe(true);
      expect(await canConnect(address, server.port), `inspector on ${address}`).toBe(false);
    }
    expect(await canConnect('127.0.0.1', server.port)).toBe(true);
  });

  test('another Host (DNS rebinding) is refused, on the page and on upgrades', async () => {
    const server = await liveServer();
    expect((await get(server.url, { host: `evil.example:${server.port}` })).status).toBe(421);
    expect(await upgrade(server.appUrl, { headers: { host: 'evil.example' } })).toBe(421);
  });

  test('a WebSocket upgrade with another Origin is refused; none (Node), the page’s own, or an allowed one is accepted', async () => {
    const server = await liveServer({ allowOrigins: ['http://localhost:5173'] });
    expect(await upgrade(server.appUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(server.appUrl, { origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await upgrade(server.appUrl, { origin: 'null' })).toBe(403);
    expect(await upgrade(server.appUrl)).toBe(101);
    expect(await upgrade(server.appUrl, { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await upgrade(server.appUrl, { origin: `http://localhost:${server.port}` })).toBe(101);
    expect(await upgrade(server.appUrl, { origin: 'http://localhost:5173' })).toBe(101);
    // The event stream: the page's own origin only, even for allowed app origins.
    expect((await get(`${server.url}events`, { origin: 'http://localhost:5173' })).status).toBe(403);
  });

  test('a port in use: a ListenError naming it', async () => {
    const server = await liveServer();
    const error = await startInspectorServer({ port: server.port, page: () => '' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', port: server.port });
    expect((error as Error).message).toMatch(new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 is in use`));
  });

  test('serving a log takes no WebSocket at all', async () => {
    const server = await startInspectorServer({ page: () => 'report' });
    cleanups.push(() => server.close());
    expect(await upgrade(server.appUrl)).toBe(404);
    expect((await get(`${server.url}events`)).status).toBe(404);
  });
});

describe('live sessions', () => {
  test("connectInspector's sessions reach the page as they happen, labelled, with their connection", async () => {
    const server = await liveServer();
    const page = subscribe(server);
    const clock = new SimulatedClock();
    const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket });
    cleanups.push(() => inspector.close());
    const session = createCallSession({ clock, settings, inspect: inspector });
    session.join('standup');
    await eventually(() => page.steps().length === 2);
    session.send({ type: 'session.joined', participants: [{ uid: 'ana', name: 'Ana' }] });
    await eventually(() => page.steps().length === 3);
    clock.increment(5 * SECOND);
    session.send({ type: 'participant.left', participant: { uid: 'ana' } });
    clock.increment(120 * SECOND);
    await eventually(() => page.steps().length === 5);
    expect(page.steps().map((step) => [step.at, step.sessionId, step.to])).toEqual([
      [0, null, 'idle'],
      [0, 'standup', 'joining'],
      [0, 'standup', 'joined.accompanied'],
      [5_000, 'standup', 'joined.alone'],
      [125_000, 'standup', 'timedOut'],
    ]);
    expect(page.messages[0]!.message).toEqual({ kind: 'connection', connection: 1, open: true, origin: null });
    const stepMessage = page.messages[1]!.message as Extract<LiveMessage, { kind: 'step' }>;
    expect(stepMessage.connection).toBe(1);

    // A page opened later gets everything so far; one that reconnects, only what it missed.
    const late = subscribe(server);
    await eventually(() => late.messages.length === page.messages.length);
    const resumed = subscribe(server, { 'last-event-id': String(page.messages[3]!.id) });
    await eventually(() => resumed.messages.length === page.messages.length - 4);
    expect(resumed.messages.map(({ id }) => id)).toEqual(page.messages.slice(4).map(({ id }) => id));

    inspector.close();
    await eventually(() => page.messages.at(-1)!.message.kind === 'connection');
    expect(page.messages.at(-1)!.message).toEqual({ kind: 'connection', connection: 1, open: false, origin: null });
  });

  test('garbage from an app is ignored, and the server goes on', async () => {
    const server = await liveServer();
    const page = subscribe(server);
    const client = new ws.WebSocket(server.appUrl);
    await once(client, 'open');
    client.send('not json');
    client.send(JSON.stringify({ type: 'call-session-machine.step', version: 99 }));
    client.send(Buffer.from([1, 2, 3]));
    client.send(JSON.stringify({ type: '@xstate.snapshot', sessionId: 'x:0', snapshot: { value: 'idle' } }));
    const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket });
    cleanups.push(() => inspector.close());
    createCallSession({ inspect: inspector }).dispose();
    await eventually(() => page.steps().length === 2);
    expect(page.steps().map((step) => step.event.type)).toEqual(['xstate.init', 'xstate.stop']);
    client.close();
  });

  test("@statelyai/inspect's WebSocket inspector works too: its snapshots become steps, transitions inferred from the chart", async () => {
    const server = await liveServer();
    const page = subscribe(server);
    const inspector = createWebSocketInspector({ url: server.appUrl });
    const clock = new SimulatedClock();
    const session = createCallSession({ clock, settings, inspect: inspector.inspect });
    session.join('stately');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored' });
    session.send({ type: 'participant.joined', participant: { uid: 'ana', name: 'Ana' } });
    await eventually(() => page.steps().length === 7);
    inspector.stop();
    const steps: InspectorStep[] = page.steps();
    expect(
      steps.map((step) => [
        step.event.label,
        step.from,
        step.to,
        step.ignored,
        step.transitions.join(),
        step.callbacks.join(' '),
      ]),
    ).toEqual([
      ['(created)', null, 'idle', false, '', ''],
      ['session.join(stately)', 'idle', 'joining', false, 'callSession.idle#session.join#0', ''],
      ['session.joined', 'joining', 'joined.alone', false, 'callSession.joining#session.joined#1', 'onSessionJoined'],
      [
        'connection.lost',
        'joined.alone',
        'reconnecting',
        false,
        'callSession.joined#connection.lost#0',
        'onConnectionLost',
      ],
      ['connection.lost', 'reconnecting', 'reconnecting', true, '', ''],
      [
        'connection.restored',
        'reconnecting',
        'joined.alone',
        false,
        'callSession.reconnecting#connection.restored#0',
        'onConnectionRestored',
      ],
      [
        'participant.joined(Ana)',
        'joined.alone',
        'joined.accompanied',
        false,
        'callSession.joined#participant.joined#0',
        'onParticipantJoined(Ana) onParticipantListChanged[1]',
      ],
    ]);
    expect(steps[3]).toMatchObject({
      sessionId: 'stately',
      clock: 'real',
      countdowns: [
        { key: 'idle', deadline: 120_000 },
        { key: 'warning', deadline: null },
        { key: 'reconnect', deadline: 30_000 },
      ],
    });
  });
});
