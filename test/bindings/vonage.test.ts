// @vitest-environment happy-dom
// bindVonageSession on a real @opentok/client Session (SPEC §7), in happy-dom, with a
// stand-in for Vonage's side of the wire (test/support/vonageSession.ts): connect(),
// disconnect(), the Raptor dispatcher, the Rumor socket and its reconnects are
// opentok.js's own code. Expected outcomes are written from SPEC §2/§7 and the mapping
// table of docs/bindings.md, not read from the binding.
import { describe, expect, test } from 'vitest';
import { bindVonageSession } from 'call-session-machine/vonage';
import { recordedSession } from '../support/bindingSession.js';
import {
  connect,
  createVonageSession,
  installedOpenTokVersion,
  isConnected,
  listenerCounts,
  OPENTOK_VERSION,
  refusedRequests,
  settle,
  spyOnDisconnect,
  until,
} from '../support/vonageSession.js';

const ana = { id: 'ana-connection' };
const bo = { id: 'bo-connection' };
const cy = { id: 'cy-connection' };
const EVENTS = [
  'sessionConnected',
  'connectionCreated',
  'connectionDestroyed',
  'sessionReconnecting',
  'sessionReconnected',
  'sessionDisconnected',
  'sessionConnectFailed',
] as const;

/** A bound Session connected to the stand-in with `present` there; records start empty after the join. */
async function inCall(present: { id: string }[] = [], periods?: { idle?: number; reconnect?: number }) {
  const { otSession, server } = createVonageSession();
  const recorded = recordedSession(periods);
  const disconnect = spyOnDisconnect(otSession);
  const unbind = bindVonageSession(otSession, recorded.session, { sessionId: 'standup' });
  server.present = present;
  expect(await connect(otSession)).toBeUndefined();
  await settle();
  recorded.status.length = 0;
  recorded.people.length = 0;
  return { otSession, server, disconnect, unbind, ...recorded };
}

describe('joining', () => {
  test('join with people present: joined.accompanied with the connections there, never this client’s own', async () => {
    const { otSession, server } = createVonageSession();
    const { session, status, people } = recordedSession();
    bindVonageSession(otSession, session, { sessionId: 'standup' });
    const created: string[] = [];
    otSession.on('connectionCreated', (event) => created.push(event.connection.connectionId));
    server.present = [ana, bo];
    expect(await connect(otSession)).toBeUndefined();
    await settle();
    // OpenTok announces this client's own connection like everyone else's.
    expect(created).toEqual([server.ownConnectionId, ana.id, bo.id]);
    expect(session.state).toBe('joined.accompanied');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ pid: ana.id }, { pid: bo.id }]);
    expect(people).toEqual([`joined:${ana.id}`, `joined:${bo.id}`, `list:${ana.id},${bo.id}`]);
  });

  test('join alone: joined.alone, and the idle countdown runs', async () => {
    const { session, status, advance } = await inCall([], { idle: 10 });
    expect(session.state).toBe('joined.alone');
    advance(10);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('the session id defaults to the Session’s own sessionId', async () => {
    const { otSession } = createVonageSession();
    const { session } = recordedSession();
    bindVonageSession(otSession, session);
    await connect(otSession);
    await settle();
    expect(session.actor.getSnapshot().context.sessionId).toBe(otSession.sessionId);
  });

  test('the app joining the call session first: joining until sessionConnected', async () => {
    const { otSession, server } = createVonageSession();
    const { session, status } = recordedSession();
    bindVonageSession(otSession, session);
    session.join('standup');
    server.present = [ana];
    const connected = connect(otSession);
    await settle(0);
    expect(session.state).toBe('joining');
    await connected;
    await settle();
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test('a Session already connected at bind time is caught up with its connections', async () => {
    const { otSession, server } = createVonageSession();
    server.present = [ana];
    await connect(otSession);
    await settle();
    const { session, status } = recordedSession();
    bindVonageSession(otSession, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ pid: ana.id }]);
  });
});

