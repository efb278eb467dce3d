// bindStreamCall on a real @stream-io/video-client Call (SPEC §7), in plain Node. The Call
// is driven through its own state and its own event handlers (test/support/streamCall.ts),
// so every calling state and participant list the binding sees is set by Stream's code or in
// the order Stream's code sets it. Expected outcomes are written from SPEC §2/§7 and the
// mapping table of docs/bindings.md, not read from the binding.
import { EventEmitter } from 'node:events';
import { CallingState } from '@stream-io/video-client';
import { describe, expect, test } from 'vitest';
import { bindStreamCall } from 'call-session-machine/stream';
import { countedEmitter, expectRefused, recordedSession } from '../support/bindingSession.js';
import {
  callListenerCounts,
  coordinatorEvent,
  createStreamCall,
  describeInternals,
  failJoining,
  finishJoining,
  finishMigration,
  finishReconnect,
  goOffline,
  installedStreamVersion,
  joinCall,
  LOCAL_USER,
  participantJoins,
  participantLeaves,
  reconnectFails,
  settle,
  sfuEvent,
  spyOnLeave,
  startJoining,
  startMigration,
  startReconnect,
  STREAM_VIDEO_CLIENT_VERSION,
  streamParticipant,
} from '../support/streamCall.js';

const ana = streamParticipant('ana-session', 'ana', 'Ana');
const bo = streamParticipant('bo-session', 'bo', 'Bo');
const cy = streamParticipant('cy-session', 'cy', 'Cy');

/** A Call bound to a fresh recorded session; nothing joined yet. */
async function bound(periods?: { idle?: number; reconnect?: number }) {
  const { client, call } = await createStreamCall();
  const recorded = recordedSession(periods);
  const leave = spyOnLeave(call);
  const unbind = bindStreamCall(call, recorded.session, { sessionId: 'standup' });
  return { client, call, leave, unbind, ...recorded };
}

/** Bound and joined with `remotes` present; the records start empty after that. */
async function inCall(remotes: Parameters<typeof joinCall>[1] = [], periods?: { idle?: number; reconnect?: number }) {
  const setup = await bound(periods);
  joinCall(setup.call, remotes);
  setup.status.length = 0;
  setup.people.length = 0;
  return setup;
}

const byUser = (userId: string) => ({ type: { user: { id: userId, role: 'user' } } }).type;

describe('joining', () => {
  test('join with people present: joined.accompanied, keyed by sessionId, never the local participant', async () => {
    const { call, session, status, people } = await bound();
    startJoining(call);
    expect(session.state).toBe('joining');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    finishJoining(call, [ana, bo]);
    expect(call.state.callingState).toBe(CallingState.JOINED);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([
      { pid: 'ana-session', uid: 'ana', name: 'Ana' },
      { pid: 'bo-session', uid: 'bo', name: 'Bo' },
    ]);
    expect(people).toEqual(['joined:ana-session', 'joined:bo-session', 'list:ana-session,bo-session']);
  });

  test('join alone: joined.alone, and the idle countdown runs', async () => {
    const { session, status, advance } = await inCall([], { idle: 10 });
    expect(session.state).toBe('joined.alone');
    advance(10);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('without a sessionId option the session is joined under the call cid', async () => {
    const { call } = await createStreamCall('daily-sync');
    const { session } = recordedSession();
    bindStreamCall(call, session);
    startJoining(call);
    expect(session.actor.getSnapshot().context.sessionId).toBe('default:daily-sync');
  });

  test('a Call already joined at bind time is caught up: join, then joined with its remote participants', async () => {
    const { call } = await createStreamCall();
    joinCall(call, [ana]);
    const { session, status } = recordedSession();
    bindStreamCall(call, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ pid: 'ana-session', uid: 'ana', name: 'Ana' }]);
  });

  test('a Call already reconnecting at bind time: joined, then lost', async () => {
    const { call } = await createStreamCall();
    joinCall(call, [ana]);
    startReconnect(call);
    const { session, status } = recordedSession();
    bindStreamCall(call, session);
    expect(session.state).toBe('reconnecting');
    expect(status).toEqual(['onSessionJoined@joined.accompanied', 'onConnectionLost@reconnecting']);
  });

  test('one user on two devices (one userId, two sessionIds) is two participants; one leaving leaves the other', async () => {
    const phone = streamParticipant('ana-phone', 'ana', 'Ana');
    const laptop = streamParticipant('ana-laptop', 'ana', 'Ana');
    const { call, session, people } = await inCall([phone, laptop]);
    participantLeaves(call, phone);
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([{ pid: 'ana-laptop', uid: 'ana', name: 'Ana' }]);
    expect(people).toEqual(['left:ana-phone', 'list:ana-laptop']);
  });
});

