// @vitest-environment happy-dom
// bindZoomClient on a real @zoom/videosdk client (SPEC §7), in happy-dom, with stand-ins
// for Zoom's side of the wire (test/support/zoomClient.ts): init(), join(), leave(),
// getAllUser() and every event are the SDK's own code, fed the RWG messages Zoom's server
// sends. Expected outcomes are written from SPEC §2/§7 and the mapping table of
// docs/bindings.md, not read from the binding.
import { describe, expect, test } from 'vitest';
import { bindZoomClient } from 'call-session-machine/zoom';
import { recordedSession } from '../support/bindingSession.js';
import {
  answerJoin,
  CONFERENCE_REASON,
  conferenceStatus,
  countingListeners,
  createZoomClient,
  installedZoomVersion,
  joinResponse,
  refusedRequests,
  rosterEntry,
  settle,
  spyOnLeave,
  startJoin,
  until,
  ZOOM_VIDEOSDK_VERSION,
  type RosterUser,
} from '../support/zoomClient.js';

const me: RosterUser = { id: 16778240, name: 'Me' };
const ana: RosterUser = { id: 16779264, name: 'Ana' };
const bo: RosterUser = { id: 16780288, name: 'Bo' };
const cy: RosterUser = { id: 16781312, name: 'Cy' };

/** A bound client whose `join()` has reached the open RWG socket. */
async function joining(periods?: { idle?: number; reconnect?: number }) {
  const { client, server } = await createZoomClient();
  const recorded = recordedSession(periods);
  const leave = spyOnLeave(client);
  const unbind = bindZoomClient(client, recorded.session, { sessionId: 'standup' });
  const attempt = await startJoin(client, server);
  return { client, server, leave, unbind, ...attempt, ...recorded };
}

/** …and in the session with `remotes`; records start empty after the join. */
async function inCall(remotes: readonly RosterUser[] = [], periods?: { idle?: number; reconnect?: number }) {
  const setup = await joining(periods);
  await setup.answer(me, remotes);
  setup.status.length = 0;
  setup.people.length = 0;
  return setup;
}