describe('participants', () => {
  test('connections created and destroyed, whatever the reason, are arrivals and departures', async () => {
    const { server, session, people, status } = await inCall([ana]);
    await server.connectionCreated(bo);
    await server.connectionCreated(cy);
    expect(people).toEqual([
      `joined:${bo.id}`,
      `list:${ana.id},${bo.id}`,
      `joined:${cy.id}`,
      `list:${ana.id},${bo.id},${cy.id}`,
    ]);
    await server.connectionDeleted(ana.id, 'networkDisconnected');
    await server.connectionDeleted(bo.id, 'forceDisconnected');
    await server.connectionDeleted(cy.id, 'clientDisconnected');
    expect(session.state).toBe('joined.alone');
    expect(people.slice(4)).toEqual([
      `left:${ana.id}`,
      `list:${bo.id},${cy.id}`,
      `left:${bo.id}`,
      `list:${cy.id}`,
      `left:${cy.id}`,
      'list:',
    ]);
    expect(status).toEqual([]);
  });
});

describe('reconnecting', () => {
  test('a reconnect that recovers: one lost/restored pair, the list kept, and departures after it still count', async () => {
    const { otSession, server, session, status, people } = await inCall([ana, bo]);
    const seen: string[] = [];
    otSession.on('sessionReconnecting', () => seen.push('reconnecting'));
    otSession.on('sessionReconnected', () => seen.push('reconnected'));
    await server.dropSocket();
    await until(() => server.sockets.length === 2);
    expect(session.state).toBe('reconnecting');
    await server.resume();
    expect(seen).toEqual(['reconnecting', 'reconnected']);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([]);
    await server.connectionDeleted(bo.id, 'networkDisconnected');
    expect(session.participants).toEqual([{ pid: ana.id }]);
  });

  test('a reconnect that gives up (the new socket is closed with 1011): networkDisconnected, closed, no disconnect() call', async () => {
    const { otSession, server, session, status, disconnect } = await inCall([ana]);
    const reasons: string[] = [];
    otSession.on('sessionDisconnected', (event) => reasons.push(event.reason));
    server.refuseReconnect = true;
    await server.dropSocket();
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['networkDisconnected']);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
  });

  test('the reconnect bound calls otSession.disconnect() once', async () => {
    const { server, session, disconnect, advance } = await inCall([ana], { reconnect: 5 });
    await server.dropSocket();
    expect(session.state).toBe('reconnecting');
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    expect(disconnect.calls).toBe(1);
  });
});

describe('the end, from Vonage', () => {
  test('removal by a moderator (forceDisconnected): onSessionLeft, reason removed, no disconnect() call', async () => {
    const { server, session, status, disconnect } = await inCall([ana]);
    await server.connectionDeleted(server.ownConnectionId!, 'forceDisconnected');
    await settle();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(0);
    // OpenTok disconnected itself (its own sessionDisconnectedHandler does).
    expect(disconnect.sdkCalls).toBe(1);
  });

  // docs/bindings.md, Vonage table: the reason of this client's own connection ending.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const cases: [reason: string, reported: string, expected: object][] = [
    ['forceDisconnected', 'forceDisconnected', { state: 'left', endReason: 'removed' }],
    ['networkDisconnected', 'networkDisconnected', CLOSED],
    ['networkTimedout', 'networkDisconnected', CLOSED],
    ['mediaIdle', 'mediaIdle', CLOSED],
    ['serverRotation', 'serverRotation', CLOSED],
    ['aReasonOfTheFuture', 'aReasonOfTheFuture', CLOSED],
  ];
  test('every sessionDisconnected reason, while joined and while reconnecting, as the mapping table says', async () => {
    for (const [reason, reported, expected] of cases) {
      for (const reconnecting of [false, true]) {
        const { otSession, server, session, disconnect } = await inCall([ana]);
        const reasons: string[] = [];
        otSession.on('sessionDisconnected', (event) => reasons.push(event.reason));
        if (reconnecting) session.send({ type: 'connection.lost' });
        await server.connectionDeleted(server.ownConnectionId!, reason);
        await settle();
        const label = `${reason}${reconnecting ? ' while reconnecting' : ''}`;
        expect(reasons, label).toEqual([reported]);
        expect({ state: session.state, endReason: session.endReason }, label).toEqual(expected);
        expect(disconnect.calls, label).toBe(0);
      }
    }
  });

  test('the app calling otSession.disconnect() itself is the user leaving (clientDisconnected)', async () => {
    const { otSession, session, status, disconnect } = await inCall([ana]);
    const reasons: string[] = [];
    otSession.on('sessionDisconnected', (event) => reasons.push(event.reason));
    otSession.disconnect();
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['clientDisconnected']);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(1);
  });
});