describe('participants', () => {
  test("people joining and leaving through the SFU's events; a re-emitted list (a track change) sends nothing", async () => {
    const { call, session, people, status } = await inCall([ana]);
    participantJoins(call, bo);
    expect(people).toEqual(['joined:bo-session', 'list:ana-session,bo-session']);
    // participants$ emits for every track, audio level or speaking change.
    sfuEvent(call, 'participantUpdated', { callCid: call.cid, participant: { ...bo, isSpeaking: true } });
    call.state.updateParticipant('ana-session', { audioLevel: 0.5 });
    expect(people).toHaveLength(2);
    sfuEvent(call, 'participantUpdated', { callCid: call.cid, participant: { ...bo, name: 'Bo B.' } });
    expect(people.slice(2)).toEqual(['list:ana-session,bo-session']);
    expect(session.participants[1]).toEqual({ pid: 'bo-session', uid: 'bo', name: 'Bo B.' });
    participantLeaves(call, ana);
    participantLeaves(call, bo);
    expect(session.state).toBe('joined.alone');
    expect(people.slice(3)).toEqual(['left:ana-session', 'list:bo-session', 'left:bo-session', 'list:']);
    expect(status).toEqual([]);
  });
});

describe("participants$, not the coordinator's session events", () => {
  test("call.session_participant_joined / _left (the call's session on Stream's servers) send nothing; the SFU's list decides", async () => {
    const { client, call, session, people } = await inCall([ana]);
    const now = new Date().toISOString();
    const sessionEvent = (type: string, userId: string, sessionId: string) => ({
      type,
      call_cid: call.cid,
      created_at: now,
      session_id: 'call-session',
      participant: { user: { id: userId, role: 'user' }, user_session_id: sessionId, role: 'user', joined_at: now },
    });
    coordinatorEvent(client, sessionEvent('call.session_participant_joined', 'cy', 'cy-session'));
    coordinatorEvent(client, sessionEvent('call.session_participant_left', 'ana', 'ana-session'));
    expect(people).toEqual([]);
    expect(session.participants.map((p) => p.pid)).toEqual(['ana-session']);
    participantJoins(call, cy);
    expect(people).toEqual(['joined:cy-session', 'list:ana-session,cy-session']);
  });
});

