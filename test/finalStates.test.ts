// SPEC §2 "Exactly one terminal callback": left, timedOut and closed are final.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test } from 'vitest';
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type EndReason,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';
import { STATUS_CALLBACKS } from './support/status.js';

const IDLE_S = 10;
const RECONNECT_S = 30;

const TERMINAL = ['onSessionLeft', 'onSessionTimedOut', 'onConnectionClosed'];
/** All ten event types of SPEC §2, each with a valid payload. */
const EVERY_EVENT: readonly CallSessionEvent[] = [
  { type: 'session.join', sessionId: 's2' },
  { type: 'session.joined', participants: [{ uid: 'x' }] },
  { type: 'session.joined' },
  { type: 'session.joinFailed', error: new Error('nope') },
  { type: 'session.leave' },
  { type: 'session.removed' },
  { type: 'participant.joined', participant: { uid: 'x', name: 'X' } },
  { type: 'participant.joined', participant: { pid: 'p-alice', uid: 'alice' } },
  { type: 'participant.left', participant: { uid: 'alice' } },
  { type: 'participant.left', participant: { pid: 'p-alice', uid: 'alice' } },
  { type: 'connection.lost' },
  { type: 'connection.restored' },
  { type: 'connection.restored', participants: [{ uid: 'y' }] },
  { type: 'connection.restored', participants: [] },
  { type: 'connection.closed' },
];

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

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

/** A fresh session (idle 10 s, reconnect 30 s) with a listener recording every callback from creation on. */
function newSession(): Harness {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(IDLE_S)
    .setReconnectTimeoutPeriod(RECONNECT_S)
    .build();
  const session = createCallSession({ settings, clock });
  sessions.push(session);
  const calls: string[] = [];
  const listener = recorder(calls);
  session.addSessionStatusListener(listener);
  session.addParticipantEventListener(listener);
  return { session, clock, calls };
}

function joinAlone(h: Harness): void {
  h.session.join('s1');
  h.session.send({ type: 'session.joined' });
  expect(h.session.state).toBe('joined.alone');
}

function joinWithAlice(h: Harness): void {
  h.session.join('s1');
  h.session.send({ type: 'session.joined', participants: [{ uid: 'alice', name: 'Alice' }] });
  expect(h.session.state).toBe('joined.accompanied');
}

/** Moves the clock in one-second steps, so every timer due on the way fires. */
function advance(clock: SimulatedClock, seconds: number): void {
  for (let i = 0; i < seconds; i++) clock.increment(1_000);
}

interface Ending {
  name: string;
  reach: (h: Harness) => void;
  state: 'left' | 'timedOut' | 'closed';
  reason: EndReason;
  /** Every callback the whole session fired, in order. */
  calls: string[];
}

const ENDINGS: Ending[] = [
  {
    name: 'leave() while joined.alone',
    reach: (h) => {
      joinAlone(h);
      h.session.leave();
    },
    state: 'left',
    reason: 'user',
    calls: ['onSessionJoined', 'onSessionLeft'],
  },
  {
    name: 'session.leave while joined.accompanied',
    reach: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'session.leave' });
    },
    state: 'left',
    reason: 'user',
    calls: ['onSessionJoined', 'onParticipantJoined:alice', 'onParticipantListChanged:1', 'onSessionLeft'],
  },
  {
    name: 'leave() while reconnecting',
    reach: (h) => {
      joinAlone(h);
      h.session.send({ type: 'connection.lost' });
      h.session.leave();
    },
    state: 'left',
    reason: 'user',
    calls: ['onSessionJoined', 'onConnectionLost', 'onSessionLeft'],
  },
  {
    name: 'session.removed while joined.accompanied',
    reach: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'session.removed' });
    },
    state: 'left',
    reason: 'removed',
    calls: ['onSessionJoined', 'onParticipantJoined:alice', 'onParticipantListChanged:1', 'onSessionLeft'],
  },
  {
    name: 'session.removed while reconnecting',
    reach: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'connection.lost' });
      h.session.send({ type: 'session.removed' });
    },
    state: 'left',
    reason: 'removed',
    calls: [
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantListChanged:1',
      'onConnectionLost',
      'onSessionLeft',
    ],
  },
  {
    name: 'the idle timer in joined.alone',
    reach: (h) => {
      joinAlone(h);
      advance(h.clock, IDLE_S);
    },
    state: 'timedOut',
    reason: 'idleTimeout',
    calls: ['onSessionJoined', 'onSessionTimedOut'],
  },
  {
    name: 'the idle timer while reconnecting',
    reach: (h) => {
      joinAlone(h);
      advance(h.clock, 4);
      h.session.send({ type: 'connection.lost' });
      advance(h.clock, IDLE_S - 4);
    },
    state: 'timedOut',
    reason: 'idleTimeout',
    calls: ['onSessionJoined', 'onConnectionLost', 'onSessionTimedOut'],
  },
  {
    name: 'connection.closed while joined.alone',
    reach: (h) => {
      joinAlone(h);
      h.session.send({ type: 'connection.closed' });
    },
    state: 'closed',
    reason: 'server',
    calls: ['onSessionJoined', 'onConnectionClosed'],
  },
  {
    name: 'connection.closed while reconnecting',
    reach: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'connection.lost' });
      h.session.send({ type: 'connection.closed' });
    },
    state: 'closed',
    reason: 'server',
    calls: [
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantListChanged:1',
      'onConnectionLost',
      'onConnectionClosed',
    ],
  },
  {
    name: 'the reconnect timer',
    reach: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'connection.lost' });
      advance(h.clock, RECONNECT_S);
    },
    state: 'closed',
    reason: 'reconnectTimeout',
    calls: [
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantListChanged:1',
      'onConnectionLost',
      'onConnectionClosed',
    ],
  },
];

