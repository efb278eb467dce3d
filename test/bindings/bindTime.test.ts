// The bind-time check of the LiveKit and Twilio binders (issue 16, faults 4 and 9): a
// wrong SDK object is a TypeError naming the binder and what is missing, thrown before
// anything changes: the session untouched, no listener left on the object, and no
// session-side watch left that would call back into it. The Daily binder's are in
// bindTime.daily.test.ts (it needs happy-dom).
import type { Room as LiveKitRoom } from 'livekit-client';
import type { Room as TwilioRoom } from 'twilio-video';
import { describe, expect, test } from 'vitest';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { countedEmitter, expectRefused, listenerCounts, recordedSession } from '../support/bindingSession.js';
import { connectRoom, createLiveKitRoom, participantInfo, spyOnDisconnect } from '../support/livekitRoom.js';
import { createTwilioRoom } from '../support/twilioRoom.js';

describe('bindLiveKitRoom refuses what is not a livekit-client 2.x Room', () => {
  test('a plain EventEmitter: TypeError naming the binder and the missing members, nothing changed, disconnect never called', () => {
    const { emitter, calls } = countedEmitter();
    expectRefused(
      bindLiveKitRoom,
      emitter,
      /^bindLiveKitRoom: room must be a livekit-client 2\.x Room.*remoteParticipants/,
    );
    expect(calls.disconnect).toBe(0);
  });

  test('a livekit-client 1.x-shaped Room (participants, no remoteParticipants): TypeError that says so', () => {
    const { emitter, calls } = countedEmitter({
      state: 'connected',
      name: 'standup',
      participants: new Map([['PA_ana', { identity: 'ana', sid: 'PA_ana' }]]),
      localParticipant: { identity: 'me' },
    });
    expectRefused(bindLiveKitRoom, emitter, /bindLiveKitRoom: .*remoteParticipants.*livekit-client 1\.x/);
    expect(calls.disconnect).toBe(0);
  });

  test('null, undefined, {} and a string: TypeError naming the binder and the argument', () => {
    expectRefused(bindLiveKitRoom, null, /^bindLiveKitRoom: room must be a livekit-client 2\.x Room, got null$/);
    expectRefused(bindLiveKitRoom, undefined, /^bindLiveKitRoom: room must be .*, got undefined/);
    expectRefused(bindLiveKitRoom, {}, /^bindLiveKitRoom: room must be .*with no on\(\), no off\(\)/);
    expectRefused(bindLiveKitRoom, 'wss://example', /^bindLiveKitRoom: room must be .*the string/);
  });

  test('a real Room with something that is not a session: TypeError, and no listener left on the Room', () => {
    const room = createLiveKitRoom();
    const before = listenerCounts(room);
    expect(() => bindLiveKitRoom(room, {} as never)).toThrow(
      /^bindLiveKitRoom: session must be a CallSession from createCallSession\(\)/,
    );
    expect(() => bindLiveKitRoom(room, null as never)).toThrow(TypeError);
    expect(listenerCounts(room)).toEqual(before);
  });
});

test('a disposed session is refused with a TypeError, and the Room is neither listened to nor disconnected', () => {
  const room = createLiveKitRoom();
  connectRoom(room, []);
  const disconnect = spyOnDisconnect(room);
  const before = listenerCounts(room);
  const { session } = recordedSession();
  session.dispose();
  expect(() => bindLiveKitRoom(room, session)).toThrow(/^bindLiveKitRoom: session must not be disposed/);
  expect(listenerCounts(room)).toEqual(before);
  expect(disconnect.calls).toBe(0);
});

describe('bindTwilioRoom refuses what is not a twilio-video 2.x Room or promise', () => {
  test('a plain EventEmitter: TypeError naming the binder and the missing members, nothing changed', () => {
    const { emitter, calls } = countedEmitter();
    expectRefused(
      bindTwilioRoom,
      emitter,
      /^bindTwilioRoom: roomOrPromise must be a twilio-video 2\.x Room.*participants/,
    );
    expect(calls.disconnect).toBe(0);
  });

  test('an object with a Room’s methods but no participants: TypeError naming participants, nothing changed', async () => {
    const { room } = await createTwilioRoom();
    const lookalike = {
      state: room.state,
      name: room.name,
      localParticipant: room.localParticipant,
      on: room.on.bind(room),
      off: room.off.bind(room),
      disconnect: room.disconnect.bind(room),
    };
    const before = listenerCounts(room);
    expectRefused(bindTwilioRoom, lookalike, /^bindTwilioRoom: .*no participants Map$/);
    expect(listenerCounts(room)).toEqual(before);
    expect(room.state).toBe('connected');
  });

  test('null and {}: TypeError naming the binder and the argument', () => {
    expectRefused(bindTwilioRoom, null, /^bindTwilioRoom: roomOrPromise must be .*, got null$/);
    expectRefused(bindTwilioRoom, {}, /^bindTwilioRoom: roomOrPromise must be .*with no on\(\)/);
  });

  test('a promise whose cancel is not a function: TypeError, and the session does not start joining', () => {
    const promise = Object.assign(new Promise<TwilioRoom>(() => {}), { cancel: 'soon' });
    expectRefused(bindTwilioRoom, promise, /^bindTwilioRoom: roomOrPromise\.cancel must be a function/);
  });
});

describe('one binding per SDK object (fault 9)', () => {
  test('binding the same LiveKit Room twice is refused, and the Room is disconnected once on leave()', async () => {
    const room = createLiveKitRoom();
    const disconnect = spyOnDisconnect(room);
    const first = recordedSession();
    bindLiveKitRoom(room, first.session);
    const second = recordedSession();
    const before = listenerCounts(room);
    expect(() => bindLiveKitRoom(room, second.session)).toThrow(/^bindLiveKitRoom: this Room is already bound/);
    expect(listenerCounts(room)).toEqual(before);
    expect(second.session.state).toBe('idle');

    connectRoom(room, [participantInfo('ana')]);
    expect(first.session.state).toBe('joined.accompanied');
    expect(second.session.state).toBe('idle');
    first.session.leave();
    await Promise.resolve();
    expect(disconnect.calls).toBe(1);
  });

  test('after unbind() the same Room can be bound again', () => {
    const room = createLiveKitRoom();
    const unbind = bindLiveKitRoom(room, recordedSession().session);
    unbind();
    const { session } = recordedSession();
    expect(() => bindLiveKitRoom(room, session)).not.toThrow();
  });

  test('a session bound to a second Room is taken over: the first binding is unbound and never disconnects its Room', async () => {
    const { session } = recordedSession();
    const first = createLiveKitRoom() as LiveKitRoom;
    const firstDisconnect = spyOnDisconnect(first);
    const firstListeners = listenerCounts(first);
    bindLiveKitRoom(first, session);
    const second = createLiveKitRoom();
    const secondDisconnect = spyOnDisconnect(second);
    bindLiveKitRoom(second, session);
    expect(listenerCounts(first)).toEqual(firstListeners);
    connectRoom(second, []);
    session.leave();
    await Promise.resolve();
    expect(firstDisconnect.calls).toBe(0);
    expect(secondDisconnect.calls).toBe(1);
  });
});