describe('reconnecting', () => {
  test('a reconnect that recovers (reconnecting, joining, joined): one lost/restored pair, and the resync reports who left meanwhile', async () => {
    const { call, session, status, people } = await inCall([ana, bo]);
    startReconnect(call);
    expect(session.state).toBe('reconnecting');
    // The reconnect's doJoin passes through `joining`: not a new join. After a REJOIN the
    // local participant has a new session id; it is still never sent.
    finishReconnect(call, [ana, cy]);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(session.participants.map((p) => p.pid)).toEqual(['ana-session', 'cy-session']);
    expect(people).toEqual(['joined:cy-session', 'left:bo-session', 'list:ana-session,cy-session']);
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
  });

  test("going offline (the Call's own network.changed handler) is lost; joined after the reconnect is restored", async () => {
    const { client, call, session, status } = await inCall([ana]);
    goOffline(client);
    expect(call.state.callingState).toBe(CallingState.OFFLINE);
    expect(session.state).toBe('reconnecting');
    startReconnect(call);
    finishReconnect(call, [ana]);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('a migration to another SFU (migrating, joining, joined) fires no status callback; only the real difference in people', async () => {
    const { call, session, status, people } = await inCall([ana, bo]);
    startMigration(call);
    expect(session.state).toBe('joined.accompanied');
    // The new SFU's list replaces the old one while the Call reads `joining`: held.
    finishMigration(call, [ana, cy]);
    expect(status).toEqual([]);
    expect(people).toEqual(['left:bo-session', 'list:ana-session', 'joined:cy-session', 'list:ana-session,cy-session']);
    expect(session.state).toBe('joined.accompanied');
  });

  test('a migration that fails becomes a reconnect: one lost/restored pair', async () => {
    const { call, session, status } = await inCall([ana]);
    startMigration(call);
    // doJoin's failure restores `migrating`; reconnect() then goes on with REJOIN.
    call.state.setCallingState(CallingState.JOINING);
    call.state.setCallingState(CallingState.MIGRATING);
    startReconnect(call);
    expect(session.state).toBe('reconnecting');
    finishReconnect(call, [ana]);
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('a reconnect that fails (reconnecting-failed): closed, reason server, and the binding leaves the Call Stream kept', async () => {
    const { call, session, status, leave } = await inCall([ana]);
    startReconnect(call);
    // stream-video-js#1846: before reconnecting-failed, Stream re-reads the call (`get()`),
    // which may say it ended meanwhile.
    call.state.setEndedAt(new Date());
    reconnectFails(call);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(status).toHaveLength(2);
  });

  test("Stream's own give-up (leave({ message }) from a reconnect): closed, no leave() call from the binding", async () => {
    const { call, session, status, leave } = await inCall([ana]);
    startReconnect(call);
    await call.leave({ message: 'rejoin_attempt_limit_exceeded' });
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(leave.byBinding).toBe(0);
  });

  test('the reconnect bound: the session gives up first and leaves the Call once', async () => {
    const { call, session, leave, advance } = await inCall([ana], { reconnect: 5 });
    startReconnect(call);
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
  });
});

describe('the end, from Stream', () => {
  test('kicked (call.kicked_user for this user): onSessionLeft, reason removed; Stream stays, so the binding leaves once', async () => {
    const { client, call, session, status, leave } = await inCall([ana]);
    coordinatorEvent(client, { type: 'call.kicked_user', call_cid: 'default:other', ...byUser(LOCAL_USER) });
    coordinatorEvent(client, { type: 'call.kicked_user', call_cid: call.cid, ...byUser('ana') });
    expect(session.state).toBe('joined.accompanied');
    coordinatorEvent(client, { type: 'call.kicked_user', call_cid: call.cid, ...byUser(LOCAL_USER) });
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
  });

  test('blocked (call.blocked_user for this user): Stream leaves by itself; removed, no leave() from the binding', async () => {
    const { client, call, session, status, leave } = await inCall([ana]);
    coordinatorEvent(client, { type: 'call.blocked_user', call_cid: call.cid, ...byUser(LOCAL_USER) });
    await settle();
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(leave.all).toEqual([{ message: 'user blocked' }]);
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
  });

  // The call as the coordinator sends it with call.ended (the fields CallState reads).
  const endedCall = (cid: string) => {
    const now = new Date().toISOString();
    return {
      type: 'call.ended',
      call_cid: cid,
      call: {
        cid,
        created_at: now,
        updated_at: now,
        ended_at: now,
        backstage: false,
        blocked_user_ids: [],
        egress: {},
      },
    };
  };

  test("a server-side end (call.ended): Stream's own handler leaves; closed, reason server, no leave() from the binding", async () => {
    const { client, call, session, status, leave } = await inCall([ana]);
    coordinatorEvent(client, endedCall(call.cid));
    await settle();
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(leave.byBinding).toBe(0);
  });

  test('the SFU ending the call (callEnded), telling the Call to disconnect (error, DISCONNECT) or ending a livestream (LIVE_ENDED): closed, reason server', async () => {
    const ended = await inCall([ana]);
    sfuEvent(ended.call, 'callEnded', { reason: 1 });
    await settle();
    expect(ended.call.state.callingState).toBe(CallingState.LEFT);
    expect({ state: ended.session.state, endReason: ended.session.endReason }).toEqual({
      state: 'closed',
      endReason: 'server',
    });

    const told = await inCall([ana]);
    sfuEvent(told.call, 'error', { error: { code: 0, message: 'go away', shouldRetry: false }, reconnectStrategy: 1 });
    await settle();
    expect(told.call.state.callingState).toBe(CallingState.LEFT);
    expect({ state: told.session.state, endReason: told.session.endReason }).toEqual({
      state: 'closed',
      endReason: 'server',
    });
    const live = await inCall([ana]);
    // LIVE_ENDED: a livestream ended, and this user may not stay backstage.
    sfuEvent(live.call, 'error', {
      error: { code: 104, message: 'live ended', shouldRetry: false },
      reconnectStrategy: 0,
    });
    await settle();
    expect(live.call.state.callingState).toBe(CallingState.LEFT);
    expect({ state: live.session.state, endReason: live.session.endReason }).toEqual({
      state: 'closed',
      endReason: 'server',
    });
    expect(ended.leave.byBinding + told.leave.byBinding + live.leave.byBinding).toBe(0);
  });

  test('the app calling call.leave() itself is the user leaving', async () => {
    const { call, session, status, leave } = await inCall([ana]);
    await call.leave();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    // The app's own call, not a second one from the binding.
    expect(leave.all).toEqual([undefined]);
  });
});

describe('the end, from the session', () => {
  test('leave(): call.leave() exactly once; its `left` adds nothing', async () => {
    const { call, session, status, leave } = await inCall([ana]);
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(status).toEqual(['onSessionLeft@left']);
  });

  test('leave() while still joining: back to idle, call.leave() once; the join that completes after it never feeds the session', async () => {
    const { call, session, status, leave, people } = await bound();
    startJoining(call);
    session.leave();
    expect(session.state).toBe('idle');
    // The user presses Join again at once: a new attempt of the session, not of that join.
    session.join('standup');
    // Stream's leave() waits for the pending join to reach `joined`, then leaves.
    finishJoining(call, [ana]);
    expect(session.state).toBe('joining');
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(status).toEqual([]);
    expect(people).toEqual([]);
    // The Call's next join is the one the session waits for.
    startJoining(call);
    finishJoining(call, []);
    expect(session.state).toBe('joined.alone');
    expect(leave.byBinding).toBe(1);
  });

  test('the idle timeout leaves the Call once', async () => {
    const { call, session, status, leave, advance } = await inCall([], { idle: 5 });
    advance(4);
    expect(leave.byBinding).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
  });
});

describe('the session disposed', () => {
  test('while in the call: the binding leaves the Call once and lets go of it', async () => {
    const { call, session, leave } = await inCall([ana]);
    session.dispose();
    await settle();
    expect(leave.byBinding).toBe(1);
    expect(call.state.callingState).toBe(CallingState.LEFT);
    // Let go: another session may bind the Call now.
    expect(() => bindStreamCall(call, recordedSession().session)).not.toThrow();
  });
});

describe('after the end', () => {
  test('a Call joining again while still bound to the ended session is left: nothing watches that call', async () => {
    const { call, session, leave, advance, status } = await inCall([], { idle: 5 });
    advance(5);
    await settle();
    expect(leave.byBinding).toBe(1);
    joinCall(call, [ana]);
    await settle();
    expect(leave.byBinding).toBe(2);
    expect(call.state.callingState).toBe(CallingState.LEFT);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });
});

describe('join() failing', () => {
  test('a failed attempt (Stream restores idle, or ringing for an incoming call): session.joinFailed, back to idle, no callback', async () => {
    const { call, session, status, leave } = await bound();
    startJoining(call);
    failJoining(call, CallingState.IDLE);
    expect(session.state).toBe('idle');
    startJoining(call);
    expect(session.state).toBe('joining');
    failJoining(call, CallingState.RINGING);
    expect(session.state).toBe('idle');
    expect(status).toEqual([]);
    await settle();
    expect(leave.byBinding).toBe(0);
  });

  test('a real call.join() with no coordinator to reach: joining, then idle through session.joinFailed', async () => {
    const { call, session, status } = await bound();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    await expect(call.join({ maxJoinRetries: 1 })).rejects.toThrow();
    expect(call.state.callingState).toBe(CallingState.IDLE);
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
  });
});

describe('binding again', () => {
  test('to a joined session after people changed while unbound: the session is resynced from the Call', async () => {
    const { call, session, unbind, people } = await inCall([ana, bo]);
    unbind();
    participantLeaves(call, bo);
    participantJoins(call, cy);
    expect(session.participants.map((p) => p.pid)).toEqual(['ana-session', 'bo-session']);
    bindStreamCall(call, session);
    expect(session.participants.map((p) => p.pid)).toEqual(['ana-session', 'cy-session']);
    expect(people).toEqual(['left:bo-session', 'list:ana-session', 'joined:cy-session', 'list:ana-session,cy-session']);
  });

  test('to a session whose Call was left while unbound: the session closes, and nothing calls the Call', async () => {
    const { call, session, unbind, leave, status } = await inCall([ana]);
    unbind();
    await call.leave();
    bindStreamCall(call, session);
    expect(session.state).toBe('closed');
    expect(status).toEqual(['onConnectionClosed@closed']);
    await settle();
    expect(leave.all).toEqual([undefined]);
  });
});

describe('unbind', () => {
  test('removes every subscription and listener on the Call and on the session, and is idempotent', async () => {
    const { client, call } = await createStreamCall();
    const before = callListenerCounts(client, call);
    const { session, status } = recordedSession();
    const leave = spyOnLeave(call);
    const unbind = bindStreamCall(call, session);
    expect(callListenerCounts(client, call)).not.toEqual(before);
    joinCall(call, []);
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(callListenerCounts(client, call)).toEqual(before);
    unbind();
    expect(callListenerCounts(client, call)).toEqual(before);

    participantJoins(call, ana);
    startReconnect(call);
    expect(session.state).toBe('joined.alone');
    session.leave();
    await settle();
    expect(leave.byBinding).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('bad input', () => {
  test('an empty sessionId is a TypeError at bind time, and nothing is bound', async () => {
    const { client, call } = await createStreamCall();
    const before = callListenerCounts(client, call);
    const { session } = recordedSession();
    expect(() => bindStreamCall(call, session, { sessionId: '' })).toThrow(TypeError);
    expect(callListenerCounts(client, call)).toEqual(before);
    joinCall(call, [ana]);
    expect(session.state).toBe('idle');
  });

  test('an object that is not a Call is a TypeError naming the binder and what is missing; nothing changes', () => {
    const { emitter, calls } = countedEmitter();
    expectRefused(
      bindStreamCall,
      emitter,
      /^bindStreamCall: call must be a @stream-io\/video-client 1\.x Call.*no leave\(\), no cid string, no state object/,
    );
    expectRefused(
      bindStreamCall,
      null,
      /^bindStreamCall: call must be a @stream-io\/video-client 1\.x Call.*, got null$/,
    );
    expectRefused(
      bindStreamCall,
      {},
      /^bindStreamCall: call must be .*, got an object with no on\(\), no off\(\), no leave\(\)/,
    );
    // A look-alike whose state has no observables (a stream-video 0.x-shaped Call).
    const lookAlike = Object.assign(new EventEmitter(), {
      cid: 'default:x',
      leave() {},
      state: { callingState: 'idle' },
    });
    expectRefused(
      bindStreamCall,
      lookAlike,
      /^bindStreamCall: .*its state has no callingState\$, no participants\$ observable$/,
    );
    expect(calls.disconnect).toBe(0);
  });

  test('a real Call with something that is not a session: TypeError, and nothing left on the Call', async () => {
    const { client, call } = await createStreamCall();
    const before = callListenerCounts(client, call);
    expect(() => bindStreamCall(call, {} as never)).toThrow(/^bindStreamCall: session must be a CallSession/);
    expect(callListenerCounts(client, call)).toEqual(before);
  });

  test('a Call already bound is refused (Error), and the first binding goes on', async () => {
    const { call, session, leave } = await inCall([ana]);
    expect(() => bindStreamCall(call, recordedSession().session)).toThrow(
      /^bindStreamCall: this Call is already bound/,
    );
    session.leave();
    await settle();
    expect(leave.byBinding).toBe(1);
  });
});

describe('the @stream-io/video-client internals the test helper drives', () => {
  test(`are those of @stream-io/video-client ${STREAM_VIDEO_CLIENT_VERSION}`, () => {
    expect(installedStreamVersion()).toBe(STREAM_VIDEO_CLIENT_VERSION);
    expect(describeInternals()).toEqual({
      'client.writeableStateStore.setConnectedUser': 'function',
      'client.streamClient.dispatchEvent': 'function',
      'client.streamClient.listeners': 'object',
      'call.setup': 'function',
      'call.dispatcher.dispatch': 'function',
      'call.dispatcher.subscribers': true,
      'call.hasJoinedOnce': 'boolean',
      'call.state.setCallingState': 'function',
      'call.state.updateFromSfuCallState': 'function',
      'call.state.callingState': 'idle',
    });
  });
});
