// SPEC §3 dispose(): timers cancelled, listeners dropped, no callback; afterwards
// send/join/leave are ignored, can() is false, and state keeps its last value.
import { SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';
import * as logs from './support/listenerLogs.js';

const IDLE_S = 10;
const RECONNECT_S = 30;

const STATUS_CALLBACKS = [
  'onSessionJoined',
  'onSessionLeft',
  'onSessionTimedOut',
  'onConnectionLost',
  'onConnectionRestored',
  'onConnectionClosed',
] as const;

/** All ten event types of SPEC §2 with valid payloads. */
const EVERY_EVENT: readonly CallSessionEvent[] = [
  { type: 'session.join', sessionId: 's2' },
  { type: 'session.joined', participants: [{ uid: 'x' }] },
  { type: 'session.joined' },
  { type: 'session.joinFailed', error: new Error('nope') },
  { type: 'session.leave' },
  { type: 'session.removed' },
  { type: 'participant.joined', participant: { uid: 'x', name: 'X' } },
  { type: 'participant.left', participant: { uid: 'alice' } },
  { type: 'connection.lost' },
  { type: 'connection.restored' },
  { type: 'connection.restored', participants: [{ uid: 'y' }] },
  { type: 'connection.closed' },
];

/** Malformed events: after dispose they are ignored silently too (a decision of the brief). */
const MALFORMED: readonly unknown[] = [
  null,
  undefined,
  'session.join',
  [],
  {},
  { type: 'nope' },
  { type: 'session.join', sessionId: '' },
  { type: 'participant.joined', participant: {} },
  { type: 'session.joined', participants: 'x' },
];

interface Harness {
  session: CallSession;
  clock: SimulatedClock;
  calls: string[];
}

function recorder(calls: string[]): SessionStatusListener & ParticipantEventListener {
  const listener: SessionStatusListener & ParticipantEventListener = {
    onParticipantJoined: (p) => calls.push(`onParticipantJoined:${p.pid ?? p.uid}`),
    onParticipantLeft: (p) => calls.push(`onParticipantLeft:${p.pid ?? p.uid}`),
    onParticipantListChanged: (list) => calls.push(`onParticipantListChanged:${list.length}`),
  };
  for (const name of STATUS_CALLBACKS) listener[name] = () => calls.push(name);
  return listener;
}

function newSession(): Harness {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(IDLE_S)
    .setReconnectTimeoutPeriod(RECONNECT_S)
    .build();
  const session = createCallSession({ settings, clock });
  const calls: string[] = [];
  const listener = recorder(calls);
  session.addSessionStatusListener(listener);
  session.addParticipantEventListener(listener);
  return { session, clock, calls };
}

function pendingTimers(session: CallSession): string[] {
  return Object.keys(session.actor.system.getSnapshot()._scheduledEvents);
}

/** Moves the clock in one-second steps, so every timer due on the way would fire. */
function advance(clock: SimulatedClock, seconds: number): void {
  for (let i = 0; i < seconds; i++) clock.increment(1_000);
}

interface Case {
  state: string;
  reach: (h: Harness) => void;
  /** Whether a chart timer runs in that state (so the "no pending timer" check means something). */
  timers: boolean;
}

const CASES: Case[] = [
  { state: 'idle', reach: () => undefined, timers: false },
  { state: 'joining', reach: (h) => h.session.join('s1'), timers: false },
  {
    state: 'joined.alone',
    reach: (h) => {
      h.session.join('s1');
      h.session.send({ type: 'session.joined' });
      advance(h.clock, 3);
    },
    timers: true,
  },
  {
    state: 'joined.accompanied',
    reach: (h) => {
      h.session.join('s1');
      h.session.send({ type: 'session.joined', participants: [{ uid: 'alice' }] });
    },
    timers: false,
  },
  {
    state: 'reconnecting',
    reach: (h) => {
      h.session.join('s1');
      h.session.send({ type: 'session.joined' });
      h.session.send({ type: 'connection.lost' });
    },
    timers: true,
  },
  {
    state: 'left',
    reach: (h) => {
      h.session.join('s1');
      h.session.send({ type: 'session.joined' });
      h.session.leave();
    },
    timers: false,
  },
];

describe.each(CASES)('dispose() in $state', ({ state, reach, timers }) => {
  function disposedIn(): Harness & { callsBefore: string[] } {
    const h = newSession();
    reach(h);
    expect(h.session.state).toBe(state);
    if (timers) expect(pendingTimers(h.session)).not.toEqual([]);
    const callsBefore = [...h.calls];
    h.session.dispose();
    return { ...h, callsBefore };
  }

  test('keeps state, participants and endReason, calls nothing, and leaves no timer', () => {
    const h = newSession();
    reach(h);
    const participants = h.session.participants;
    const endReason = h.session.endReason;
    const before = [...h.calls];
    h.session.dispose();
    expect(h.session.state).toBe(state);
    expect(h.session.participants).toBe(participants);
    expect(h.session.endReason).toBe(endReason);
    expect(h.calls).toEqual(before);
    expect(pendingTimers(h.session)).toEqual([]);
    expect(CallSession.getInstance() === null, 'getInstance() is null').toBe(true);
  });

  test('advancing the clock fires nothing', () => {
    const h = disposedIn();
    advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
    h.clock.increment(10 * 24 * 3600 * 1000);
    expect(h.session.state).toBe(state);
    expect(h.calls).toEqual(h.callsBefore);
  });

  test('send, join and leave are ignored and can() is false', () => {
    const h = disposedIn();
    const participants = h.session.participants;
    for (const event of EVERY_EVENT) {
      expect(h.session.can(event), event.type).toBe(false);
      expect(() => h.session.send(event)).not.toThrow();
      expect(h.session.state).toBe(state);
      expect(h.session.participants).toBe(participants);
    }
    expect(() => h.session.join('s9')).not.toThrow();
    expect(() => h.session.leave()).not.toThrow();
    expect(h.session.state).toBe(state);
    expect(h.calls).toEqual(h.callsBefore);
    expect(pendingTimers(h.session)).toEqual([]);
  });

  test('malformed events are ignored silently, and can() is false for them', () => {
    const h = disposedIn();
    for (const bad of MALFORMED) {
      expect(h.session.can(bad as CallSessionEvent)).toBe(false);
      expect(() => h.session.send(bad as CallSessionEvent)).not.toThrow();
    }
    expect(() => h.session.join('')).not.toThrow();
    expect(h.session.state).toBe(state);
    expect(h.calls).toEqual(h.callsBefore);
  });

  test('a listener added after dispose is never called', () => {
    const h = disposedIn();
    const late: string[] = [];
    const listener = recorder(late);
    h.session.addSessionStatusListener(listener);
    h.session.addParticipantEventListener(listener);
    for (const event of EVERY_EVENT) h.session.send(event);
    advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
    expect(late).toEqual([]);
    expect(h.calls).toEqual(h.callsBefore);
  });

  test('dispose twice is harmless', () => {
    const h = disposedIn();
    expect(() => h.session.dispose()).not.toThrow();
    expect(h.session.state).toBe(state);
    advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
    expect(h.calls).toEqual(h.callsBefore);
    expect(pendingTimers(h.session)).toEqual([]);
  });
});

test('dispose in joined.alone cancels the idle countdown just before it would expire', () => {
  const h = newSession();
  h.session.join('s1');
  h.session.send({ type: 'session.joined' });
  advance(h.clock, IDLE_S - 1);
  h.clock.increment(999);
  h.session.dispose();
  h.clock.increment(1);
  advance(h.clock, IDLE_S);
  expect(h.session.state).toBe('joined.alone');
  expect(h.session.endReason).toBeNull();
  expect(h.calls).toEqual(['onSessionJoined']);
});

test('dispose in reconnecting cancels both the idle countdown and the reconnect bound', () => {
  const h = newSession();
  h.session.join('s1');
  h.session.send({ type: 'session.joined', participants: [{ uid: 'alice' }] });
  h.session.send({ type: 'participant.left', participant: { uid: 'alice' } });
  advance(h.clock, 2);
  h.session.send({ type: 'connection.lost' });
  expect(pendingTimers(h.session).length).toBeGreaterThanOrEqual(2);
  h.session.dispose();
  expect(pendingTimers(h.session)).toEqual([]);
  advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
  expect(h.session.state).toBe('reconnecting');
  expect(h.session.endReason).toBeNull();
  expect(h.calls).toEqual([
    'onSessionJoined',
    'onParticipantJoined:alice',
    'onParticipantListChanged:1',
    'onParticipantLeft:alice',
    'onParticipantListChanged:0',
    'onConnectionLost',
  ]);
});

test('dispose from inside a callback: no other callback fires, for this event or later', () => {
  const h = newSession();
  const after: string[] = [];
  h.session.addSessionStatusListener({ onSessionJoined: () => h.session.dispose() });
  const listener = recorder(after);
  h.session.addSessionStatusListener(listener);
  h.session.addParticipantEventListener(listener);
  h.session.join('s1');
  h.session.send({ type: 'session.joined', participants: [{ uid: 'alice' }] });
  expect(h.session.state).toBe('joined.accompanied');
  // The first recorder was added before the disposing listener, so it saw onSessionJoined.
  expect(h.calls).toEqual(['onSessionJoined']);
  expect(after).toEqual([]);
  h.session.send({ type: 'connection.lost' });
  advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
  expect(h.session.state).toBe('joined.accompanied');
  expect(pendingTimers(h.session)).toEqual([]);
  expect(h.calls).toEqual(['onSessionJoined']);
  expect(after).toEqual([]);
});

test('an event sent from a callback before dispose() in the same dispatch is not handled', () => {
  const h = newSession();
  h.session.addSessionStatusListener({
    onSessionJoined: () => {
      h.session.leave();
      h.session.dispose();
    },
  });
  h.session.join('s1');
  h.session.send({ type: 'session.joined' });
  expect(h.session.state).toBe('joined.alone');
  expect(h.calls).toEqual(['onSessionJoined']);
});

test('disposing one session leaves another one running', () => {
  const a = newSession();
  const b = newSession();
  a.session.join('a');
  a.session.send({ type: 'session.joined' });
  b.session.join('b');
  b.session.send({ type: 'session.joined' });
  a.session.dispose();
  expect(CallSession.getInstance() === b.session, 'getInstance() is b.session').toBe(true);
  advance(b.clock, IDLE_S);
  expect(b.session.state).toBe('timedOut');
  expect(b.calls).toEqual(['onSessionJoined', 'onSessionTimedOut']);
  expect(a.calls).toEqual(['onSessionJoined']);
  b.session.dispose();
});

describe('dispose()', () => {
  test('stops the session from outside: no callbacks, timers cancelled, state kept, can() false', () => {
    const { session, clock } = logs.newSession();
    const log: string[] = [];
    session.addSessionStatusListener(logs.statusLogger('A', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    session.dispose();
    session.dispose();
    expect(Object.keys(session.actor.system.getSnapshot()._scheduledEvents)).toEqual([]);
    clock.increment(60_000);
    clock.increment(1_000_000);
    expect(session.state).toBe('reconnecting');
    expect(session.can({ type: 'connection.restored' })).toBe(false);
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('reconnecting');
    expect(log).toEqual(['A:onSessionJoined', 'A:onConnectionLost']);
  });

  test('listeners added after dispose() are never called', () => {
    const { session } = logs.newSession();
    session.dispose();
    const log: string[] = [];
    session.addSessionStatusListener(logs.statusLogger('A', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual([]);
    expect(session.state).toBe('idle');
  });
});
