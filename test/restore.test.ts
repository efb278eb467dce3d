// Persist and restore (brief, Addendum): `session.getPersistedSnapshot()` is plain JSON
// with absolute deadlines; `restoreCallSession(snapshot)` resumes every state, each
// running countdown with the time it has left on the restoring clock, a deadline that
// passed while stored on the next tick, and refuses anything malformed or foreign with
// a TypeError before starting anything.
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type CallSessionOptions,
  type CallSessionState,
  type EndReason,
  type Participant,
  type ParticipantEventListener,
  type PersistedCallSession,
  type SessionSettings,
  type SessionStatusListener,
} from '../src/index.js';
import { CountingClock } from './support/countingClock.js';
import { STATUS_CALLBACKS } from './support/status.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
/** Where the saving clock starts, so that deadlines are not small by accident. */
const T0 = 1_000_000;

const alice: Participant = { uid: 'alice', name: 'Alice' };
const bob: Participant = { pid: 'bob-pid', uid: 'bob', name: 'Bob', avatar: 'https://example.test/bob.png' };
const carol: Participant = { uid: 'carol' };

type StatusCallback = (typeof STATUS_CALLBACKS)[number];

function settingsOf(idleSeconds: number, reconnectSeconds: number): SessionSettings {
  return new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idleSeconds)
    .setReconnectTimeoutPeriod(reconnectSeconds)
    .build();
}

const idOf = (p: Participant): string => p.pid ?? p.uid ?? '?';

/** Adds a listener recording every callback (status as `name@state`, participants by identity). */
function record(session: CallSession): string[] {
  const calls: string[] = [];
  const status: SessionStatusListener = {};
  for (const name of STATUS_CALLBACKS) status[name] = () => calls.push(`${name}@${session.state}`);
  const participants: ParticipantEventListener = {
    onParticipantJoined: (p) => calls.push(`joined:${idOf(p)}`),
    onParticipantLeft: (p) => calls.push(`left:${idOf(p)}`),
    onParticipantListChanged: (list) => calls.push(`list:${list.map(idOf).join(',')}`),
  };
  session.addSessionStatusListener(status);
  session.addParticipantEventListener(participants);
  return calls;
}

interface Running {
  session: CallSession;
  clock: CountingClock;
  calls: string[];
}

/** A session on a counting simulated clock that starts at T0. */
function liveSession(settings: SessionSettings): Running {
  const clock = new CountingClock();
  clock.set(T0);
  const session = createCallSession({ settings, clock });
  return { session, clock, calls: record(session) };
}

/** Saves `session` as a store would: through JSON. */
function stored(session: CallSession): PersistedCallSession {
  return JSON.parse(JSON.stringify(session.getPersistedSnapshot())) as PersistedCallSession;
}

/** Restores on a fresh counting clock set to `now`, with listeners added right after creation. */
function restoreAt(snapshot: PersistedCallSession, now: number, options: CallSessionOptions = {}): Running {
  const clock = new CountingClock();
  clock.set(now);
  const session = restoreCallSession(snapshot, { ...options, clock });
  return { session, clock, calls: record(session) };
}

/** Every state of the chart, reached on a live session from T0, with what its persisted form must hold. */
interface Scenario {
  name: string;
  settings: SessionSettings;
  reach: (r: Running) => void;
  expected: Omit<PersistedCallSession, 'format' | 'version' | 'settings'>;
}

const S10_5 = settingsOf(10, 5);
const S10_60 = settingsOf(10, 60);

