// bindLiveKitRoom on a real livekit-client Room (SPEC §7). The Room is driven through its
// own engine events (test/support/livekitRoom.ts), so every RoomEvent the binding hears
// comes from livekit-client's own code. Expected outcomes are written from SPEC §2/§7 and
// the mapping table of docs/bindings.md, not read from the binding.
import { ConnectionState, type Room } from 'livekit-client';
import { describe, expect, test } from 'vitest';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { recordedSession } from '../support/bindingSession.js';
import {
  connectRoom,
  createLiveKitRoom,
  describeInternals,
  engineDisconnected,
  finishConnecting,
  finishFullReconnect,
  finishResume,
  installedLiveKitVersion,
  LIVEKIT_CLIENT_VERSION,
  participantInfo,
  participantLeaves,
  participantUpdate,
  roomListenerCounts,
  roomMoved,
  settle,
  spyOnDisconnect,
  startConnecting,
  startFullReconnect,
  startResume,
} from '../support/livekitRoom.js';

const ana = participantInfo('ana', 'Ana');
const bo = participantInfo('bo', 'Bo');
const cy = participantInfo('cy', 'Cy');

/** A Room bound to a fresh recorded session; the Room is not connected yet. */
function bound(periods?: { idle?: number; reconnect?: number }) {
  const room = createLiveKitRoom();
  const recorded = recordedSession(periods);
  const disconnect = spyOnDisconnect(room);
  const unbind = bindLiveKitRoom(room, recorded.session, { sessionId: 'standup' });
  return { room, disconnect, unbind, ...recorded };
}

/** Bound and connected with `others` present; the records start empty after that. */
function inCall(others: Parameters<typeof connectRoom>[1] = [], periods?: { idle?: number; reconnect?: number }) {
  const setup = bound(periods);
  connectRoom(setup.room, others);
  setup.status.length = 0;
  setup.people.length = 0;
  return setup;
}

describe('joining', () => {
  test('join with people present: joined.accompanied with the remote participants, keyed by identity, never the local one', () => {
    const { room, session, status, people } = bound();
    startConnecting(room);
    expect(session.state).toBe('joining');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    finishConnecting(room, [ana, bo], 'me');

    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([
      { uid: 'ana', name: 'Ana' },
      { uid: 'bo', name: 'Bo' },
    ]);
    expect(people).toEqual(['joined:ana', 'joined:bo', 'list:ana,bo']);
  });

  test('join alone: joined.alone, and the idle countdown runs', () => {
    const { room, session, status, advance } = bound({ idle: 10 });
    connectRoom(room, []);
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    advance(10);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('a Room already connected at bind time: the binding sends join and joined with room.remoteParticipants', () => {
    const room = createLiveKitRoom();
    connectRoom(room, [ana]);
    const { session, status } = recordedSession();
    bindLiveKitRoom(room, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ uid: 'ana', name: 'Ana' }]);
  });

  test('without a sessionId option the session is joined under the room name the Room has', () => {
    const room = createLiveKitRoom();
    const { session } = recordedSession();
    bindLiveKitRoom(room, session);
    startConnecting(room);
    // Before the JoinResponse a Room has no name (room.name is '').
    expect(room.name).toBe('');
    expect(session.actor.getSnapshot().context.sessionId).toBe('livekit');
  });
});

