// @vitest-environment happy-dom
// bindDailyCall on a real @daily-co/daily-js call object (SPEC §7), in happy-dom, with a
// stand-in for the call-machine bundle daily-js downloads (test/support/dailyCall.ts):
// join(), leave(), participants() and every event are daily-js's own code. Expected
// outcomes are written from SPEC §2/§7 and the mapping table of docs/bindings.md, not
// read from the binding.
import type { DailyCall } from '@daily-co/daily-js';
import { describe, expect, test } from 'vitest';
import { bindDailyCall } from 'call-session-machine/daily';
import { recordedSession } from '../support/bindingSession.js';
import {
  callListenerCounts,
  createDailyCall,
  createUnloadedDailyCall,
  DAILY_JS_VERSION,
  dailyParticipant,
  describeInternals,
  installedDailyVersion,
  participantsObject,
  refusedFetches,
  settle,
  spyOnLeave,
  type CallMachine,
} from '../support/dailyCall.js';

const ana = dailyParticipant('ana-session', 'Ana', 'ana');
const bo = dailyParticipant('bo-session', 'Bo', 'bo');

/** A call object bound to a fresh recorded session, `join()` called and in `joining-meeting`. */
async function joining(periods?: { idle?: number; reconnect?: number }) {
  const { call, machine } = await createDailyCall();
  const recorded = recordedSession(periods);
  const leave = spyOnLeave(call);
  const unbind = bindDailyCall(call, recorded.session, { sessionId: 'standup' });
  const joined = call.join({ url: 'https://example.daily.co/standup' });
  await settle();
  return { call, machine, leave, unbind, joined, ...recorded };
}

/** …and joined with `remotes` present; records start empty after the join. */
async function inCall(
  remotes: Parameters<typeof participantsObject>[0] = [],
  periods?: { idle?: number; reconnect?: number },
) {
  const setup = await joining(periods);
  setup.machine.send({ action: 'joined-meeting', participants: participantsObject(remotes) });
  await setup.joined;
  setup.status.length = 0;
  setup.people.length = 0;
  return setup;
}

function network(
  machine: CallMachine,
  type: 'signaling' | 'sfu' | 'peer-to-peer',
  event: 'interrupted' | 'connected',
  sessionId?: string,
) {
  machine.send({ action: 'network-connection', type, event, ...(sessionId ? { session_id: sessionId } : {}) });
}

describe('joining', () => {
  test('join with people present: joined.accompanied, keyed by session_id, never the local participant', async () => {
    const { call, machine, session, status, people, joined } = await joining();
    expect(call.meetingState()).toBe('joining-meeting');
    expect(session.state).toBe('joining');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    machine.send({ action: 'joined-meeting', participants: participantsObject([ana, bo]) });
    await joined;
    expect(call.meetingState()).toBe('joined-meeting');
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

  test('participants that arrive (and leave) before joined-meeting are in the joined list', async () => {
    const { machine, session, joined } = await joining();
    const cy = dailyParticipant('cy-session', 'Cy', 'cy');
    machine.send({ action: 'participant-joined', participant: bo });
    machine.send({ action: 'participant-joined', participant: cy });
    machine.send({ action: 'participant-left', participant: cy });
    expect(session.state).toBe('joining');
    machine.send({ action: 'joined-meeting', participants: participantsObject([ana]) });
    await joined;
    expect(session.participants.map((p) => p.pid)).toEqual(['ana-session', 'bo-session']);
  });

  test('a call object already in the meeting at bind time is caught up: join, then joined with call.participants()', async () => {
    const { call, machine } = await createDailyCall();
    const joined = call.join({ url: 'https://example.daily.co/standup' });
    await settle();
    machine.send({ action: 'joined-meeting', participants: participantsObject([ana]) });
    await joined;
    const { session, status } = recordedSession();
    bindDailyCall(call, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ pid: 'ana-session', uid: 'ana', name: 'Ana' }]);
  });

  test('two tabs of one user (one user_id, two session_ids) are two participants; one leaving leaves the other', async () => {
    const tab1 = dailyParticipant('ana-tab-1', 'Ana', 'ana');
    const tab2 = dailyParticipant('ana-tab-2', 'Ana', 'ana');
    const { machine, session, people } = await inCall([tab1, tab2]);
    machine.send({ action: 'participant-left', participant: tab1 });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([{ pid: 'ana-tab-2', uid: 'ana', name: 'Ana' }]);
    expect(people).toEqual(['left:ana-tab-1', 'list:ana-tab-2']);
  });
});