const SCENARIOS: Scenario[] = [
  {
    name: 'idle',
    settings: S10_5,
    reach: () => undefined,
    expected: {
      state: 'idle',
      resumeTo: null,
      sessionId: null,
      participants: [],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: null,
    },
  },
  {
    name: 'joining',
    settings: S10_5,
    reach: ({ session }) => session.join('s1'),
    expected: {
      state: 'joining',
      resumeTo: null,
      sessionId: 's1',
      participants: [],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: null,
    },
  },
  {
    name: 'joined.alone',
    settings: S10_5,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined' });
      clock.increment(3 * SECOND);
    },
    expected: {
      state: 'joined.alone',
      resumeTo: null,
      sessionId: 's1',
      participants: [],
      idleDeadline: T0 + 10 * SECOND,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: null,
    },
  },
  {
    name: 'joined.accompanied',
    settings: S10_5,
    reach: ({ session }) => {
      session.join('s1');
      session.send({ type: 'session.joined', participants: [alice, { uid: 'me', isLocal: true }, bob] });
    },
    expected: {
      state: 'joined.accompanied',
      resumeTo: null,
      sessionId: 's1',
      participants: [alice, bob],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: null,
    },
  },
  {
    name: 'reconnecting (lost while alone)',
    settings: S10_5,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined' });
      clock.increment(2 * SECOND);
      session.send({ type: 'connection.lost' });
    },
    expected: {
      state: 'reconnecting',
      resumeTo: 'alone',
      sessionId: 's1',
      participants: [],
      idleDeadline: T0 + 10 * SECOND,
      idleWarningAt: null,
      reconnectDeadline: T0 + 7 * SECOND,
      endReason: null,
    },
  },
  {
    name: 'reconnecting (lost while accompanied)',
    settings: S10_5,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined', participants: [alice] });
      clock.increment(2 * SECOND);
      session.send({ type: 'connection.lost' });
    },
    expected: {
      state: 'reconnecting',
      resumeTo: 'accompanied',
      sessionId: 's1',
      participants: [alice],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: T0 + 7 * SECOND,
      endReason: null,
    },
  },
  {
    name: 'reconnecting (lost while accompanied, after someone left and someone came)',
    settings: S10_5,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined' });
      clock.increment(SECOND);
      session.send({ type: 'participant.joined', participant: alice });
      session.send({ type: 'participant.joined', participant: carol });
      session.send({ type: 'participant.left', participant: alice });
      clock.increment(SECOND);
      session.send({ type: 'connection.lost' });
    },
    expected: {
      state: 'reconnecting',
      resumeTo: 'accompanied',
      sessionId: 's1',
      participants: [carol],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: T0 + 7 * SECOND,
      endReason: null,
    },
  },
  {
    name: 'left (user)',
    settings: S10_5,
    reach: ({ session }) => {
      session.join('s1');
      session.send({ type: 'session.joined', participants: [alice] });
      session.leave();
    },
    expected: {
      state: 'left',
      resumeTo: null,
      sessionId: 's1',
      participants: [alice],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: 'user',
    },
  },
  {
    name: 'left (removed)',
    settings: S10_5,
    reach: ({ session }) => {
      session.join('s1');
      session.send({ type: 'session.joined' });
      session.send({ type: 'session.removed' });
    },
    expected: {
      state: 'left',
      resumeTo: null,
      sessionId: 's1',
      participants: [],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: 'removed',
    },
  },
  {
    name: 'timedOut',
    settings: S10_5,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined' });
      clock.increment(10 * SECOND);
    },
    expected: {
      state: 'timedOut',
      resumeTo: null,
      sessionId: 's1',
      participants: [],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: 'idleTimeout',
    },
  },
  {
    name: 'closed (server)',
    settings: S10_5,
    reach: ({ session }) => {
      session.join('s1');
      session.send({ type: 'session.joined', participants: [alice] });
      session.send({ type: 'connection.closed' });
    },
    expected: {
      state: 'closed',
      resumeTo: null,
      sessionId: 's1',
      participants: [alice],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: 'server',
    },
  },
  {
    name: 'closed (reconnectTimeout)',
    settings: S10_60,
    reach: ({ session, clock }) => {
      session.join('s1');
      session.send({ type: 'session.joined', participants: [alice] });
      session.send({ type: 'connection.lost' });
      clock.increment(60 * SECOND);
    },
    expected: {
      state: 'closed',
      resumeTo: null,
      sessionId: 's1',
      participants: [alice],
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      endReason: 'reconnectTimeout',
    },
  },
];

function reached(scenario: Scenario): Running {
  const r = liveSession(scenario.settings);
  scenario.reach(r);
  expect(r.session.state).toBe(scenario.expected.state);
  return r;
}

const FINAL_STATES: readonly CallSessionState[] = ['left', 'timedOut', 'closed'];

/** Valid events of every type, for checking that a final session ignores all of them. */
const EVERY_EVENT: readonly CallSessionEvent[] = [
  { type: 'session.join', sessionId: 's2' },
  { type: 'session.joined' },
  { type: 'session.joined', participants: [carol] },
  { type: 'session.joinFailed' },
  { type: 'session.leave' },
  { type: 'session.removed' },
  { type: 'participant.joined', participant: carol },
  { type: 'participant.left', participant: alice },
  { type: 'connection.lost' },
  { type: 'connection.restored' },
  { type: 'connection.restored', participants: [carol] },
  { type: 'connection.closed' },
];

describe('getPersistedSnapshot()', () => {
  test.each(SCENARIOS)('in $name: JSON-safe, with state, participants, settings and absolute deadlines', (scenario) => {
    const { session } = reached(scenario);
    const persisted = session.getPersistedSnapshot();
    expect(JSON.parse(JSON.stringify(persisted))).toStrictEqual(persisted);
    expect(persisted).toStrictEqual({
      format: 'call-session-machine/session',
      version: 2,
      settings: {
        idleTimeoutPeriod: scenario.settings.idleTimeoutPeriod,
        reconnectTimeoutPeriod: scenario.settings.reconnectTimeoutPeriod,
        idleWarningPeriod: 0,
        type: 'VIDEO',
      },
      ...scenario.expected,
    });
    session.dispose();
  });

  test('a snapshot is a copy: changing it does not touch the session', () => {
    const { session } = reached(SCENARIOS[3]!);
    const persisted = session.getPersistedSnapshot() as unknown as { participants: { name?: string }[] };
    const before = session.participants;
    try {
      persisted.participants[0]!.name = 'Mallory';
    } catch {
      // a frozen copy is fine too
    }
    expect(session.participants).toBe(before);
    expect(session.participants[0]).toEqual(alice);
    session.dispose();
  });

  test('deadlines stay absolute across a restore: saving again later gives the same deadlines', () => {
    const scenario = SCENARIOS.find((s) => s.name === 'reconnecting (lost while alone)')!;
    const saved = stored(reached(scenario).session);
    const r = restoreAt(saved, T0 + 3 * SECOND);
    r.clock.increment(1_500);
    expect(r.session.getPersistedSnapshot()).toStrictEqual(saved);
    r.session.dispose();
  });
});

