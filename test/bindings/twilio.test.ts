// bindTwilioRoom on a real twilio-video Room (SPEC §7), built on a real RoomSignaling
// (test/support/twilioRoom.ts), so every Room event the binding hears comes from
// twilio-video's own code. Expected outcomes are written from SPEC §2/§7 and the
// mapping table of docs/bindings.md, not read from the binding.
import { describe, expect, test } from 'vitest';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { recordedSession } from '../support/bindingSession.js';
import {
  createTwilioRoom,
  describeInternals,
  finishReconnecting,
  installedTwilioVersion,
  participantConnects,
  participantDisconnects,
  pendingConnect,
  roomListenerCounts,
  settle,
  signalingDisconnected,
  spyOnDisconnect,
  startReconnecting,
  TWILIO_VIDEO_VERSION,
  twilioError,
} from '../support/twilioRoom.js';

type Others = Parameters<typeof createTwilioRoom>[0];

/** A connected Room bound to a fresh recorded session; records start empty after the join. */
async function inCall(others: Others = [], periods?: { idle?: number; reconnect?: number }) {
  const { room, signaling } = await createTwilioRoom(others);
  const recorded = recordedSession(periods);
  const disconnect = spyOnDisconnect(room);
  const unbind = bindTwilioRoom(room, recorded.session);
  const joinedWith = { status: [...recorded.status], people: [...recorded.people] };
  recorded.status.length = 0;
  recorded.people.length = 0;
  return { room, signaling, disconnect, unbind, joinedWith, ...recorded };
}

describe('joining', () => {
  test('join with people present: bound to a connected Room, the session joins accompanied, keyed by identity', async () => {
    const { session, joinedWith, room } = await inCall([
      ['PA_ana', 'ana'],
      ['PA_bo', 'bo'],
    ]);
    expect(room.state).toBe('connected');
    expect(session.state).toBe('joined.accompanied');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    expect(joinedWith.status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ uid: 'ana' }, { uid: 'bo' }]);
    expect(joinedWith.people).toEqual(['joined:ana', 'joined:bo', 'list:ana,bo']);
    expect(session.participants.some((p) => p.uid === 'me')).toBe(false);
  });

  test('join alone: joined.alone, and the idle countdown runs', async () => {
    const { session, joinedWith, status, advance } = await inCall([], { idle: 10 });
    expect(session.state).toBe('joined.alone');
    expect(joinedWith.status).toEqual(['onSessionJoined@joined.alone']);
    advance(10);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test("given connect()'s promise: joining at once, joined with the Room's participants when it resolves", async () => {
    const pending = pendingConnect();
    const { session, status } = recordedSession();
    bindTwilioRoom(pending.promise, session, { sessionId: 'daily-sync' });
    expect(session.state).toBe('joining');
    expect(session.actor.getSnapshot().context.sessionId).toBe('daily-sync');

    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    pending.resolve(room);
    await settle();
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ uid: 'ana' }]);
  });

  test("connect()'s promise rejecting: session.joinFailed, back to idle without a callback", async () => {
    const pending = pendingConnect();
    const { session, status } = recordedSession();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    bindTwilioRoom(pending.promise, session);
    pending.reject(twilioError(20104));
    await settle();
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
  });
});

describe('participants', () => {
  test('people joining and leaving', async () => {
    const { signaling, session, people, status } = await inCall([['PA_ana', 'ana']]);
    participantConnects(signaling, 'PA_bo', 'bo');
    expect(people).toEqual(['joined:bo', 'list:ana,bo']);
    participantDisconnects(signaling, 'PA_ana');
    expect(people.slice(2)).toEqual(['left:ana', 'list:bo']);
    participantDisconnects(signaling, 'PA_bo');
    expect(session.state).toBe('joined.alone');
    expect(people.slice(4)).toEqual(['left:bo', 'list:']);
    expect(status).toEqual([]);
  });

  test('a duplicate-identity handover (new sid connects before the old one leaves) keeps the participant', async () => {
    const { signaling, session, people } = await inCall([['PA_ana_1', 'ana']]);
    participantConnects(signaling, 'PA_ana_2', 'ana');
    participantDisconnects(signaling, 'PA_ana_1');
    expect(session.participants).toEqual([{ uid: 'ana' }]);
    expect(session.state).toBe('joined.accompanied');
    expect(people).toEqual([]);
  });
});