describe('participants', () => {
  test('people joining and leaving; participant-updated for a track change sends nothing; the local participant never counts', async () => {
    const { machine, session, people, status } = await inCall([ana]);
    machine.send({ action: 'participant-joined', participant: bo });
    expect(people).toEqual(['joined:bo-session', 'list:ana-session,bo-session']);
    machine.send({ action: 'participant-updated', participant: { ...bo, audio: true } });
    machine.send({
      action: 'participant-updated',
      participant: dailyParticipant('me-session', 'Me, renamed', 'me', true),
    });
    expect(people).toHaveLength(2);
    machine.send({ action: 'participant-updated', participant: dailyParticipant('bo-session', 'Bo B.', 'bo') });
    expect(people.slice(2)).toEqual(['list:ana-session,bo-session']);
    machine.send({ action: 'participant-left', participant: ana });
    machine.send({ action: 'participant-left', participant: bo });
    expect(session.state).toBe('joined.alone');
    expect(people.slice(3)).toEqual(['left:ana-session', 'list:bo-session', 'left:bo-session', 'list:']);
    expect(status).toEqual([]);
  });
});

describe('reconnecting', () => {
  test('a reconnect that recovers: lost while any transport is interrupted, restored when all are back, one pair', async () => {
    const { machine, session, status, people } = await inCall([ana, bo]);
    network(machine, 'signaling', 'interrupted');
    expect(session.state).toBe('reconnecting');
    network(machine, 'sfu', 'interrupted');
    network(machine, 'signaling', 'connected');
    expect(session.state).toBe('reconnecting');
    // The call machine's view after the outage: bo is gone.
    machine.send({ action: 'participant-left', participant: bo });
    network(machine, 'sfu', 'connected');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual(['left:bo-session', 'list:ana-session']);
  });

  test('a peer-to-peer link is per remote peer; that peer leaving takes its interrupted link with it', async () => {
    const { machine, status } = await inCall([ana, bo]);
    network(machine, 'peer-to-peer', 'interrupted', 'bo-session');
    expect(status).toEqual(['onConnectionLost@reconnecting']);
    machine.send({ action: 'participant-left', participant: bo });
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('a reconnect that gives up: Daily ejects after the signaling outage, error then left-meeting; closed, no leave() call', async () => {
    const { call, machine, session, status, leave } = await inCall([ana]);
    network(machine, 'signaling', 'interrupted');
    machine.send({ action: 'error', errorMsg: 'ejected', error: { type: 'ejected', msg: 'You were ejected' } });
    machine.send({ action: 'left-meeting' });
    expect(call.meetingState()).toBe('error');
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    await settle();
    expect(leave.calls).toBe(0);
  });

  test('the reconnect bound calls call.leave() once', async () => {
    const { call, machine, session, leave, advance } = await inCall([ana], { reconnect: 5 });
    network(machine, 'sfu', 'interrupted');
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    await settle();
    expect(leave.calls).toBe(1);
    expect(call.meetingState()).toBe('left-meeting');
  });
});

describe('the end, from Daily', () => {
  test('removal by the host: error "ejected" (signaling up), then left-meeting: onSessionLeft, reason removed, no leave() call', async () => {
    const { machine, session, status, leave } = await inCall([ana]);
    machine.send({ action: 'error', errorMsg: 'ejected', error: { type: 'ejected', msg: 'You were ejected' } });
    machine.send({ action: 'left-meeting' });
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.calls).toBe(0);
  });

  test('a server-side end (the room expired, exp-room): onConnectionClosed, reason server', async () => {
    const { machine, session, status, leave } = await inCall([ana]);
    machine.send({
      action: 'error',
      errorMsg: 'Meeting has ended',
      error: { type: 'exp-room', msg: 'Meeting has ended' },
    });
    machine.send({ action: 'left-meeting' });
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionClosed@closed']);
    expect(leave.calls).toBe(0);
  });

  // docs/bindings.md, Daily table: each fatal error type while joined.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const REMOVED = { state: 'left', endReason: 'removed' };
  const types: [type: string, expected: object][] = [
    ['ejected', REMOVED],
    ['nbf-room', CLOSED],
    ['nbf-token', CLOSED],
    ['exp-room', CLOSED],
    ['exp-token', CLOSED],
    ['no-room', CLOSED],
    ['meeting-full', CLOSED],
    ['end-of-life', CLOSED],
    ['not-allowed', CLOSED],
    ['connection-error', CLOSED],
  ];
  test('every fatal error type, while joined and while joining, as the mapping table says', async () => {
    for (const [type, expected] of types) {
      const joined = await inCall([ana]);
      joined.machine.send({ action: 'error', errorMsg: type, error: { type, msg: type } });
      joined.machine.send({ action: 'left-meeting' });
      expect({ state: joined.session.state, endReason: joined.session.endReason }, `${type} while joined`).toEqual(
        expected,
      );

      const pending = await joining();
      pending.joined.catch(() => undefined);
      pending.machine.send({ action: 'error', errorMsg: type, error: { type, msg: type } });
      pending.machine.send({ action: 'left-meeting' });
      expect(pending.session.state, `${type} while joining`).toBe('idle');
      expect(pending.status, `${type} while joining`).toEqual([]);
      await settle();
      expect(joined.leave.calls + pending.leave.calls, type).toBe(0);
    }
  });

  test('the app calling call.leave() itself is the user leaving', async () => {
    const { call, session, status, leave } = await inCall([ana]);
    await call.leave();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(1);
  });
});

describe('the end, from the session', () => {
  test('leave(): call.leave() exactly once; its left-meeting adds nothing', async () => {
    const { call, machine, session, status, leave } = await inCall([ana]);
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.calls).toBe(1);
    expect(machine.received.filter((m) => m.action === 'leave-meeting')).toHaveLength(1);
    expect(call.meetingState()).toBe('left-meeting');
    expect(status).toEqual(['onSessionLeft@left']);
  });

  test('leave() while still joining: back to idle, call.leave() once', async () => {
    const { call, session, status, leave, joined } = await joining();
    joined.catch(() => undefined);
    session.leave();
    expect(session.state).toBe('idle');
    await settle();
    expect(leave.calls).toBe(1);
    expect(call.meetingState()).toBe('left-meeting');
    expect(status).toEqual([]);
  });

  test('the idle timeout calls call.leave() once', async () => {
    const { call, session, status, leave, advance } = await inCall([], { idle: 5 });
    advance(4);
    expect(leave.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    await settle();
    expect(leave.calls).toBe(1);
    expect(call.meetingState()).toBe('left-meeting');
  });
});

describe('join() with no network', () => {
  test('join() offline: the bundle load fails (load-attempt-failed ×3, then error); session.joinFailed, back to idle', async () => {
    const call: DailyCall = await createUnloadedDailyCall();
    const { session, status } = recordedSession();
    const states: string[] = [];
    session.actor.subscribe(() => states.push(session.state));
    const seen: string[] = [];
    for (const name of ['loading', 'load-attempt-failed', 'error'] as const) call.on(name, () => seen.push(name));
    bindDailyCall(call, session);
    refusedFetches.length = 0;

    // The bundle URL points at a closed loopback port: nothing listens on 127.0.0.1:9.
    const dailyConfig = { callObjectBundleUrlOverride: 'http://127.0.0.1:9/call-machine-object-bundle.js' };
    await expect(call.join({ url: 'https://example.daily.co/standup', dailyConfig } as never)).rejects.toMatch(
      /Failed to load call object bundle/,
    );

    expect(seen).toEqual(['loading', 'load-attempt-failed', 'load-attempt-failed', 'load-attempt-failed', 'error']);
    expect(call.meetingState()).toBe('error');
    expect(states).toEqual(['joining', 'idle']);
    expect(status).toEqual([]);
    // daily-js reports a failed bundle load to its error tracker; the guard kept that here.
    await settle();
    expect(refusedFetches.some((url) => url.includes('.sentry.io/'))).toBe(true);
  });
});

describe('unbind', () => {
  test('removes every listener on the call object and on the session, and is idempotent', async () => {
    const { call, machine } = await createDailyCall();
    const before = callListenerCounts(call);
    const { session, status } = recordedSession();
    const leave = spyOnLeave(call);
    const unbind = bindDailyCall(call, session);
    expect(callListenerCounts(call)).not.toEqual(before);
    const joined = call.join({ url: 'https://example.daily.co/standup' });
    await settle();
    machine.send({ action: 'joined-meeting', participants: participantsObject([]) });
    await joined;
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(callListenerCounts(call)).toEqual(before);
    unbind();
    expect(callListenerCounts(call)).toEqual(before);

    machine.send({ action: 'participant-joined', participant: ana });
    network(machine, 'signaling', 'interrupted');
    expect(session.state).toBe('joined.alone');
    session.leave();
    await settle();
    expect(leave.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('bad options', () => {
  test('an empty sessionId is a TypeError at bind time, and nothing is bound', async () => {
    const { call } = await createDailyCall();
    const before = callListenerCounts(call);
    const { session } = recordedSession();
    expect(() => bindDailyCall(call, session, { sessionId: '' })).toThrow(TypeError);
    expect(callListenerCounts(call)).toEqual(before);
  });
});

describe('the daily-js internals the test helper drives', () => {
  test(`are those of @daily-co/daily-js ${DAILY_JS_VERSION}`, async () => {
    expect(installedDailyVersion()).toBe(DAILY_JS_VERSION);
    expect(await describeInternals()).toEqual({
      callClientId: 'string',
      handleMessageFromCallMachine: 'function',
      'loader._currentLoad': true,
      'loader.loaded getter': 'function',
      'window._daily.instances[id]': 'object',
    });
  });
});