describe('restoring every state', () => {
  test.each(SCENARIOS)(
    '$name: same state, participants, endReason; saving again gives the same snapshot',
    (scenario) => {
      const live = reached(scenario);
      const saved = stored(live.session);
      live.session.dispose();
      const r = restoreAt(saved, live.clock.now());
      expect(r.session.state).toBe(scenario.expected.state);
      expect(r.session.participants).toEqual(scenario.expected.participants);
      expect(Object.isFrozen(r.session.participants)).toBe(true);
      expect(r.session.endReason).toBe(scenario.expected.endReason);
      expect(r.session.getPersistedSnapshot()).toStrictEqual(saved);
      expect(r.calls).toEqual([]);
      const final = FINAL_STATES.includes(scenario.expected.state);
      expect(CallSession.getInstance()).toBe(final ? null : r.session);
      // One timer per running countdown, no more.
      const countdowns =
        Number(scenario.expected.idleDeadline !== null) + Number(scenario.expected.reconnectDeadline !== null);
      expect(r.clock.pending).toBe(countdowns);
      r.session.dispose();
      expect(r.clock.pending).toBe(0);
      expect(r.clock.balance).toBe(0);
    },
  );

  test('idle: join and joined work, and the idle countdown starts afresh on the restoring clock', () => {
    const saved = stored(reached(SCENARIOS[0]!).session);
    const r = restoreAt(saved, 5 * HOUR);
    r.session.join('later');
    expect(r.session.state).toBe('joining');
    r.session.send({ type: 'session.joined' });
    expect(r.calls).toEqual(['onSessionJoined@joined.alone']);
    r.clock.increment(10 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
    expect(r.session.getPersistedSnapshot().sessionId).toBe('later');
    expect(r.clock.pending).toBe(0);
  });

  test('joining: session.joined fires onSessionJoined and the initial list, then the countdown runs its full period', () => {
    const saved = stored(reached(SCENARIOS[1]!).session);
    const r = restoreAt(saved, 5 * HOUR);
    r.session.send({ type: 'session.joined', participants: [alice] });
    expect(r.calls).toEqual(['onSessionJoined@joined.accompanied', 'joined:alice', 'list:alice']);
    r.session.send({ type: 'participant.left', participant: alice });
    r.clock.increment(10 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.session.state).toBe('timedOut');
    expect(r.calls.filter((c) => c.startsWith('onSessionTimedOut'))).toHaveLength(1);
  });

  test('joining: joinFailed goes back to idle and forgets the session id', () => {
    const saved = stored(reached(SCENARIOS[1]!).session);
    const r = restoreAt(saved, T0);
    r.session.send({ type: 'session.joinFailed' });
    expect(r.session.state).toBe('idle');
    expect(r.session.getPersistedSnapshot().sessionId).toBeNull();
    expect(r.calls).toEqual([]);
  });

  test('joined.accompanied: no timer runs; a lost connection starts the (saved) reconnect bound', () => {
    const saved = stored(reached(SCENARIOS[3]!).session);
    const r = restoreAt(saved, 2 * HOUR);
    expect(r.clock.setCount).toBe(0);
    r.clock.increment(HOUR);
    expect(r.session.state).toBe('joined.accompanied');
    r.session.send({ type: 'connection.lost' });
    r.clock.increment(5 * SECOND - 1);
    expect(r.session.state).toBe('reconnecting');
    r.clock.increment(1);
    expect(r.calls).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    expect(r.session.endReason).toBe('reconnectTimeout');
    expect(r.clock.pending).toBe(0);
  });
});

/** A running countdown, saved from a live session, and what its expiry must do. */
interface Countdown {
  name: string;
  scenario: Scenario;
  /** When the countdown (or the state it is measured in) started, and when it ends. */
  start: number;
  end: number;
  outcome: { state: CallSessionState; endReason: EndReason; callback: StatusCallback };
}

function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

const lostAloneWithLongBound: Scenario = {
  ...scenario('reconnecting (lost while alone)'),
  name: 'reconnecting (lost while alone, reconnect bound 60 s)',
  settings: S10_60,
  expected: { ...scenario('reconnecting (lost while alone)').expected, reconnectDeadline: T0 + 62 * SECOND },
};

/** Idle 10 s from T0, lost at T0 + 5 s with a 5 s bound: both end at T0 + 10 s. */
const lostAloneOnTie: Scenario = {
  name: 'reconnecting (lost while alone, both deadlines on one instant)',
  settings: S10_5,
  reach: ({ session, clock }) => {
    session.join('s1');
    session.send({ type: 'session.joined' });
    clock.increment(5 * SECOND);
    session.send({ type: 'connection.lost' });
  },
  expected: {
    state: 'reconnecting',
    resumeTo: 'alone',
    sessionId: 's1',
    participants: [],
    idleDeadline: T0 + 10 * SECOND,
    idleWarningAt: null,
    reconnectDeadline: T0 + 10 * SECOND,
    endReason: null,
  },
};

const TIMED_OUT = { state: 'timedOut', endReason: 'idleTimeout', callback: 'onSessionTimedOut' } as const;
const RECONNECT_CLOSED = { state: 'closed', endReason: 'reconnectTimeout', callback: 'onConnectionClosed' } as const;

const COUNTDOWNS: Countdown[] = [
  {
    name: 'idle countdown in joined.alone',
    scenario: scenario('joined.alone'),
    start: T0,
    end: T0 + 10 * SECOND,
    outcome: TIMED_OUT,
  },
  {
    name: 'reconnect bound, lost while alone (ends before the idle countdown)',
    scenario: scenario('reconnecting (lost while alone)'),
    start: T0 + 2 * SECOND,
    end: T0 + 7 * SECOND,
    outcome: RECONNECT_CLOSED,
  },
  {
    name: 'idle countdown carried through reconnecting (ends before the reconnect bound)',
    scenario: lostAloneWithLongBound,
    start: T0 + 2 * SECOND,
    end: T0 + 10 * SECOND,
    outcome: TIMED_OUT,
  },
  {
    name: 'reconnect bound, lost while accompanied',
    scenario: scenario('reconnecting (lost while accompanied)'),
    start: T0 + 2 * SECOND,
    end: T0 + 7 * SECOND,
    outcome: RECONNECT_CLOSED,
  },
  {
    name: 'idle and reconnect deadlines on one instant',
    scenario: lostAloneOnTie,
    start: T0 + 5 * SECOND,
    end: T0 + 10 * SECOND,
    outcome: TIMED_OUT,
  },
];

/** Where inside the countdown the restore happens, as a function of its length. */
const POINTS: readonly { label: string; offset: (length: number) => number }[] = [
  { label: 'at its start', offset: () => 0 },
  { label: '1 ms in', offset: () => 1 },
  { label: 'in the middle', offset: (length) => Math.floor(length / 2) },
  { label: '1 ms before its end', offset: (length) => length - 1 },
  { label: 'exactly at its end', offset: (length) => length },
  { label: '1 ms after its end', offset: (length) => length + 1 },
  { label: '1 s after its end', offset: (length) => length + SECOND },
];

describe.each(COUNTDOWNS)('restoring with a running $name', ({ scenario: sc, start, end, outcome }) => {
  test('the saved snapshot holds the countdown as an absolute deadline', () => {
    const saved = stored(reached(sc).session);
    expect(saved.state).toBe(sc.expected.state);
    expect([saved.idleDeadline, saved.reconnectDeadline]).toContain(end);
  });

  test.each(POINTS)('restored $label: fires after the time left, not before, exactly once', ({ offset }) => {
    const saved = stored(reached(sc).session);
    const now = start + offset(end - start);
    const left = Math.max(0, end - now);
    const r = restoreAt(saved, now);
    expect(r.session.state).toBe(sc.expected.state);
    expect(r.calls).toEqual([]);
    if (left > 0) {
      r.clock.increment(left - 1);
      expect(r.session.state).toBe(sc.expected.state);
      expect(r.calls).toEqual([]);
      r.clock.increment(1);
    } else {
      // Passed while stored: nothing before the next tick, then at once.
      r.clock.increment(0);
    }
    expect(r.calls).toEqual([`${outcome.callback}@${outcome.state}`]);
    expect(r.session.state).toBe(outcome.state);
    expect(r.session.endReason).toBe(outcome.endReason);
    r.clock.increment(HOUR);
    r.clock.increment(HOUR);
    expect(r.calls).toEqual([`${outcome.callback}@${outcome.state}`]);
    expect(r.clock.pending).toBe(0);
    expect(r.clock.balance).toBe(0);
    expect(CallSession.getInstance()).toBeNull();
  });
});

describe('connection.restored after restoring reconnecting', () => {
  test('lost while alone, no list: back to joined.alone, and the idle countdown goes on with the time it has left', () => {
    const saved = stored(reached(lostAloneWithLongBound).session);
    const r = restoreAt(saved, T0 + 4 * SECOND);
    r.session.send({ type: 'connection.restored' });
    expect(r.session.state).toBe('joined.alone');
    expect(r.calls).toEqual(['onConnectionRestored@joined.alone']);
    expect(r.clock.pending).toBe(1);
    r.clock.increment(6 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.calls).toEqual(['onConnectionRestored@joined.alone', 'onSessionTimedOut@timedOut']);
    r.clock.increment(2 * HOUR);
    expect(r.calls).toHaveLength(2);
    expect(r.clock.pending).toBe(0);
  });

  test('lost while alone with the reconnect bound ending first: restored in time, the bound no longer fires', () => {
    const saved = stored(reached(scenario('reconnecting (lost while alone)')).session);
    const r = restoreAt(saved, T0 + 7 * SECOND - 1);
    r.session.send({ type: 'connection.restored' });
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(3 * SECOND);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.calls).toEqual(['onConnectionRestored@joined.alone', 'onSessionTimedOut@timedOut']);
    expect(r.clock.pending).toBe(0);
  });

  test('lost while accompanied, no list: back to joined.accompanied with the same participants, no timer left', () => {
    const sc = scenario('reconnecting (lost while accompanied, after someone left and someone came)');
    const saved = stored(reached(sc).session);
    const r = restoreAt(saved, T0 + 3 * SECOND);
    const before = r.session.participants;
    r.session.send({ type: 'connection.restored' });
    expect(r.session.state).toBe('joined.accompanied');
    expect(r.calls).toEqual(['onConnectionRestored@joined.accompanied']);
    expect(r.session.participants).toBe(before);
    expect(r.session.participants).toEqual([carol]);
    expect(r.clock.pending).toBe(0);
    r.clock.increment(HOUR);
    expect(r.session.state).toBe('joined.accompanied');
  });

  test('lost while alone, resync with a participant: accompanied, the idle countdown stops', () => {
    const saved = stored(reached(lostAloneWithLongBound).session);
    const r = restoreAt(saved, T0 + 4 * SECOND);
    r.session.send({ type: 'connection.restored', participants: [carol] });
    expect(r.session.state).toBe('joined.accompanied');
    expect(r.calls).toEqual(['onConnectionRestored@joined.accompanied', 'joined:carol', 'list:carol']);
    expect(r.clock.pending).toBe(0);
  });

  test('lost while alone, resync with an empty list: alone, continuing the running countdown', () => {
    const saved = stored(reached(lostAloneWithLongBound).session);
    const r = restoreAt(saved, T0 + 4 * SECOND);
    r.session.send({ type: 'connection.restored', participants: [] });
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(6 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.session.state).toBe('timedOut');
  });

  test('lost while accompanied, resync: the diff is against the restored participants', () => {
    const live = liveSession(S10_5);
    live.session.join('s1');
    live.session.send({ type: 'session.joined', participants: [alice, bob] });
    live.session.send({ type: 'connection.lost' });
    const saved = stored(live.session);
    const r = restoreAt(saved, T0 + SECOND);
    r.session.send({ type: 'connection.restored', participants: [bob, carol] });
    expect(r.calls).toEqual([
      'onConnectionRestored@joined.accompanied',
      'joined:carol',
      'left:alice',
      'list:bob-pid,carol',
    ]);
    expect(r.session.participants).toEqual([bob, carol]);
  });

  test('the same list as stored: no participant callback', () => {
    const live = liveSession(S10_5);
    live.session.join('s1');
    live.session.send({ type: 'session.joined', participants: [alice, bob] });
    live.session.send({ type: 'connection.lost' });
    const saved = stored(live.session);
    const r = restoreAt(saved, T0 + SECOND);
    const before = r.session.participants;
    r.session.send({ type: 'connection.restored', participants: [alice, bob] });
    expect(r.calls).toEqual(['onConnectionRestored@joined.accompanied']);
    expect(r.session.participants).toBe(before);
  });
});