describe('participants', () => {
  test('people joining and leaving: callbacks per person, the departure one microtask after the Room event', async () => {
    const { room, session, people, status } = inCall([ana]);
    participantUpdate(room, bo);
    expect(people).toEqual(['joined:bo', 'list:ana,bo']);

    participantLeaves(room, 'ana');
    expect(room.remoteParticipants.has('ana')).toBe(false);
    await Promise.resolve();
    expect(people).toEqual(['joined:bo', 'list:ana,bo', 'left:ana', 'list:bo']);

    participantLeaves(room, 'bo');
    await Promise.resolve();
    expect(session.state).toBe('joined.alone');
    expect(people.slice(-2)).toEqual(['left:bo', 'list:']);
    expect(status).toEqual([]);
  });

  test('a sid rewritten in place (same identity) is the same participant: no join, no leave', async () => {
    const { room, session, people } = inCall([ana]);
    participantUpdate(room, participantInfo('ana', 'Ana', 'PA_ana_second'));
    await settle();
    expect(room.remoteParticipants.get('ana')?.sid).toBe('PA_ana_second');
    expect(people).toEqual([]);
    expect(session.participants).toEqual([{ uid: 'ana', name: 'Ana' }]);
  });

  test('a remote name change updates the entry; the local participant is never sent', async () => {
    const { room, session, people } = inCall([ana]);
    participantUpdate(room, participantInfo('ana', 'Ana B.'));
    // The server's update of the local participant goes to room.localParticipant.
    participantUpdate(room, participantInfo('me', 'Me, renamed', room.localParticipant.sid));
    await settle();
    expect(room.localParticipant.name).toBe('Me, renamed');
    expect(people).toEqual(['list:ana']);
    expect(session.participants).toEqual([{ uid: 'ana', name: 'Ana B.' }]);
    expect(session.participants.some((p) => p.uid === 'me')).toBe(false);
  });
});

describe('a room move', () => {
  test('moved to another room (RoomMoved re-announces everyone while connected): only the real difference is reported', async () => {
    const { room, session, status, people } = inCall([ana, bo]);
    roomMoved(room, 'breakout', [bo, cy]);
    expect(room.name).toBe('breakout');
    await settle();
    expect(status).toEqual([]);
    expect(people).toEqual(['left:ana', 'list:bo', 'joined:cy', 'list:bo,cy']);
    expect(session.participants.map((p) => p.uid)).toEqual(['bo', 'cy']);
  });
});

describe('reconnecting', () => {
  test('a full reconnect that recovers: the Room floods ParticipantDisconnected, the app sees one lost/restored pair and nobody leaving', async () => {
    const { room, session, status, people } = inCall([ana, bo]);
    const floodSeen: string[] = [];
    room.on('participantDisconnected', (p) => floodSeen.push(`${p.identity}@${room.state}`));

    startFullReconnect(room);
    // The trap, as the Room produces it: every remote "disconnects" while still connected.
    expect(floodSeen).toEqual(['ana@connected', 'bo@connected']);
    expect(session.state).toBe('reconnecting');
    await finishFullReconnect(room, [ana, bo]);

    expect(room.state).toBe(ConnectionState.Connected);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([]);
    expect(session.participants).toEqual([
      { uid: 'ana', name: 'Ana' },
      { uid: 'bo', name: 'Bo' },
    ]);
  });

  test('a full reconnect after which someone is gone and someone new is there: the resync reports exactly that difference', async () => {
    const { room, session, status, people } = inCall([ana, bo]);
    startFullReconnect(room);
    await finishFullReconnect(room, [bo, cy]);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual(['joined:cy', 'left:ana', 'list:bo,cy']);
    expect(session.participants.map((p) => p.uid)).toEqual(['bo', 'cy']);
  });

  test('a signal resume (SignalReconnecting) is one lost/restored pair too, and its escalation to a full reconnect does not add a second', async () => {
    const { room, status, people } = inCall([ana]);
    startResume(room);
    expect(room.state).toBe(ConnectionState.SignalReconnecting);
    finishResume(room);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);

    status.length = 0;
    startResume(room);
    startFullReconnect(room);
    await finishFullReconnect(room, [ana]);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([]);
  });

  test('a reconnect that gives up: Disconnected without a reason closes the session, and the binding does not call back into the Room', () => {
    const { room, session, status, disconnect } = inCall([ana]);
    startFullReconnect(room);
    engineDisconnected(room, undefined);
    expect(room.state).toBe(ConnectionState.Disconnected);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
  });

  test('the reconnect bound: the session gives up first and disconnects the Room once', async () => {
    const { room, session, status, disconnect, advance } = inCall([ana], { reconnect: 5 });
    startFullReconnect(room);
    advance(5);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe(ConnectionState.Disconnected);
  });
});

