// Inspecting a session over a real WebSocket (docs/inspecting.md, "WebSocket inspector"):
// `@statelyai/inspect`'s inspector server on loopback, the session attached through
// `createWebSocketInspector`, and a `createWebSocketReceiver` on the same server, which is
// what the Stately inspector page does. The receiver must see every event the session
// handled and every snapshot it went through, in order, timer events included.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createWebSocketInspector, createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { SimulatedClock } from 'xstate';
import { afterEach, expect, test, vi } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type Participant } from '../src/index.js';

const SECOND = 1_000;
const ana: Participant = { uid: 'ana', name: 'Ana' };

/** Calls `condition` every few milliseconds until it holds or `timeoutMs` passes; says which. */
async function eventually(condition: () => boolean, timeoutMs = 3_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** Open TCP sockets and servers of this process: none of ours may outlive the test. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
}

const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Starts `createInspectorServer` on 127.0.0.1 and a free port. The server has no host
 * option (it listens on every interface) and does not tell its port, so its HTTP server
 * is picked up as it is created and made to listen on loopback, port 0. Its `stop()`
 * leaves open connections open (ws 8 does not close clients of an external HTTP
 * server), and the receiver has no `close()`: the server's sockets are tracked and
 * destroyed at the end.
 */
async function startLoopbackInspectorServer() {
  const createServer = http.createServer;
  let httpServer: http.Server | undefined;
  vi.spyOn(http, 'createServer').mockImplementation(((...args: Parameters<typeof http.createServer>) => {
    const server = createServer(...args);
    const listen = server.listen.bind(server);
    server.listen = ((port: number, callback?: () => void) =>
      listen(port, '127.0.0.1', callback)) as typeof server.listen;
    httpServer = server;
    return server;
  }) as typeof http.createServer);
  const inspectorServer = createInspectorServer({ port: 0, autoOpen: false });
  vi.mocked(http.createServer).mockRestore();
  if (!httpServer) throw new Error('createInspectorServer did not create its server with http.createServer');
  const server = httpServer;

  const sockets = new Set<Socket>();
  let webSockets = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', () => webSockets++);
  if (!server.listening) await once(server, 'listening');
  const address = server.address() as AddressInfo;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const socket of sockets) socket.destroy();
    const closed = once(server, 'close');
    inspectorServer.stop();
    await closed;
  };
  cleanups.push(stop);
  return {
    address,
    url: `ws://127.0.0.1:${address.port}`,
    openSockets: () => sockets.size,
    webSocketsAccepted: () => webSockets,
    stop,
  };
}

/** One received inspection event of the session, reduced to what the scenario decides. */
type Step = readonly ['actor', string] | readonly ['event', string] | readonly ['snapshot', unknown];

function stepOf(event: StatelyInspectionEvent): Step {
  switch (event.type) {
    case '@xstate.actor':
      return ['actor', event.name];
    case '@xstate.event':
      return ['event', event.event.type];
    case '@xstate.snapshot':
      return ['snapshot', (event.snapshot as { value?: unknown }).value];
  }
}

test('a WebSocket receiver gets every event and snapshot of a session, in order, timer events included', async () => {
  const baselineTcpHandles = tcpHandles();
  const server = await startLoopbackInspectorServer();
  expect(server.address.address).toBe('127.0.0.1');
  expect(server.address.port).toBeGreaterThan(0);

  const received: StatelyInspectionEvent[] = [];
  const receiver = createWebSocketReceiver({ server: server.url });
  receiver.subscribe((event) => received.push(event));
  // Connected before anything is sent, so it gets the events live rather than from the
  // server's replay buffer.
  expect(await eventually(() => server.webSocketsAccepted() === 1)).toBe(true);

  const inspector = createWebSocketInspector({ url: server.url });
  cleanups.push(() => inspector.stop());
  const clock = new SimulatedClock();
  const session = createCallSession({
    clock,
    settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setReconnectTimeoutPeriod(30).build(),
    inspect: inspector.inspect,
  });
  const ofSession = () => received.filter((event) => event.sessionId === session.actor.sessionId);

  // Part one, sent before the inspector's socket is open: the inspector holds these back
  // and sends them once connected.
  session.join('standup');
  session.send({ type: 'session.joined', participants: [ana] });
  const partOne: Step[] = [
    ['actor', 'callSession'],
    ['event', 'xstate.init'],
    ['snapshot', 'idle'],
    ['event', 'session.join'],
    ['snapshot', 'joining'],
    ['event', 'session.joined'],
    ['snapshot', { joined: 'accompanied' }],
  ];
  await eventually(() => ofSession().length >= partOne.length);
  expect(ofSession().map(stepOf)).toEqual(partOne);

  // Part two, on the open socket: Ana leaves at 10 s (the idle countdown starts, due at
  // 130 s), the connection drops at 20 s and is back at 35 s (the reconnect bound, 30 s,
  // is not reached), then time passes in 10 s steps until the countdown ends the session.
  clock.increment(10 * SECOND);
  session.send({ type: 'participant.left', participant: ana });
  clock.increment(10 * SECOND);
  session.send({ type: 'connection.lost' });
  clock.increment(15 * SECOND);
  session.send({ type: 'connection.restored' });
  for (let now = 35 * SECOND; now < 130 * SECOND; now += 10 * SECOND) {
    expect(session.state).toBe('joined.alone');
    clock.increment(10 * SECOND);
  }
  expect(session.state).toBe('timedOut');
  const expected: Step[] = [
    ...partOne,
    ['event', 'participant.left'],
    ['snapshot', { joined: 'alone' }],
    ['event', 'connection.lost'],
    ['snapshot', 'reconnecting'],
    ['event', 'connection.restored'],
    ['snapshot', { joined: 'alone' }],
    // The idle countdown's delayed event, named by XState after the delay and the state.
    ['event', 'xstate.after.idleTimeoutPeriod.callSession.joined.alone'],
    ['snapshot', 'timedOut'],
  ];
  await eventually(() => ofSession().length >= expected.length);
  const events = ofSession();
  expect(events.map(stepOf)).toEqual(expected);

  // Each snapshot names the event that produced it, the event received just before it.
  for (const [index, event] of events.entries()) {
    if (event.type !== '@xstate.snapshot') continue;
    const before = events[index - 1]!;
    expect(before.type).toBe('@xstate.event');
    expect(event.event.type).toBe((before as StatelyInspectionEvent & { type: '@xstate.event' }).event.type);
  }
  const last = events.at(-1) as StatelyInspectionEvent & { type: '@xstate.snapshot' };
  expect(last.snapshot).toMatchObject({ status: 'done', context: { endReason: 'idleTimeout' } });
  // Nothing else went over the wire: no other actor, nothing twice.
  expect(received).toHaveLength(expected.length);

  // Closing down: the inspector's socket closes with it; the receiver's has no close(),
  // the server drops it. Nothing of ours is left open.
  inspector.stop();
  expect(await eventually(() => server.openSockets() === 1)).toBe(true);
  await server.stop();
  expect(await eventually(() => tcpHandles() === baselineTcpHandles)).toBe(true);
});