describe('deadlines that passed while stored', () => {
  test.each([
    { name: 'reconnect bound first', sc: scenario('reconnecting (lost while alone)'), outcome: RECONNECT_CLOSED },
    { name: 'idle deadline first', sc: lostAloneWithLongBound, outcome: TIMED_OUT },
    { name: 'both on one instant', sc: lostAloneOnTie, outcome: TIMED_OUT },
  ])('both passed, $name: only the earlier one happens, on the next tick, once', ({ sc, outcome }) => {
    const saved = stored(reached(sc).session);
    const r = restoreAt(saved, T0 + 5 * HOUR);
    expect(r.session.state).toBe('reconnecting');
    expect(r.calls).toEqual([]);
    r.clock.increment(0);
    expect(r.calls).toEqual([`${outcome.callback}@${outcome.state}`]);
    expect(r.session.endReason).toBe(outcome.endReason);
    r.clock.increment(HOUR);
    expect(r.calls).toEqual([`${outcome.callback}@${outcome.state}`]);
    expect(r.clock.pending).toBe(0);
    expect(r.clock.balance).toBe(0);
  });

  test('an event the state ignores, sent before the tick, leaves the pending expiry alone', () => {
    const saved = stored(reached(lostAloneOnTie).session);
    const r = restoreAt(saved, T0 + HOUR);
    // Not accepted in reconnecting: ignored, the pending expiry stays.
    r.session.send({ type: 'participant.joined', participant: carol });
    expect(r.calls).toEqual([]);
    r.clock.increment(0);
    expect(r.calls).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('a passed deadline fires on the next increment of any size, too, exactly once', () => {
    const saved = stored(reached(scenario('joined.alone')).session);
    const r = restoreAt(saved, T0 + HOUR);
    r.clock.increment(7 * SECOND);
    expect(r.calls).toEqual(['onSessionTimedOut@timedOut']);
    r.clock.increment(HOUR);
    expect(r.calls).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('an event sent before the tick wins: leave() right after restoring a passed deadline ends in left', () => {
    const saved = stored(reached(scenario('joined.alone')).session);
    const r = restoreAt(saved, T0 + HOUR);
    r.session.leave();
    r.clock.increment(0);
    expect(r.calls).toEqual(['onSessionLeft@left']);
    expect(r.clock.pending).toBe(0);
  });

  test('every listener added synchronously after creation is called, once each', () => {
    const saved = stored(reached(scenario('reconnecting (lost while alone)')).session);
    const clock = new CountingClock();
    clock.set(T0 + HOUR);
    const session = restoreCallSession(saved, { clock });
    const first = vi.fn();
    const second = vi.fn();
    session.addSessionStatusListener({ onConnectionClosed: first });
    session.addSessionStatusListener({ onConnectionClosed: second, onSessionTimedOut: second });
    clock.increment(0);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
  });
});

describe('restoring with vitest fake timers and no clock option', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a running idle countdown resumes with the time it has left', () => {
    const saved = stored(reached(scenario('joined.alone')).session);
    vi.useFakeTimers();
    vi.setSystemTime(T0 + 4 * SECOND);
    const session = restoreCallSession(saved);
    const calls = record(session);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(6 * SECOND - 1);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['onSessionTimedOut@timedOut']);
    vi.advanceTimersByTime(HOUR);
    expect(calls).toEqual(['onSessionTimedOut@timedOut']);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('reconnecting: restored without a list, the idle countdown continues', () => {
    const saved = stored(reached(lostAloneWithLongBound).session);
    vi.useFakeTimers();
    vi.setSystemTime(T0 + 4 * SECOND);
    const session = restoreCallSession(saved);
    const calls = record(session);
    session.send({ type: 'connection.restored' });
    vi.advanceTimersByTime(6 * SECOND - 1);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['onConnectionRestored@joined.alone', 'onSessionTimedOut@timedOut']);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a deadline that passed while stored fires on the next tick, once', () => {
    const saved = stored(reached(scenario('reconnecting (lost while alone)')).session);
    vi.useFakeTimers();
    vi.setSystemTime(T0 + HOUR);
    const session = restoreCallSession(saved);
    const calls = record(session);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(calls).toEqual(['onConnectionClosed@closed']);
    expect(session.endReason).toBe('reconnectTimeout');
    vi.advanceTimersByTime(HOUR);
    expect(calls).toEqual(['onConnectionClosed@closed']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('final states restore as final', () => {
  const finals = SCENARIOS.filter((s) => FINAL_STATES.includes(s.expected.state));

  test.each(finals)('$name: every event ignored, can() false, no instance, no timer, no callback', (sc) => {
    const saved = stored(reached(sc).session);
    const r = restoreAt(saved, T0 + HOUR);
    expect(CallSession.getInstance()).toBeNull();
    for (const event of EVERY_EVENT) {
      expect(r.session.can(event), event.type).toBe(false);
      expect(() => r.session.send(event)).not.toThrow();
    }
    r.session.join('again');
    r.session.leave();
    r.clock.increment(HOUR);
    expect(r.session.state).toBe(sc.expected.state);
    expect(r.session.endReason).toBe(sc.expected.endReason);
    expect(r.session.participants).toEqual(sc.expected.participants);
    expect(r.calls).toEqual([]);
    expect(r.clock.setCount).toBe(0);
    expect(r.session.getPersistedSnapshot()).toStrictEqual(saved);
  });
});

describe('participants', () => {
  function restoredWithAliceAndBob(): Running {
    const live = liveSession(S10_5);
    live.session.join('s1');
    live.session.send({ type: 'session.joined', participants: [alice, bob] });
    const saved = stored(live.session);
    live.session.dispose();
    return restoreAt(saved, T0 + HOUR);
  }

  test('restored with the same identities and fields, in order, as a frozen list', () => {
    const r = restoredWithAliceAndBob();
    expect(r.session.participants).toEqual([alice, bob]);
    expect(Object.isFrozen(r.session.participants)).toBe(true);
    expect(r.session.participants).toBe(r.session.participants);
  });

  test('later participant events diff against the restored list', () => {
    const r = restoredWithAliceAndBob();
    // Already present: an update in place, list change only.
    r.session.send({ type: 'participant.joined', participant: { pid: 'bob-pid', name: 'Robert' } });
    expect(r.calls).toEqual(['list:alice,bob-pid']);
    expect(r.session.participants[1]).toEqual({ pid: 'bob-pid', name: 'Robert' });
    // uid "bob" is a different identity from pid "bob-pid".
    expect(r.session.can({ type: 'participant.left', participant: { uid: 'bob' } })).toBe(false);
    r.session.send({ type: 'participant.left', participant: alice });
    expect(r.calls).toEqual(['list:alice,bob-pid', 'left:alice', 'list:bob-pid']);
    expect(r.session.state).toBe('joined.accompanied');
    r.session.send({ type: 'participant.joined', participant: carol });
    r.session.send({ type: 'participant.left', participant: { pid: 'bob-pid' } });
    r.session.send({ type: 'participant.left', participant: carol });
    expect(r.session.state).toBe('joined.alone');
    expect(r.calls.slice(3)).toEqual([
      'joined:carol',
      'list:bob-pid,carol',
      'left:bob-pid',
      'list:carol',
      'left:carol',
      'list:',
    ]);
    // Alone again: a fresh countdown of the full period on the restoring clock.
    r.clock.increment(10 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.session.state).toBe('timedOut');
  });

  test('an unrelated first event after restore fires no participant callback', () => {
    const r = restoredWithAliceAndBob();
    r.session.send({ type: 'connection.lost' });
    expect(r.calls).toEqual(['onConnectionLost@reconnecting']);
    r.session.send({ type: 'connection.restored' });
    expect(r.calls).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
  });

  test('the restored session does not share objects with the stored snapshot', () => {
    const live = liveSession(S10_5);
    live.session.join('s1');
    live.session.send({ type: 'session.joined', participants: [alice] });
    const saved = stored(live.session) as unknown as { participants: { name?: string }[] };
    const r = restoreAt(saved as unknown as PersistedCallSession, T0);
    saved.participants[0]!.name = 'Mallory';
    expect(r.session.participants[0]!.name).toBe('Alice');
  });
});

describe('malformed or foreign snapshots', () => {
  const base = (): Record<string, unknown> => ({ ...stored(reached(scenario('joined.alone')).session) });
  const accompanied = (): Record<string, unknown> => ({ ...stored(reached(scenario('joined.accompanied')).session) });
  const reconnecting = (): Record<string, unknown> => ({
    ...stored(reached(scenario('reconnecting (lost while alone)')).session),
  });
  const idle = (): Record<string, unknown> => ({ ...stored(reached(scenario('idle')).session) });
  const left = (): Record<string, unknown> => ({ ...stored(reached(scenario('left (user)')).session) });
  const closed = (): Record<string, unknown> => ({ ...stored(reached(scenario('closed (server)')).session) });

  function xstateSnapshot(): unknown {
    const { session } = reached(scenario('joined.alone'));
    return JSON.parse(JSON.stringify(session.actor.getPersistedSnapshot()));
  }

  const BAD: readonly { name: string; make: () => unknown }[] = [
    { name: 'null', make: () => null },
    { name: 'a number', make: () => 42 },
    { name: 'a string', make: () => 'joined.alone' },
    { name: 'an array', make: () => [base()] },
    { name: 'an empty object', make: () => ({}) },
    { name: 'no format', make: () => ({ ...base(), format: undefined }) },
    { name: 'a foreign format', make: () => ({ ...base(), format: 'xstate' }) },
    { name: 'no version', make: () => ({ ...base(), version: undefined }) },
    { name: 'a future version (3)', make: () => ({ ...base(), version: 3 }) },
    { name: 'version as a string', make: () => ({ ...base(), version: '1' }) },
    { name: 'an unknown state value', make: () => ({ ...base(), state: 'joined' }) },
    { name: 'an xstate state value', make: () => ({ ...base(), state: { joined: 'alone' } }) },
    { name: 'participants not an array', make: () => ({ ...accompanied(), participants: { 0: alice } }) },
    { name: 'participants missing', make: () => ({ ...accompanied(), participants: undefined }) },
    {
      name: 'a participant without uid or pid',
      make: () => ({ ...accompanied(), participants: [{ name: 'Nobody' }] }),
    },
    { name: 'a participant that is not an object', make: () => ({ ...accompanied(), participants: ['alice'] }) },
    { name: 'a participant with a numeric uid', make: () => ({ ...accompanied(), participants: [{ uid: 7 }] }) },
    {
      name: 'a local participant',
      make: () => ({ ...accompanied(), participants: [alice, { uid: 'me', isLocal: true }] }),
    },
    { name: 'idleDeadline as a string', make: () => ({ ...base(), idleDeadline: String(T0 + 10 * SECOND) }) },
    { name: 'idleDeadline as an object', make: () => ({ ...base(), idleDeadline: { at: T0 } }) },
    { name: 'idleDeadline infinite', make: () => ({ ...base(), idleDeadline: Infinity }) },
    { name: 'idleDeadline NaN', make: () => ({ ...base(), idleDeadline: NaN }) },
    { name: 'reconnectDeadline as a string', make: () => ({ ...reconnecting(), reconnectDeadline: 'soon' }) },
    { name: 'reconnectDeadline in joined.alone', make: () => ({ ...base(), reconnectDeadline: T0 + 5 * SECOND }) },
    { name: 'idleDeadline in joined.accompanied', make: () => ({ ...accompanied(), idleDeadline: T0 + 5 * SECOND }) },
    { name: 'idleDeadline in idle', make: () => ({ ...idle(), idleDeadline: T0 + 5 * SECOND }) },
    { name: 'reconnectDeadline in left', make: () => ({ ...left(), reconnectDeadline: T0 + 5 * SECOND }) },
    { name: 'idleDeadline in closed', make: () => ({ ...closed(), idleDeadline: T0 + 5 * SECOND }) },
    { name: 'endReason in joined.alone', make: () => ({ ...base(), endReason: 'user' }) },
    { name: 'endReason in reconnecting', make: () => ({ ...reconnecting(), endReason: 'reconnectTimeout' }) },
    { name: 'left with endReason idleTimeout', make: () => ({ ...left(), endReason: 'idleTimeout' }) },
    { name: 'closed with endReason user', make: () => ({ ...closed(), endReason: 'user' }) },
    { name: 'closed without endReason', make: () => ({ ...closed(), endReason: null }) },
    { name: 'timedOut with endReason server', make: () => ({ ...left(), state: 'timedOut', endReason: 'server' }) },
    { name: 'an unknown endReason', make: () => ({ ...left(), endReason: 'bored' }) },
    { name: 'joined.alone with a remote participant', make: () => ({ ...base(), participants: [alice] }) },
    { name: 'joined.accompanied with nobody', make: () => ({ ...accompanied(), participants: [] }) },
    { name: 'resumeTo outside reconnecting', make: () => ({ ...base(), resumeTo: 'alone' }) },
    { name: 'reconnecting without resumeTo', make: () => ({ ...reconnecting(), resumeTo: null }) },
    { name: 'reconnecting with an unknown resumeTo', make: () => ({ ...reconnecting(), resumeTo: 'previous' }) },
    { name: 'an empty sessionId', make: () => ({ ...base(), sessionId: '' }) },
    { name: 'no sessionId after joining', make: () => ({ ...base(), sessionId: null }) },
    { name: 'settings not an object', make: () => ({ ...base(), settings: 'fast' }) },
    {
      name: 'settings with a string period',
      make: () => ({ ...base(), settings: { ...S10_5, idleTimeoutPeriod: '10' } }),
    },
    { name: 'settings with an unknown type', make: () => ({ ...base(), settings: { ...S10_5, type: 'HOLOGRAM' } }) },
    { name: 'an XState persisted snapshot (session.actor.getPersistedSnapshot())', make: xstateSnapshot },
  ];

  test.each(BAD)('$name: TypeError, and nothing is started', ({ make }) => {
    const bad = make();
    const other = liveSession(S10_5).session;
    expect(CallSession.getInstance()).toBe(other);
    const clock = new CountingClock();
    clock.set(T0 + 3 * SECOND);
    const inspect = vi.fn();
    const onListenerError = vi.fn();
    expect(() => restoreCallSession(bad as PersistedCallSession, { clock, inspect, onListenerError })).toThrow(
      TypeError,
    );
    clock.increment(HOUR);
    expect(clock.setCount).toBe(0);
    expect(clock.pending).toBe(0);
    expect(inspect).not.toHaveBeenCalled();
    expect(onListenerError).not.toHaveBeenCalled();
    expect(CallSession.getInstance()).toBe(other);
    other.dispose();
  });

  test('a setting out of range in a snapshot is refused before anything starts', () => {
    const bad = { ...base(), settings: { ...S10_5, idleTimeoutPeriod: -1 } };
    const clock = new CountingClock();
    const inspect = vi.fn();
    expect(() => restoreCallSession(bad as unknown as PersistedCallSession, { clock, inspect })).toThrow(TypeError);
    expect(clock.setCount).toBe(0);
    expect(inspect).not.toHaveBeenCalled();
  });

  test('control: the same checks with the valid snapshot do see a session start', () => {
    const clock = new CountingClock();
    clock.set(T0 + 3 * SECOND);
    const inspect = vi.fn();
    const session = restoreCallSession(base() as unknown as PersistedCallSession, { clock, inspect });
    expect(clock.setCount).toBe(1);
    expect(clock.pending).toBe(1);
    expect(inspect).toHaveBeenCalled();
    expect(CallSession.getInstance()).toBe(session);
    session.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('inconsistent reconnecting snapshots', () => {
  // Reachable only by editing a snapshot: participant events are ignored while
  // reconnecting, so `resumeTo: 'alone'` means nobody is present and
  // `resumeTo: 'accompanied'` means somebody is and no idle countdown runs.
  const reconnecting = (): Record<string, unknown> => ({
    ...stored(reached(scenario('reconnecting (lost while alone)')).session),
  });

  test.each([
    { name: "resumeTo 'alone' with a remote participant", make: () => ({ ...reconnecting(), participants: [alice] }) },
    { name: "resumeTo 'accompanied' with nobody", make: () => ({ ...reconnecting(), resumeTo: 'accompanied' }) },
    {
      name: "resumeTo 'accompanied' with an idle countdown",
      make: () => ({ ...reconnecting(), resumeTo: 'accompanied', participants: [alice] }),
    },
  ])('$name: TypeError, nothing started', ({ make }) => {
    const clock = new CountingClock();
    clock.set(T0 + 3 * SECOND);
    expect(() => restoreCallSession(make() as unknown as PersistedCallSession, { clock })).toThrow(TypeError);
    expect(clock.setCount).toBe(0);
  });
});

describe('settings given with a snapshot', () => {
  const S20_3 = settingsOf(20, 3);

  test('replace the saved settings for countdowns that start afterwards; the running one keeps its deadline', () => {
    const saved = stored(reached(scenario('joined.alone')).session);
    const r = restoreAt(saved, T0 + 4 * SECOND, { settings: S20_3 });
    expect(r.session.getPersistedSnapshot().settings).toStrictEqual({ ...S20_3 });
    expect(r.session.getPersistedSnapshot().idleDeadline).toBe(T0 + 10 * SECOND);
    // Someone joins and leaves before the saved deadline: a new countdown of 20 s.
    r.clock.increment(SECOND);
    r.session.send({ type: 'participant.joined', participant: alice });
    r.session.send({ type: 'participant.left', participant: alice });
    r.clock.increment(20 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.session.state).toBe('timedOut');
    expect(r.clock.pending).toBe(0);
  });

  test('the running countdown ends at its saved deadline, not after the new period', () => {
    const saved = stored(reached(scenario('joined.alone')).session);
    const r = restoreAt(saved, T0 + 4 * SECOND, { settings: S20_3 });
    r.clock.increment(6 * SECOND - 1);
    expect(r.session.state).toBe('joined.alone');
    r.clock.increment(1);
    expect(r.session.state).toBe('timedOut');
  });

  test('a new reconnect bound uses the new period', () => {
    const saved = stored(reached(scenario('joined.accompanied')).session);
    const r = restoreAt(saved, T0 + HOUR, { settings: S20_3 });
    r.session.send({ type: 'connection.lost' });
    r.clock.increment(3 * SECOND - 1);
    expect(r.session.state).toBe('reconnecting');
    r.clock.increment(1);
    expect(r.session.state).toBe('closed');
    expect(r.session.endReason).toBe('reconnectTimeout');
  });

  test('bad settings given with a snapshot are refused as without one', () => {
    const saved = stored(reached(scenario('joined.accompanied')).session);
    const clock = new CountingClock();
    expect(() =>
      restoreCallSession(saved, { clock, settings: { idleTimeoutPeriod: 1.5 } as unknown as SessionSettings }),
    ).toThrow(RangeError);
    expect(clock.setCount).toBe(0);
  });
});

test('createCallSession({ snapshot }) is refused with a TypeError naming restoreCallSession, and creates nothing', () => {
  const { session } = liveSession(settingsOf(10, 5));
  const saved = session.getPersistedSnapshot();
  expect(() => createCallSession({ snapshot: saved } as never)).toThrow(
    /use restoreCallSession\(snapshot, options\) from 'call-session-machine\/persistence'/,
  );
  expect(CallSession.getInstance()).toBe(session);
});