describe.each(ENDINGS)('ended by $name', (ending) => {
  test(`ends in ${ending.state} with endReason '${ending.reason}' and exactly one terminal callback`, () => {
    const h = newSession();
    let stateInCallback: string | undefined;
    h.session.addSessionStatusListener({
      onSessionLeft: () => (stateInCallback = h.session.state),
      onSessionTimedOut: () => (stateInCallback = h.session.state),
      onConnectionClosed: () => (stateInCallback = h.session.state),
    });
    ending.reach(h);
    expect(h.session.state).toBe(ending.state);
    expect(h.session.endReason).toBe(ending.reason);
    expect(stateInCallback).toBe(ending.state);
    expect(h.calls).toEqual(ending.calls);
    expect(h.calls.filter((c) => TERMINAL.includes(c))).toHaveLength(1);
    expect(CallSession.getInstance() === null, 'getInstance() is null').toBe(true);
  });

  test('the final state ignores every event: no change, no callback, can() false', () => {
    const h = newSession();
    ending.reach(h);
    const participants = h.session.participants;
    const before = [...h.calls];
    for (const event of EVERY_EVENT) {
      expect(h.session.can(event), event.type).toBe(false);
      expect(() => h.session.send(event)).not.toThrow();
      expect(h.session.state).toBe(ending.state);
      expect(h.session.endReason).toBe(ending.reason);
      expect(h.session.participants).toBe(participants);
    }
    expect(() => h.session.join('s3')).not.toThrow();
    expect(() => h.session.leave()).not.toThrow();
    expect(h.session.state).toBe(ending.state);
    expect(h.calls).toEqual(before);
  });

  test('time passing fires nothing', () => {
    const h = newSession();
    ending.reach(h);
    const before = [...h.calls];
    advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
    h.clock.increment(10 * 24 * 3600 * 1000);
    expect(h.session.state).toBe(ending.state);
    expect(h.session.endReason).toBe(ending.reason);
    expect(h.calls).toEqual(before);
  });

  test('a listener added after the end is never called', () => {
    const h = newSession();
    ending.reach(h);
    const late: string[] = [];
    const listener = recorder(late);
    h.session.addSessionStatusListener(listener);
    h.session.addParticipantEventListener(listener);
    for (const event of EVERY_EVENT) h.session.send(event);
    advance(h.clock, IDLE_S + RECONNECT_S);
    expect(late).toEqual([]);
  });
});

test('events sent from inside the terminal callback are ignored', () => {
  const h = newSession();
  joinWithAlice(h);
  let resent = false;
  h.session.addSessionStatusListener({
    onSessionLeft: () => {
      // Once only: were the state not final, re-sending on every call would loop forever.
      if (resent) return;
      resent = true;
      for (const event of EVERY_EVENT) h.session.send(event);
      h.session.leave();
    },
  });
  h.session.send({ type: 'session.removed' });
  advance(h.clock, IDLE_S + RECONNECT_S);
  expect(h.session.state).toBe('left');
  expect(h.session.endReason).toBe('removed');
  expect(h.calls.filter((c) => TERMINAL.includes(c))).toEqual(['onSessionLeft']);
});

test('no participant callback fires for the entry into a final state', () => {
  const h = newSession();
  joinWithAlice(h);
  h.session.send({ type: 'participant.joined', participant: { uid: 'bob' } });
  const before = h.calls.length;
  h.session.send({ type: 'connection.closed' });
  expect(h.calls.slice(before)).toEqual(['onConnectionClosed']);
});