describe('reconnecting', () => {
  test('a reconnect that recovers: one lost/restored pair, and the resync reports who left meanwhile', async () => {
    const { signaling, session, status, people } = await inCall([
      ['PA_ana', 'ana'],
      ['PA_bo', 'bo'],
    ]);
    await startReconnecting(signaling, 'signaling');
    expect(session.state).toBe('reconnecting');
    // The server's view after the resync: bo is gone.
    participantDisconnects(signaling, 'PA_bo');
    await finishReconnecting(signaling);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual(['left:bo', 'list:ana']);
  });

  test('a media reconnect (53405) is a lost/restored pair too', async () => {
    const { signaling, status, people } = await inCall([['PA_ana', 'ana']]);
    await startReconnecting(signaling, 'media');
    await finishReconnecting(signaling);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([]);
  });

  test('a reconnect that gives up (the signaling ends with 53001): closed, and no disconnect() call', async () => {
    const { room, signaling, session, status, disconnect } = await inCall([['PA_ana', 'ana']]);
    await startReconnecting(signaling, 'signaling');
    signalingDisconnected(signaling, twilioError(53001));
    expect(room.state).toBe('disconnected');
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
  });

  test('the reconnect bound disconnects the Room once', async () => {
    const { room, signaling, session, disconnect, advance } = await inCall([['PA_ana', 'ana']], { reconnect: 5 });
    await startReconnecting(signaling);
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
  });
});

describe('the end, from the Room', () => {
  test('removal by the host: disconnected with a null error, not requested by the binding, is session.removed', async () => {
    const { signaling, session, status, disconnect } = await inCall([['PA_ana', 'ana']]);
    signalingDisconnected(signaling, null);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(disconnect.calls).toBe(0);
  });

  test("the app's own room.disconnect() (as on beforeunload) is the user leaving, not a removal: onSessionLeft with reason user, no second disconnect()", async () => {
    const { room, session, status, disconnect } = await inCall([['PA_ana', 'ana']]);
    room.disconnect();
    expect(room.state).toBe('disconnected');
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(disconnect.calls).toBe(1);
  });

  test("the app's own room.disconnect() while reconnecting is the user leaving too", async () => {
    const { room, signaling, session, disconnect } = await inCall([['PA_ana', 'ana']]);
    await startReconnecting(signaling);
    room.disconnect();
    expect(session.endReason).toBe('user');
    expect(disconnect.calls).toBe(1);
  });

  test('a server-side end (53118 room completed): closed, reason server', async () => {
    const { signaling, session, status, disconnect } = await inCall([['PA_ana', 'ana']]);
    signalingDisconnected(signaling, twilioError(53118));
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
  });

  // docs/bindings.md, Twilio table.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const REMOVED = { state: 'left', endReason: 'removed' };
  const cases: [error: number | null, joined: object, reconnecting: object][] = [
    [null, REMOVED, REMOVED],
    [53205, REMOVED, CLOSED],
    [53118, CLOSED, CLOSED],
    [53000, CLOSED, CLOSED],
    [53001, CLOSED, CLOSED],
    [53002, CLOSED, CLOSED],
    [53405, CLOSED, CLOSED],
    [53407, CLOSED, CLOSED],
    [20104, CLOSED, CLOSED],
    [53204, CLOSED, CLOSED],
  ];
  test('the documented error codes, while joined and while reconnecting, as the mapping table says', async () => {
    for (const [code, whileJoined, whileReconnecting] of cases) {
      const error = code === null ? null : twilioError(code);
      if (error) expect(error.code).toBe(code);
      const joined = await inCall([['PA_ana', 'ana']]);
      signalingDisconnected(joined.signaling, error);
      expect({ state: joined.session.state, endReason: joined.session.endReason }, `${code} while joined`).toEqual(
        whileJoined,
      );

      const reconnecting = await inCall([['PA_ana', 'ana']]);
      await startReconnecting(reconnecting.signaling);
      signalingDisconnected(reconnecting.signaling, error);
      expect(
        { state: reconnecting.session.state, endReason: reconnecting.session.endReason },
        `${code} while reconnecting`,
      ).toEqual(whileReconnecting);
      expect(joined.disconnect.calls + reconnecting.disconnect.calls).toBe(0);
    }
  });
});