describe('the end, from the Room', () => {
  test('removal by the host (PARTICIPANT_REMOVED): onSessionLeft, reason removed, no disconnect() call', () => {
    const { room, session, status, disconnect } = inCall([ana]);
    engineDisconnected(room, 4);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(0);
  });

  test('a Room that reconnects on its own after PARTICIPANT_REMOVED (client-sdk-js#1216) is disconnected once; the session stays left', async () => {
    const { room, session, status, disconnect } = inCall([ana]);
    engineDisconnected(room, 4);
    expect(session.endReason).toBe('removed');
    // A resume already under way when the server's leave came in brings the Room back.
    startResume(room);
    finishResume(room);
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
  });

  test('a server-side end (ROOM_DELETED): onConnectionClosed, reason server, no disconnect() call', () => {
    const { room, session, status, disconnect } = inCall([ana]);
    engineDisconnected(room, 5);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
  });

  // docs/bindings.md, LiveKit table: what each DisconnectReason (0–16, and none) means.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const REMOVED = { state: 'left', endReason: 'removed' };
  const LEFT = { state: 'left', endReason: 'user' };
  const expected: [reason: number | undefined, name: string, joined: object, reconnecting: object][] = [
    [0, 'UNKNOWN_REASON', CLOSED, CLOSED],
    [1, 'CLIENT_INITIATED (the app called room.disconnect())', LEFT, LEFT],
    [2, 'DUPLICATE_IDENTITY', REMOVED, CLOSED],
    [3, 'SERVER_SHUTDOWN', CLOSED, CLOSED],
    [4, 'PARTICIPANT_REMOVED', REMOVED, REMOVED],
    [5, 'ROOM_DELETED', CLOSED, CLOSED],
    [6, 'STATE_MISMATCH', CLOSED, CLOSED],
    [7, 'JOIN_FAILURE', CLOSED, CLOSED],
    [8, 'MIGRATION', CLOSED, CLOSED],
    [9, 'SIGNAL_CLOSE', CLOSED, CLOSED],
    [10, 'ROOM_CLOSED', CLOSED, CLOSED],
    [11, 'USER_UNAVAILABLE', CLOSED, CLOSED],
    [12, 'USER_REJECTED', CLOSED, CLOSED],
    [13, 'SIP_TRUNK_FAILURE', CLOSED, CLOSED],
    [14, 'CONNECTION_TIMEOUT', CLOSED, CLOSED],
    [15, 'MEDIA_FAILURE', CLOSED, CLOSED],
    [16, 'AGENT_ERROR', CLOSED, CLOSED],
    [undefined, 'no reason (gave up reconnecting)', CLOSED, CLOSED],
  ];

  test('every DisconnectReason, while joined, while reconnecting and while joining, as the mapping table says', () => {
    for (const [reason, name, whileJoined, whileReconnecting] of expected) {
      const joined = inCall([ana]);
      engineDisconnected(joined.room, reason as never);
      expect({ state: joined.session.state, endReason: joined.session.endReason }, `${name} while joined`).toEqual(
        whileJoined,
      );
      expect(joined.disconnect.calls, `${name} while joined`).toBe(0);

      const reconnecting = inCall([ana]);
      startFullReconnect(reconnecting.room);
      engineDisconnected(reconnecting.room, reason as never);
      expect(
        { state: reconnecting.session.state, endReason: reconnecting.session.endReason },
        `${name} while reconnecting`,
      ).toEqual(whileReconnecting);

      const joining = bound();
      startConnecting(joining.room);
      engineDisconnected(joining.room, reason as never);
      expect(joining.session.state, `${name} while joining`).toBe('idle');
      expect(joining.status, `${name} while joining`).toEqual([]);
      expect(joining.disconnect.calls, `${name} while joining`).toBe(0);
    }
  });
});