describe('leaving joining without ever joining', () => {
  test('session.leave from joining goes back to idle with no callback', () => {
    const h = newSession();
    h.session.join('s1');
    expect(h.session.can({ type: 'session.leave' })).toBe(true);
    h.session.send({ type: 'session.leave' });
    expect(h.session.state).toBe('idle');
    expect(h.session.endReason).toBeNull();
    expect(h.calls).toEqual([]);
    expect(CallSession.getInstance() === h.session, 'getInstance() is h.session').toBe(true);
  });

  test('leave() from joining goes back to idle with no callback', () => {
    const h = newSession();
    h.session.join('s1');
    h.session.leave();
    expect(h.session.state).toBe('idle');
    expect(h.calls).toEqual([]);
  });

  test.each([
    ['with an error', { type: 'session.joinFailed', error: new Error('denied') }],
    ['without an error', { type: 'session.joinFailed' }],
  ] as const)('session.joinFailed %s goes back to idle with no callback', (_label, event) => {
    const h = newSession();
    h.session.join('s1');
    expect(h.session.can(event)).toBe(true);
    h.session.send(event);
    expect(h.session.state).toBe('idle');
    expect(h.session.endReason).toBeNull();
    expect(h.calls).toEqual([]);
  });

  test('idle after joinFailed / leave has no timer running', () => {
    const h = newSession();
    h.session.join('s1');
    h.session.send({ type: 'session.joinFailed' });
    h.session.join('s2');
    h.session.leave();
    advance(h.clock, 2 * (IDLE_S + RECONNECT_S));
    expect(h.session.state).toBe('idle');
    expect(h.calls).toEqual([]);
  });

  test.each([
    ['session.joinFailed', (s: CallSession) => s.send({ type: 'session.joinFailed' })],
    ['session.leave', (s: CallSession) => s.leave()],
  ] as const)('a new join after %s works and ends with one terminal callback', (_label, backOut) => {
    const h = newSession();
    h.session.join('s1');
    backOut(h.session);
    expect(h.session.can({ type: 'session.join', sessionId: 's2' })).toBe(true);
    h.session.join('s2');
    expect(h.session.state).toBe('joining');
    h.session.send({ type: 'session.joined' });
    expect(h.session.state).toBe('joined.alone');
    advance(h.clock, IDLE_S - 1);
    expect(h.session.state).toBe('joined.alone');
    advance(h.clock, 1);
    expect(h.session.state).toBe('timedOut');
    expect(h.session.endReason).toBe('idleTimeout');
    expect(h.calls).toEqual(['onSessionJoined', 'onSessionTimedOut']);
  });
});

describe('a second session.joined while joined is ignored', () => {
  test('in joined.alone: no change, no callback, and the idle countdown is not restarted', () => {
    const h = newSession();
    joinAlone(h);
    advance(h.clock, 6);
    const participants = h.session.participants;
    const second: CallSessionEvent = { type: 'session.joined', participants: [{ uid: 'zed' }] };
    expect(h.session.can(second)).toBe(false);
    expect(h.session.can({ type: 'session.joined' })).toBe(false);
    h.session.send(second);
    h.session.send({ type: 'session.joined' });
    expect(h.session.state).toBe('joined.alone');
    expect(h.session.participants).toBe(participants);
    expect(h.calls).toEqual(['onSessionJoined']);
    advance(h.clock, IDLE_S - 6 - 1);
    expect(h.session.state).toBe('joined.alone');
    advance(h.clock, 1);
    expect(h.session.state).toBe('timedOut');
    expect(h.calls).toEqual(['onSessionJoined', 'onSessionTimedOut']);
  });

  test('in joined.accompanied: an empty list does not empty the roster', () => {
    const h = newSession();
    joinWithAlice(h);
    const participants = h.session.participants;
    const before = [...h.calls];
    expect(h.session.can({ type: 'session.joined', participants: [] })).toBe(false);
    h.session.send({ type: 'session.joined', participants: [] });
    expect(h.session.state).toBe('joined.accompanied');
    expect(h.session.participants).toBe(participants);
    expect(h.calls).toEqual(before);
  });

  test('in reconnecting: ignored as well', () => {
    const h = newSession();
    joinWithAlice(h);
    h.session.send({ type: 'connection.lost' });
    const before = [...h.calls];
    expect(h.session.can({ type: 'session.joined' })).toBe(false);
    h.session.send({ type: 'session.joined' });
    expect(h.session.state).toBe('reconnecting');
    expect(h.calls).toEqual(before);
  });
});