describe('the end, from the session', () => {
  test('leave(): otSession.disconnect() exactly once; its clientDisconnected adds nothing', async () => {
    const { otSession, session, status, disconnect } = await inCall([ana]);
    const reasons: string[] = [];
    otSession.on('sessionDisconnected', (event) => reasons.push(event.reason));
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(1);
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['clientDisconnected']);
    expect(isConnected(otSession)).toBe(false);
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(1);
  });

  test('leave() while still connecting: back to idle, disconnect() once, and the Session never reports connected', async () => {
    const { otSession, server } = createVonageSession();
    const { session, status } = recordedSession();
    const disconnect = spyOnDisconnect(otSession);
    bindVonageSession(otSession, session);
    session.join('standup');
    const connected: string[] = [];
    otSession.on('sessionConnected', () => connected.push('sessionConnected'));
    void connect(otSession);
    await server.socket(1);
    session.leave();
    expect(session.state).toBe('idle');
    expect(disconnect.calls).toBe(1);
    await settle(100);
    expect(connected).toEqual([]);
    expect(isConnected(otSession)).toBe(false);
    expect(status).toEqual([]);
    expect(disconnect.calls).toBe(1);
  });

  test('the idle timeout calls otSession.disconnect() once', async () => {
    const { otSession, session, status, disconnect, advance } = await inCall([], { idle: 5 });
    advance(4);
    expect(disconnect.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    expect(disconnect.calls).toBe(1);
    await until(() => !isConnected(otSession));
  });
});

describe('connect() with no network', () => {
  test('the session-info request fails (three tries): sessionConnectFailed, session.joinFailed, back to idle', async () => {
    const { otSession, server } = createVonageSession();
    const { session, status } = recordedSession();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    bindVonageSession(otSession, session);
    server.offline = true;
    refusedRequests.length = 0;
    session.join('standup');
    const error = (await connect(otSession)) as { name?: string } | undefined;
    expect(error?.name).toBe('OT_CONNECT_FAILED');
    expect(refusedRequests.filter((url) => url.startsWith('https://anvil.opentok.com/session/'))).toHaveLength(3);
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
  });
});

describe('unbind', () => {
  test('removes every listener on the Session and on the call session, and is idempotent', async () => {
    const { otSession, server } = createVonageSession();
    const before = listenerCounts(otSession, EVENTS);
    const { session, status } = recordedSession();
    const disconnect = spyOnDisconnect(otSession);
    const unbind = bindVonageSession(otSession, session);
    expect(listenerCounts(otSession, EVENTS)).not.toEqual(before);
    await connect(otSession);
    await settle();
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(listenerCounts(otSession, EVENTS)).toEqual(before);
    unbind();
    expect(listenerCounts(otSession, EVENTS)).toEqual(before);

    await server.connectionCreated(ana);
    await server.dropSocket();
    expect(session.state).toBe('joined.alone');
    session.leave();
    expect(disconnect.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('binding again', () => {
  test('unbound while people came and went, bound again: the session gets exactly the difference', async () => {
    const { otSession, server, session, people, unbind } = await inCall([ana]);
    unbind();
    await server.connectionCreated(bo);
    await server.connectionDeleted(ana.id, 'clientDisconnected');
    expect(session.participants).toEqual([{ pid: ana.id }]);
    bindVonageSession(otSession, session);
    expect(session.participants).toEqual([{ pid: bo.id }]);
    // The core sends the difference one participant event at a time: the list passes through empty.
    expect(people).toEqual([`left:${ana.id}`, 'list:', `joined:${bo.id}`, `list:${bo.id}`]);
  });
});

describe('bad input', () => {
  test('OT itself instead of a Session is a TypeError naming what is missing, and nothing is bound', () => {
    const { otSession } = createVonageSession();
    const before = listenerCounts(otSession, EVENTS);
    const { session } = recordedSession();
    const notASession = { initSession: () => otSession, version: 'v2.35.2' };
    expect(() => bindVonageSession(notASession as never, session)).toThrow(TypeError);
    expect(() => bindVonageSession(notASession as never, session)).toThrow(/bindVonageSession.*OT\.initSession/s);
    expect(() => bindVonageSession(otSession, session, { sessionId: '' })).toThrow(TypeError);
    expect(listenerCounts(otSession, EVENTS)).toEqual(before);
    expect(session.state).toBe('idle');
  });
});

describe('the @opentok/client internals the test helper drives', () => {
  test(`are those of @opentok/client ${OPENTOK_VERSION}`, () => {
    expect(installedOpenTokVersion()).toEqual({ packageJson: OPENTOK_VERSION, sdk: OPENTOK_VERSION });
  });
});