describe('the end, from the session', () => {
  test('leave(): room.disconnect() exactly once, and the null-error disconnected it causes is not a removal', async () => {
    const { room, session, status, disconnect } = await inCall([['PA_ana', 'ana']]);
    session.leave();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(disconnect.calls).toBe(1);
  });

  test("leave() while connect()'s promise is pending: the attempt is cancelled once, the session is idle", async () => {
    const pending = pendingConnect();
    const { session, status } = recordedSession();
    bindTwilioRoom(pending.promise, session);
    session.leave();
    expect(session.state).toBe('idle');
    expect(pending.cancelCalls).toBe(1);
    await settle();
    expect(session.state).toBe('idle');
    expect(status).toEqual([]);
  });

  test('a Room that arrives after leave() (the cancel came too late) is disconnected, once', async () => {
    const pending = pendingConnect();
    const { session } = recordedSession();
    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    const disconnect = spyOnDisconnect(room);
    // The promise is already resolving when the user leaves: cancel() no longer rejects it.
    pending.resolve(room);
    bindTwilioRoom(pending.promise, session);
    session.leave();
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
    expect(session.state).toBe('idle');
  });

  test('the idle timeout disconnects the Room once', async () => {
    const { room, session, disconnect, advance, status } = await inCall([], { idle: 5 });
    advance(4);
    expect(disconnect.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
  });
});

describe('unbind', () => {
  test('removes every listener on the Room and on the session, and is idempotent', async () => {
    const { room, signaling } = await createTwilioRoom([['PA_ana', 'ana']]);
    const before = roomListenerCounts(room);
    const { session, status } = recordedSession();
    const disconnect = spyOnDisconnect(room);
    const unbind = bindTwilioRoom(room, session);
    expect(roomListenerCounts(room)).not.toEqual(before);
    unbind();
    expect(roomListenerCounts(room)).toEqual(before);
    unbind();
    expect(roomListenerCounts(room)).toEqual(before);

    participantConnects(signaling, 'PA_bo', 'bo');
    await startReconnecting(signaling);
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([{ uid: 'ana' }]);
    session.leave();
    expect(disconnect.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.accompanied', 'onSessionLeft@left']);
  });

  test("unbound before connect()'s promise settles: nothing is sent when it does, and the Room it delivers is disconnected", async () => {
    const pending = pendingConnect();
    const { session } = recordedSession();
    const unbind = bindTwilioRoom(pending.promise, session);
    unbind();
    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    const disconnect = spyOnDisconnect(room);
    pending.resolve(room);
    await settle();
    expect(session.state).toBe('joining');
    expect(session.participants).toEqual([]);
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
  });
});

describe('bad options', () => {
  test('an empty sessionId is a TypeError at bind time, and nothing is bound', async () => {
    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    const before = roomListenerCounts(room);
    const { session } = recordedSession();
    expect(() => bindTwilioRoom(room, session, { sessionId: '' })).toThrow(TypeError);
    expect(roomListenerCounts(room)).toEqual(before);
    expect(session.state).toBe('idle');
  });
});

describe('the twilio-video internals the test helper drives', () => {
  test(`are those of twilio-video ${TWILIO_VIDEO_VERSION}`, () => {
    expect(installedTwilioVersion()).toBe(TWILIO_VIDEO_VERSION);
    expect(describeInternals()).toEqual({
      Room: 'function',
      LocalParticipant: 'function',
      LocalParticipantSignaling: 'function',
      RemoteParticipantSignaling: 'function',
      RoomSignaling: 'function',
      CancelablePromise: 'function',
      errors: 'object',
      'RoomSignaling#preempt': 'function',
      'RoomSignaling#_disconnect': 'function',
      'RoomSignaling#connectParticipant': 'function',
      'createTwilioError(53205).code': '53205',
      'createTwilioError(53118).code': '53118',
    });
  });
});