describe('joining', () => {
  test('join with people present: Connected comes before the roster; joined.accompanied with it, never this user', async () => {
    const { client, server, session, status, people, joined } = await joining();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    await server.deliver(4098, joinResponse(me.id));
    await settle();
    // Connected is out; the roster is not.
    expect(client.getSessionInfo().isInMeeting).toBe(true);
    expect(session.state).toBe('joining');
    await server.deliver(7937, { add: [me, ana, bo].map(rosterEntry) });
    await joined;
    await settle();
    expect(states).toEqual(['joining', 'joined.accompanied']);
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    expect(session.participants).toEqual([
      { uid: String(ana.id), name: 'Ana' },
      { uid: String(bo.id), name: 'Bo' },
    ]);
    expect(people).toEqual([`joined:${ana.id}`, `joined:${bo.id}`, `list:${ana.id},${bo.id}`]);
  });

  test('join alone: joined.alone, and the idle countdown runs', async () => {
    const { session, status, advance } = await inCall([], { idle: 10 });
    expect(session.state).toBe('joined.alone');
    advance(10);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('the session id defaults to the topic given to join()', async () => {
    const { client, server } = await createZoomClient();
    const { session } = recordedSession();
    bindZoomClient(client, session);
    const attempt = await startJoin(client, server, 'design-review');
    await attempt.answer(me, [ana]);
    expect(session.state).toBe('joined.accompanied');
    expect(session.actor.getSnapshot().context.sessionId).toBe('design-review');
  });

  test('the app joining the session first: joining until Connected and the roster, then joined', async () => {
    const { client, server } = await createZoomClient();
    const { session, status } = recordedSession();
    bindZoomClient(client, session);
    session.join('standup');
    const attempt = await startJoin(client, server);
    expect(session.state).toBe('joining');
    await attempt.answer(me, [ana]);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test('a client already in the session at bind time is caught up with getAllUser()', async () => {
    const { client, server } = await createZoomClient();
    const attempt = await startJoin(client, server);
    await attempt.answer(me, [ana]);
    const { session, status } = recordedSession();
    bindZoomClient(client, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ uid: String(ana.id), name: 'Ana' }]);
  });
});

describe('participants', () => {
  test("people joining and leaving; this user's own user-added / user-updated never count; a rename updates", async () => {
    const { server, session, people, status } = await inCall([ana]);
    await server.deliver(7937, { add: [rosterEntry(bo)] });
    expect(people).toEqual([`joined:${bo.id}`, `list:${ana.id},${bo.id}`]);
    // This user renamed, and a remote's video turned on: nothing for the session.
    await server.deliver(7937, {
      update: [
        { id: me.id, dn2: btoa('Me, renamed') },
        { id: bo.id, bVideoOn: true },
      ],
    });
    expect(people).toHaveLength(2);
    await server.deliver(7937, { update: [{ id: bo.id, dn2: btoa('Bo B.') }] });
    expect(session.participants).toEqual([
      { uid: String(ana.id), name: 'Ana' },
      { uid: String(bo.id), name: 'Bo B.' },
    ]);
    expect(people.slice(2)).toEqual([`list:${ana.id},${bo.id}`]);
    await server.deliver(7937, { remove: [{ id: ana.id }] });
    await server.deliver(7937, { remove: [{ id: bo.id }] });
    expect(session.state).toBe('joined.alone');
    expect(people.slice(3)).toEqual([`left:${ana.id}`, `list:${bo.id}`, `left:${bo.id}`, 'list:']);
    expect(status).toEqual([]);
  });

  test("a remote's own failover (removed from the roster, the reason dropped from the public payload) is a departure; their return an arrival", async () => {
    const { client, server, session, people } = await inCall([ana]);
    const removed: unknown[] = [];
    client.on('user-removed', (users: unknown[]) => removed.push(...users));
    await server.deliver(7937, { remove: [{ id: ana.id, action: 2, nUserStatus: 1 }] });
    expect(removed).toEqual([{ userId: ana.id, displayName: 'Ana', isHost: false }]);
    expect(session.state).toBe('joined.alone');
    await server.deliver(7937, { add: [rosterEntry(ana)] });
    expect(session.state).toBe('joined.accompanied');
    expect(people).toEqual([`left:${ana.id}`, 'list:', `joined:${ana.id}`, `list:${ana.id}`]);
  });
});

describe('reconnecting', () => {
  test('a failover that recovers: one lost/restored pair; Zoom rebuilds the roster silently, the resync reports who left and who came', async () => {
    const { client, server, session, status, people } = await inCall([ana, bo]);
    const changes: string[] = [];
    client.on('connection-change', (change: { state: string; reason?: string }) =>
      changes.push(`${change.state}${change.reason ? `:${change.reason}` : ''}`),
    );
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    await settle();
    expect(changes).toEqual(['Reconnecting:failover']);
    expect(session.state).toBe('reconnecting');
    // The SDK runs its join again: meeting info, ping, a new RWG socket, a new user id.
    await answerJoin(server, 2, { id: me.id + 1, name: 'Me' }, [ana, cy]);
    expect(changes).toEqual(['Reconnecting:failover', 'Connected']);
    expect(server.meetingInfoRequests).toBe(2);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([`joined:${cy.id}`, `left:${bo.id}`, `list:${ana.id},${cy.id}`]);
  });

  test("sent to the waiting room ('on hold', the conference status's waiting-room failover): lost, and restored when admitted", async () => {
    const { client, server, session, status } = await inCall([ana]);
    const changes: string[] = [];
    client.on('connection-change', (change: { state: string; reason?: string }) =>
      changes.push(`${change.state}${change.reason ? `:${change.reason}` : ''}`),
    );
    await server.deliver(7939, { reason: CONFERENCE_REASON.reconnect, subReason: 1 });
    expect(changes).toEqual(['Reconnecting:on hold']);
    expect(session.state).toBe('reconnecting');
    await answerJoin(server, 2, { id: me.id + 1, name: 'Me' }, [ana]);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('a failover alone keeps the idle countdown running, and the new user id is still this user', async () => {
    const { server, session, advance } = await inCall([], { idle: 10, reconnect: 0 });
    advance(4);
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    await settle();
    advance(2);
    await answerJoin(server, 2, { id: me.id + 1, name: 'Me' }, []);
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    advance(4);
    expect(session.state).toBe('timedOut');
  });

  test('a failover that gives up (the rejoin fails): Fail, closed, reason server, no leave() call', async () => {
    const { client, server, session, status, leave } = await inCall([ana]);
    const changes: string[] = [];
    client.on('connection-change', (change: { state: string }) => changes.push(change.state));
    server.offline = true;
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    await until(() => changes.length === 2);
    expect(changes).toEqual(['Reconnecting', 'Fail']);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(leave.calls).toBe(0);
  });

  test('the reconnect bound calls client.leave() once', async () => {
    const { server, session, leave, advance } = await inCall([ana], { reconnect: 5 });
    server.offline = true;
    // Keep the SDK's rejoin from failing before the bound: it waits on the meeting info.
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    expect(session.state).toBe('reconnecting');
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    expect(leave.calls).toBe(1);
  });
  test("the reconnect bound during a failover: Zoom's leave() cannot stop the rejoin, so the rejoined client is left again", async () => {
    const { client, server, session, leave, advance } = await inCall([ana], { reconnect: 5 });
    const changes: string[] = [];
    client.on('connection-change', (change: { state: string }) => changes.push(change.state));
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    expect(leave.calls).toBe(1);
    // The SDK goes on with its rejoin regardless: meeting info, ping, a new socket.
    const rejoined = await server.socket(2);
    await settle();
    rejoined.deliver(4098, joinResponse(me.id + 1));
    await settle();
    expect(changes).toEqual(['Reconnecting', 'Connected', 'Closed']);
    expect(leave.calls).toBe(2);
    expect(rejoined.closed).toBe(true);
    expect(client.getSessionInfo().isInMeeting).toBe(false);
    expect(session.state).toBe('closed');
  });
});

describe('the end, from Zoom', () => {
  test('removal by the host (kicked by host): onSessionLeft, reason removed, no leave() call', async () => {
    const { session, status, leave, server } = await inCall([ana]);
    await conferenceStatus(server, CONFERENCE_REASON.kickedByHost);
    await settle();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(0);
  });

  test('the host ending the session for everyone (ended by host): onConnectionClosed, reason server', async () => {
    const { session, status, leave, server } = await inCall([ana]);
    await conferenceStatus(server, CONFERENCE_REASON.endByHost);
    await settle();
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(leave.calls).toBe(0);
  });

  // docs/bindings.md, Zoom table: each conference-end reason the RWG sends, joined and reconnecting.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const REMOVED = { state: 'left', endReason: 'removed' };
  const USER = { state: 'left', endReason: 'user' };
  const reasons: [name: string, code: number, joined: object, reconnecting: object][] = [
    ['kicked by host', CONFERENCE_REASON.kickedByHost, REMOVED, REMOVED],
    ['bot user kicked due to master leaving', CONFERENCE_REASON.kickedDueToMasterLeave, REMOVED, REMOVED],
    ['duplicated session', CONFERENCE_REASON.duplicateSession, REMOVED, CLOSED],
    ['duplicated session (meeting transfer)', CONFERENCE_REASON.meetingTransfer, REMOVED, CLOSED],
    ['ended by host', CONFERENCE_REASON.endByHost, CLOSED, CLOSED],
    ['ended by host (by none)', CONFERENCE_REASON.endByNone, CLOSED, CLOSED],
    ['ended by host (by admin)', CONFERENCE_REASON.endByAdmin, CLOSED, CLOSED],
    ['free meeting ended', CONFERENCE_REASON.freeMeetingTimeout, CLOSED, CLOSED],
    ['RSGW ended', CONFERENCE_REASON.rsgwTimeout, CLOSED, CLOSED],
    ['archive failed', CONFERENCE_REASON.archiveFail, CLOSED, CLOSED],
    ['user request', CONFERENCE_REASON.userRequest, USER, USER],
    ['unknown reason: 42', 42, CLOSED, CLOSED],
  ];
  test('every Closed reason while joined, as the mapping table says', async () => {
    // One client joins again after each end (the SDK resets itself on Closed), each time
    // bound to a fresh session.
    const { client, server } = await createZoomClient();
    const leave = spyOnLeave(client);
    const seen: unknown[] = [];
    client.on('connection-change', (change: { state: string; reason?: unknown }) => {
      if (change.state === 'Closed') seen.push(change.reason);
    });
    for (const [name, code, whileJoined] of reasons) {
      const { session } = recordedSession();
      const unbind = bindZoomClient(client, session);
      const attempt = await startJoin(client, server);
      await attempt.answer(me, [ana]);
      expect(session.state, name).toBe('joined.accompanied');
      seen.length = 0;
      await conferenceStatus(server, code);
      expect(seen, name).toEqual([name.replace(/ \(.*\)$/, '')]);
      expect({ state: session.state, endReason: session.endReason }, name).toEqual(whileJoined);
      expect(leave.calls, name).toBe(0);
      unbind();
    }
  });

  test('every Closed reason while reconnecting: a duplicated session is the lost call colliding with itself, closed', async () => {
    const { client, server } = await createZoomClient();
    const leave = spyOnLeave(client);
    for (const [name, code, , whileReconnecting] of reasons) {
      const { session } = recordedSession();
      const unbind = bindZoomClient(client, session);
      const attempt = await startJoin(client, server);
      await attempt.answer(me, [ana]);
      // The session's own view of a lost connection (Zoom still connected), then the end.
      session.send({ type: 'connection.lost' });
      await conferenceStatus(server, code);
      expect({ state: session.state, endReason: session.endReason }, name).toEqual(whileReconnecting);
      expect(leave.calls, name).toBe(0);
      unbind();
    }
  });

  test('the app calling client.leave() itself is the user leaving (Closed without a reason)', async () => {
    const { client, session, status, leave } = await inCall([ana]);
    const seen: unknown[] = [];
    client.on('connection-change', (change: unknown) => seen.push(change));
    await client.leave();
    expect(seen).toEqual([{ state: 'Closed' }]);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(1);
  });
});

describe('the end, from the session', () => {
  test('leave(): client.leave() exactly once; its Closed adds nothing', async () => {
    const { client, session, status, leave } = await inCall([ana]);
    const seen: string[] = [];
    client.on('connection-change', (change: { state: string }) => seen.push(change.state));
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(1);
    await settle();
    expect(seen).toEqual(['Closed']);
    expect(client.getSessionInfo().isInMeeting).toBe(false);
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(1);
  });

  test('leave() while still joining: back to idle, client.leave() once, and the join() promise is cancelled', async () => {
    const { client, server } = await createZoomClient();
    const { session, status } = recordedSession();
    const leave = spyOnLeave(client);
    bindZoomClient(client, session);
    session.join('standup');
    const attempt = await startJoin(client, server);
    session.leave();
    expect(session.state).toBe('idle');
    expect(leave.calls).toBe(1);
    await expect(attempt.joined).rejects.toMatchObject({ type: 'OPERATION_CANCELLED', reason: 'LEAVING_MEETING' });
    expect(status).toEqual([]);
    expect(leave.calls).toBe(1);
  });

  test('the idle timeout calls client.leave() once', async () => {
    const { client, session, status, leave, advance } = await inCall([], { idle: 5 });
    advance(4);
    expect(leave.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    expect(leave.calls).toBe(1);
    await settle();
    expect(client.getSessionInfo().isInMeeting).toBe(false);
  });
});

describe('join() with no network', () => {
  test('the meeting-info request fails: Fail "connection error", session.joinFailed, back to idle without a callback', async () => {
    const { client, server } = await createZoomClient();
    const { session, status } = recordedSession();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    bindZoomClient(client, session);
    server.offline = true;
    refusedRequests.length = 0;
    session.join('standup');
    const changes: unknown[] = [];
    client.on('connection-change', (change: unknown) => changes.push(change));
    await expect(client.join('standup', 'a.b.c', 'Me')).rejects.toMatchObject({ type: 'JOIN_MEETING_FAILED' });
    expect(changes).toEqual([{ state: 'Fail', reason: 'connection error', errorCode: 200 }]);
    expect(refusedRequests).toContain('https://zoom.test/wc/lsdk');
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
  });
});

describe('unbind', () => {
  test('removes every listener on the client and on the session, and is idempotent', async () => {
    const { client, server } = await createZoomClient();
    const counting = countingListeners(client);
    const { session, status } = recordedSession();
    const leave = spyOnLeave(client);
    const unbind = bindZoomClient(client, session);
    expect(counting.counts()).toEqual({
      'connection-change': 1,
      'user-added': 1,
      'user-updated': 1,
      'user-removed': 1,
    });
    const attempt = await startJoin(client, server);
    await attempt.answer(me, []);
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(counting.counts()).toEqual({});
    unbind();
    expect(counting.counts()).toEqual({});

    await server.deliver(7937, { add: [rosterEntry(ana)] });
    await conferenceStatus(server, CONFERENCE_REASON.reconnect);
    await settle();
    expect(session.state).toBe('joined.alone');
    session.leave();
    expect(leave.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('binding again', () => {
  test('unbound while people came and went, bound again: the session gets exactly the difference', async () => {
    const { client, server, session, people, unbind } = await inCall([ana]);
    unbind();
    await server.deliver(7937, { add: [rosterEntry(bo)] });
    await server.deliver(7937, { remove: [{ id: ana.id }] });
    expect(session.participants).toEqual([{ uid: String(ana.id), name: 'Ana' }]);
    bindZoomClient(client, session);
    expect(session.participants).toEqual([{ uid: String(bo.id), name: 'Bo' }]);
    // The core sends the difference one participant event at a time: the list passes through empty.
    expect(people).toEqual([`left:${ana.id}`, 'list:', `joined:${bo.id}`, `list:${bo.id}`]);
  });
});

describe('bad input', () => {
  test('ZoomVideo itself instead of a client is a TypeError naming what is missing, and nothing is bound', async () => {
    const { client } = await createZoomClient();
    const counting = countingListeners(client);
    const { session } = recordedSession();
    const notAClient = { createClient: () => client, VERSION: '2.5.0' };
    expect(() => bindZoomClient(notAClient as never, session)).toThrow(TypeError);
    expect(() => bindZoomClient(notAClient as never, session)).toThrow(/bindZoomClient.*ZoomVideo\.createClient\(\)/s);
    expect(() => bindZoomClient(client, session, { sessionId: '' })).toThrow(TypeError);
    expect(counting.counts()).toEqual({});
    expect(session.state).toBe('idle');
  });
});

describe('the @zoom/videosdk internals the test helper drives', () => {
  test(`are those of @zoom/videosdk ${ZOOM_VIDEOSDK_VERSION}`, () => {
    expect(installedZoomVersion()).toEqual({ packageJson: ZOOM_VIDEOSDK_VERSION, sdk: ZOOM_VIDEOSDK_VERSION });
  });
});