describe('the end, from the session', () => {
  test('leave(): the Room is disconnected exactly once, and its own Disconnected adds nothing', async () => {
    const { room, session, status, disconnect } = inCall([ana]);
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe(ConnectionState.Disconnected);
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
  });

  test('leave() while still joining: back to idle, and the connection attempt is disconnected once', async () => {
    const { room, session, status, disconnect } = bound();
    startConnecting(room);
    session.leave();
    expect(session.state).toBe('idle');
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe(ConnectionState.Disconnected);
    expect(status).toEqual([]);
  });

  test('the app disconnecting the Room itself is the user leaving; the binding does not call disconnect() again', async () => {
    const { room, session, status, disconnect } = inCall([ana]);
    await room.disconnect();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(disconnect.calls).toBe(1);
  });

  test('the idle timeout disconnects the Room once', async () => {
    const { room, session, status, disconnect, advance } = inCall([], { idle: 5 });
    advance(4);
    expect(disconnect.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe(ConnectionState.Disconnected);
    advance(60);
    expect(disconnect.calls).toBe(1);
  });
});

describe('unbind', () => {
  test('removes every listener on the Room and on the session, and is idempotent', async () => {
    const room = createLiveKitRoom();
    const before = roomListenerCounts(room);
    const { session, status } = recordedSession({ idle: 5 });
    const disconnect = spyOnDisconnect(room);
    const unbind = bindLiveKitRoom(room, session);
    expect(roomListenerCounts(room)).not.toEqual(before);
    connectRoom(room, []);
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(roomListenerCounts(room)).toEqual(before);
    unbind();
    expect(roomListenerCounts(room)).toEqual(before);

    // Nothing from the Room reaches the session any more…
    participantUpdate(room, ana);
    engineDisconnected(room, 5);
    await settle();
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    // …and nothing from the session reaches the Room: the session listener is gone.
    const fresh = createLiveKitRoom();
    connectRoom(fresh, []);
    const freshSpy = spyOnDisconnect(fresh);
    const { session: other } = recordedSession();
    bindLiveKitRoom(fresh, other)();
    other.leave();
    session.leave();
    await settle();
    expect(disconnect.calls).toBe(0);
    expect(freshSpy.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });

  test('a departure held for the flood check is not delivered after unbind', async () => {
    const { room, session, unbind, people } = inCall([ana]);
    participantLeaves(room, 'ana');
    unbind();
    await settle();
    expect(people).toEqual([]);
    expect(session.participants).toEqual([{ uid: 'ana', name: 'Ana' }]);
  });
});

describe('bad options', () => {
  test('an empty sessionId is a TypeError at bind time, and nothing is bound', () => {
    const room = createLiveKitRoom();
    const before = roomListenerCounts(room);
    const { session } = recordedSession();
    expect(() => bindLiveKitRoom(room, session, { sessionId: '' })).toThrow(TypeError);
    expect(roomListenerCounts(room)).toEqual(before);
    connectRoom(room, [ana]);
    expect(session.state).toBe('idle');
  });
});

describe('the livekit-client internals the test helper drives', () => {
  test(`are those of livekit-client ${LIVEKIT_CLIENT_VERSION}`, () => {
    expect(installedLiveKitVersion()).toBe(LIVEKIT_CLIENT_VERSION);
    const room: Room = createLiveKitRoom();
    const described = describeInternals(room);
    expect(described).toEqual({
      setAndEmitConnectionState: 'function',
      applyJoinResponse: 'function',
      engineEmit: 'function',
      'engine listens to participantUpdate': true,
      'engine listens to restarting': true,
      'engine listens to signalRestarted': true,
      'engine listens to restarted': true,
      'engine listens to resuming': true,
      'engine listens to resumed': true,
      'engine listens to disconnected': true,
      'engine listens to roomMoved': true,
    });
  });
});
