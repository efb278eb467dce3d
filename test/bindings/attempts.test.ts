// One attempt, one Room (issue 16, faults 1 and 2): bindTwilioRoom given a promise of a
// Room ties that promise to the session's current join attempt. A Room that arrives
// after the attempt was abandoned (leave() while joining, a new attempt) or after
// unbind() is disconnected and never reaches the session, whatever kind of promise
// delivered it: twilio-video's own CancelablePromise (cancelled in time or too late) or a
// plain promise with no cancel(). The Rooms are real twilio-video Rooms
// (test/support/twilioRoom.ts).
import type { Room } from 'twilio-video';
import { describe, expect, test } from 'vitest';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { recordedSession } from '../support/bindingSession.js';
import {
  createTwilioRoom,
  pendingConnect,
  roomListenerCounts,
  settle,
  spyOnDisconnect,
} from '../support/twilioRoom.js';

/** `fetchToken().then((token) => connect(token))`: a plain promise, no cancel(). */
function plainPromise() {
  let resolve!: (room: Room) => void;
  const promise = new Promise<Room>((ok) => (resolve = ok));
  return { promise, resolve };
}

async function roomWith(identity: string, name = 'standup') {
  const { room, signaling } = await createTwilioRoom([[`PA_${identity}`, identity]], name);
  return { room, signaling, disconnect: spyOnDisconnect(room), listenersBefore: roomListenerCounts(room) };
}

describe('a Room that arrives after leave() and unbind() (fault 1: the unmount while joining)', () => {
  test('a plain promise (no cancel): the Room is disconnected once, and the session stays idle with nobody listed', async () => {
    const pending = plainPromise();
    const { session, status } = recordedSession();
    const unbind = bindTwilioRoom(pending.promise, session);
    expect(session.state).toBe('joining');
    session.leave();
    unbind();
    const late = await roomWith('ana');
    pending.resolve(late.room);
    await settle();
    expect(late.disconnect.calls).toBe(1);
    expect(late.room.state).toBe('disconnected');
    expect(session.state).toBe('idle');
    expect(session.participants).toEqual([]);
    expect(status).toEqual([]);
  });

  test("connect()'s CancelablePromise whose cancel() comes too late (already resolving): disconnected once", async () => {
    const pending = pendingConnect();
    const { session } = recordedSession();
    const late = await roomWith('ana');
    pending.resolve(late.room);
    const unbind = bindTwilioRoom(pending.promise, session);
    session.leave();
    unbind();
    await settle();
    expect(late.disconnect.calls).toBe(1);
    expect(late.room.state).toBe('disconnected');
    expect(session.state).toBe('idle');
  });

  test('the same with unbind() before leave(): disconnected once, and nothing reaches the session', async () => {
    const pending = plainPromise();
    const { session, status } = recordedSession();
    const unbind = bindTwilioRoom(pending.promise, session);
    unbind();
    session.leave();
    const late = await roomWith('ana');
    pending.resolve(late.room);
    await settle();
    expect(late.disconnect.calls).toBe(1);
    expect(session.state).toBe('idle');
    expect(status).toEqual([]);
  });

  test('a cancel() in time: cancelled once, no Room ever arrives, the session is idle', async () => {
    const pending = pendingConnect();
    const { session, status } = recordedSession();
    const unbind = bindTwilioRoom(pending.promise, session);
    session.leave();
    unbind();
    await settle();
    expect(pending.cancelCalls).toBe(1);
    expect(session.state).toBe('idle');
    expect(status).toEqual([]);
  });
});

describe('leave while joining, then join again (fault 2)', () => {
  test("the first attempt's Room, arriving last, is disconnected and never listed; the second attempt's Room joins", async () => {
    const first = plainPromise();
    const second = plainPromise();
    const { session, status } = recordedSession();
    bindTwilioRoom(first.promise, session);
    session.leave();
    bindTwilioRoom(second.promise, session);
    expect(session.state).toBe('joining');

    const bo = await roomWith('bo');
    second.resolve(bo.room);
    await settle();
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([{ uid: 'bo' }]);

    const ana = await roomWith('ana');
    first.resolve(ana.room);
    await settle();
    expect(ana.disconnect.calls).toBe(1);
    expect(ana.room.state).toBe('disconnected');
    expect(roomListenerCounts(ana.room)).not.toHaveProperty('participantConnected');
    expect(session.participants).toEqual([{ uid: 'bo' }]);
    expect(bo.room.state).toBe('connected');
    expect(bo.disconnect.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test("the first attempt's Room, arriving first, is disconnected and does not join the second attempt", async () => {
    const first = plainPromise();
    const second = plainPromise();
    const { session } = recordedSession();
    bindTwilioRoom(first.promise, session);
    session.leave();
    bindTwilioRoom(second.promise, session);

    const ana = await roomWith('ana');
    first.resolve(ana.room);
    await settle();
    expect(ana.disconnect.calls).toBe(1);
    expect(session.state).toBe('joining');
    expect(session.participants).toEqual([]);

    const bo = await roomWith('bo');
    second.resolve(bo.room);
    await settle();
    expect(session.participants).toEqual([{ uid: 'bo' }]);
    expect(bo.room.state).toBe('connected');
  });

  test('a new attempt started by session.join() with the first binding still bound: its Room is disconnected, the session keeps joining', async () => {
    const first = pendingConnect();
    const { session } = recordedSession();
    const ana = await roomWith('ana');
    // Resolving already: the cancel() of the leave() below cannot stop it.
    first.resolve(ana.room);
    bindTwilioRoom(first.promise, session);
    session.leave();
    session.join('second-try');
    await settle();
    expect(ana.disconnect.calls).toBe(1);
    expect(session.state).toBe('joining');
    expect(session.participants).toEqual([]);
  });

  test('leave() then a second binding: the first one is unbound, so a leave of the second call disconnects only its Room', async () => {
    const first = plainPromise();
    const second = plainPromise();
    const { session } = recordedSession();
    bindTwilioRoom(first.promise, session);
    session.leave();
    bindTwilioRoom(second.promise, session);
    const bo = await roomWith('bo');
    second.resolve(bo.room);
    await settle();
    session.leave();
    expect(bo.disconnect.calls).toBe(1);
    expect(session.endReason).toBe('user');
  });
});
