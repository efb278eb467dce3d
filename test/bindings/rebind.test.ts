// Binding late or again (issue 16, faults 3 and 5), LiveKit and Twilio: a session bound to
// an SDK object that is already on its way is brought in step with the object's present
// state. What changed while nobody listened (people came and went, the connection
// dropped or came back, the server ended the call) reaches the session as the events it
// would have had; an object that has already ended its call ends the session. Daily's are
// in rebind.daily.test.ts (it needs happy-dom).
import { describe, expect, test } from 'vitest';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { pendingTimers } from '../support/status.js';
import { recordedSession } from '../support/bindingSession.js';
import {
  connectRoom,
  createLiveKitRoom,
  engineDisconnected,
  finishResume,
  participantInfo,
  participantLeaves,
  participantUpdate,
  settle as settleLiveKit,
  spyOnDisconnect,
  startResume,
} from '../support/livekitRoom.js';
import {
  createTwilioRoom,
  finishReconnecting,
  participantConnects,
  participantDisconnects,
  pendingConnect,
  settle,
  signalingDisconnected,
  spyOnDisconnect as spyOnTwilioDisconnect,
  startReconnecting,
  twilioError,
} from '../support/twilioRoom.js';

/** Recorded session bound to a connected LiveKit Room with `identities`; records emptied. */
function liveKitCall(identities: string[]) {
  const room = createLiveKitRoom();
  const disconnect = spyOnDisconnect(room);
  const recorded = recordedSession({ idle: 30, reconnect: 20 });
  const unbind = bindLiveKitRoom(room, recorded.session, { sessionId: 'standup' });
  connectRoom(
    room,
    identities.map((identity) => participantInfo(identity)),
  );
  recorded.status.length = 0;
  recorded.people.length = 0;
  return { room, disconnect, unbind, ...recorded };
}

async function twilioCall(identities: string[]) {
  const { room, signaling } = await createTwilioRoom(
    identities.map((identity) => [`PA_${identity}`, identity] as const),
  );
  const disconnect = spyOnTwilioDisconnect(room);
  const recorded = recordedSession({ idle: 30, reconnect: 20 });
  const unbind = bindTwilioRoom(room, recorded.session);
  recorded.status.length = 0;
  recorded.people.length = 0;
  return { room, signaling, disconnect, unbind, ...recorded };
}

describe('LiveKit: bound again to a joined session (fault 5)', () => {
  test('people who came and went while unbound: the session lists who is there, with a callback for each change', async () => {
    const { room, session, people, status, unbind } = liveKitCall(['ana', 'bo']);
    unbind();
    participantUpdate(room, participantInfo('cy'));
    participantLeaves(room, 'ana');
    await settleLiveKit();
    expect(session.participants.map((p) => p.uid)).toEqual(['ana', 'bo']);

    bindLiveKitRoom(room, session);
    expect(session.participants.map((p) => p.uid)).toEqual(['bo', 'cy']);
    expect(people).toEqual(['left:ana', 'list:bo', 'joined:cy', 'list:bo,cy']);
    expect(status).toEqual([]);
    expect(session.state).toBe('joined.accompanied');
  });

  test('everybody left while unbound: joined.alone, and the idle countdown runs', async () => {
    const { room, session, unbind, advance, status } = liveKitCall(['ana']);
    unbind();
    participantLeaves(room, 'ana');
    await settleLiveKit();
    bindLiveKitRoom(room, session);
    expect(session.state).toBe('joined.alone');
    advance(30);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('the server closed the Room while unbound: the session is closed at bind, not joined forever, and the Room is not called', () => {
    const { room, session, unbind, status, disconnect } = liveKitCall(['ana']);
    unbind();
    engineDisconnected(room, 5 /* ROOM_DELETED */);
    expect(room.state).toBe('disconnected');
    bindLiveKitRoom(room, session);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
    expect(pendingTimers(session)).toEqual([]);
  });

  test('the session timed out while unbound: bound again, the Room still connected is disconnected once', () => {
    const { room, session, unbind, advance, disconnect } = liveKitCall([]);
    unbind();
    advance(30);
    expect(session.state).toBe('timedOut');
    expect(disconnect.calls).toBe(0);
    bindLiveKitRoom(room, session);
    expect(disconnect.calls).toBe(1);
    expect(session.state).toBe('timedOut');
  });

  test('the Room started reconnecting while unbound: the session is reconnecting at bind, and restored with the Room', () => {
    const { room, session, unbind, status } = liveKitCall(['ana']);
    unbind();
    startResume(room);
    bindLiveKitRoom(room, session);
    expect(session.state).toBe('reconnecting');
    finishResume(room);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('the Room came back while unbound from a session reconnecting: restored at bind, with the resync list', async () => {
    const { room, session, unbind, status, people } = liveKitCall(['ana', 'bo']);
    startResume(room);
    expect(session.state).toBe('reconnecting');
    unbind();
    participantLeaves(room, 'bo');
    finishResume(room);
    await settleLiveKit();
    bindLiveKitRoom(room, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual(['left:bo', 'list:ana']);
  });
});

describe('Twilio: bound again to a joined session (fault 5)', () => {
  test('people who came and went while unbound: the session lists who is there, with a callback for each change', async () => {
    const { signaling, room, session, people, status, unbind } = await twilioCall(['ana', 'bo']);
    unbind();
    participantConnects(signaling, 'PA_cy', 'cy');
    participantDisconnects(signaling, 'PA_ana');
    bindTwilioRoom(room, session);
    expect(session.participants).toEqual([{ uid: 'bo' }, { uid: 'cy' }]);
    expect(people).toEqual(['left:ana', 'list:bo', 'joined:cy', 'list:bo,cy']);
    expect(status).toEqual([]);
  });

  test('the room completed while unbound (53118): closed at bind, and no disconnect() call', async () => {
    const { signaling, room, session, status, disconnect, unbind } = await twilioCall(['ana']);
    unbind();
    signalingDisconnected(signaling, twilioError(53118));
    bindTwilioRoom(room, session);
    expect(session.state).toBe('closed');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(disconnect.calls).toBe(0);
    expect(pendingTimers(session)).toEqual([]);
  });

  test('a reconnect that started while unbound: reconnecting at bind, restored when the Room is', async () => {
    const { signaling, room, session, status, unbind } = await twilioCall(['ana']);
    unbind();
    await startReconnecting(signaling);
    bindTwilioRoom(room, session);
    expect(session.state).toBe('reconnecting');
    await finishReconnecting(signaling);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });
});

describe("Twilio: connect()'s promise delivers a Room that has already ended (fault 3)", () => {
  test('session.joinFailed: back to idle, not joining forever', async () => {
    const pending = pendingConnect();
    const { session, status } = recordedSession();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    bindTwilioRoom(pending.promise, session);
    const { room, signaling } = await createTwilioRoom([['PA_ana', 'ana']]);
    const disconnect = spyOnTwilioDisconnect(room);
    signalingDisconnected(signaling, twilioError(53118));
    pending.resolve(room);
    await settle();
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
    expect(disconnect.calls).toBe(0);
  });

  test('a Room already ended, bound directly to a joining session: joinFailed too', async () => {
    const { room, signaling } = await createTwilioRoom();
    signalingDisconnected(signaling, null);
    const { session } = recordedSession();
    session.join('standup');
    bindTwilioRoom(room, session);
    expect(session.state).toBe('idle');
  });
});
