// The idle warning and "Stay" (SPEC §6): onIdleTimeoutWarning(secondsLeft) once per
// countdown when idleWarningPeriod seconds are left, idle.extend restarting the
// countdown, idleWarningActive, and deadlines a view can compare by identity.
import { SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionOptions,
  type CallSessionState,
} from '../src/index.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const SECOND = 1_000;
const bob = { uid: 'bob', name: 'Bob' };

interface Setup {
  idle?: number;
  warning?: number;
  reconnect?: number;
}

function settingsOf({ idle = 60, warning = 20, reconnect = 30 }: Setup = {}) {
  return new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idle)
    .setIdleWarningPeriod(warning)
    .setReconnectTimeoutPeriod(reconnect)
    .build();
}

/** A session on a simulated clock, recording status callbacks as `name(args)@state`. */
function start(setup: Setup = {}, options: CallSessionOptions = {}) {
  const clock = new SimulatedClock();
  const session = createCallSession({ clock, settings: settingsOf(setup), ...options });
  const calls: string[] = [];
  session.addSessionStatusListener({
    onSessionJoined: () => calls.push(`onSessionJoined@${session.state}`),
    onSessionTimedOut: () => calls.push(`onSessionTimedOut@${session.state}`),
    onConnectionLost: () => calls.push(`onConnectionLost@${session.state}`),
    onConnectionRestored: () => calls.push(`onConnectionRestored@${session.state}`),
    onConnectionClosed: () => calls.push(`onConnectionClosed@${session.state}`),
    onSessionLeft: () => calls.push(`onSessionLeft@${session.state}`),
    onIdleTimeoutWarning: (secondsLeft) =>
      calls.push(`onIdleTimeoutWarning(${secondsLeft})@${session.state}@${clock.now()}`),
  });
  return { session, clock, calls };
}

function joinAlone(session: CallSession): void {
  session.join('s');
  session.send({ type: 'session.joined' });
}

/** Moves the clock in steps of at most 1 s, so timers set on the way fire too. */
function advance(clock: SimulatedClock, ms: number): void {
  for (let left = ms; left > 0; left -= Math.min(left, SECOND)) clock.increment(Math.min(left, SECOND));
}

const warnings = (calls: string[]) => calls.filter((call) => call.startsWith('onIdleTimeoutWarning'));

describe('the warning', () => {
  test('fires at the exact millisecond idleWarningPeriod is left, not 1 ms early, with secondsLeft', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20 });
    joinAlone(session);
    advance(clock, 40 * SECOND - 1);
    expect(warnings(calls)).toEqual([]);
    expect(session.idleWarningActive).toBe(false);
    clock.increment(1);
    expect(warnings(calls)).toEqual(['onIdleTimeoutWarning(20)@joined.alone@40000']);
    expect(session.idleWarningActive).toBe(true);
    expect(session.state).toBe('joined.alone');
  });

  test('fires once per countdown, then the timeout ends the session at its own time', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20 });
    joinAlone(session);
    advance(clock, 60 * SECOND - 1);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onIdleTimeoutWarning(20)@joined.alone@40000',
      'onSessionTimedOut@timedOut',
    ]);
    expect(session.idleWarningActive).toBe(false);
  });

  test('warns again after a stay, counting from the stay', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20 });
    joinAlone(session);
    advance(clock, 45 * SECOND);
    session.extendIdleTimeout();
    expect(session.idleWarningActive).toBe(false);
    expect(session.deadlines.idle).toBe(45 * SECOND + 60 * SECOND);
    advance(clock, 40 * SECOND - 1);
    expect(warnings(calls)).toHaveLength(1);
    clock.increment(1);
    expect(warnings(calls)).toEqual([
      'onIdleTimeoutWarning(20)@joined.alone@40000',
      'onIdleTimeoutWarning(20)@joined.alone@85000',
    ]);
    advance(clock, 20 * SECOND);
    expect(session.state).toBe('timedOut');
    expect(calls.filter((call) => call.startsWith('onSessionTimedOut'))).toHaveLength(1);
  });

  test('a stay before the warning pushes it back; the stay fires no status callback', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20 });
    joinAlone(session);
    advance(clock, 30 * SECOND);
    session.extendIdleTimeout();
    advance(clock, 60 * SECOND - 1);
    expect(warnings(calls)).toEqual(['onIdleTimeoutWarning(20)@joined.alone@70000']);
    expect(calls).toHaveLength(2);
  });

  test('warns afresh after someone came and left', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20 });
    joinAlone(session);
    advance(clock, 50 * SECOND);
    session.send({ type: 'participant.joined', participant: bob });
    expect(session.idleWarningActive).toBe(false);
    advance(clock, 100 * SECOND);
    session.send({ type: 'participant.left', participant: bob });
    advance(clock, 40 * SECOND);
    expect(warnings(calls)).toEqual([
      'onIdleTimeoutWarning(20)@joined.alone@40000',
      'onIdleTimeoutWarning(20)@joined.alone@190000',
    ]);
  });

  test('fires during a reconnect when the countdown runs through it, and once only after the restore', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20, reconnect: 30 });
    joinAlone(session);
    advance(clock, 30 * SECOND);
    session.send({ type: 'connection.lost' });
    advance(clock, 10 * SECOND);
    expect(warnings(calls)).toEqual(['onIdleTimeoutWarning(20)@reconnecting@40000']);
    expect(session.idleWarningActive).toBe(true);
    session.send({ type: 'connection.restored' });
    expect(session.idleWarningActive).toBe(true);
    advance(clock, 20 * SECOND);
    expect(warnings(calls)).toHaveLength(1);
    expect(session.state).toBe('timedOut');
  });

  test('a stay while reconnecting restarts the countdown and leaves the reconnect bound as it was', () => {
    const { session, clock } = start({ idle: 60, warning: 20, reconnect: 30 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    advance(clock, 10 * SECOND);
    const reconnectDeadline = session.deadlines.reconnect;
    session.extendIdleTimeout();
    expect(session.deadlines).toEqual({ idle: 70 * SECOND, reconnect: reconnectDeadline });
    advance(clock, 20 * SECOND - 1);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
  });

  test('no warning, ever, with an idle period of 0 or a warning period of 0', () => {
    for (const setup of [
      { idle: 0, warning: 20 },
      { idle: 60, warning: 0 },
    ]) {
      const { session, clock, calls } = start(setup);
      joinAlone(session);
      advance(clock, 120 * SECOND);
      expect(warnings(calls)).toEqual([]);
      expect(session.idleWarningActive).toBe(false);
      expect(session.state).toBe(setup.idle === 0 ? 'joined.alone' : 'timedOut');
    }
  });

  test('is never a terminal callback: the session then ends with exactly one of the three', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 59 });
    joinAlone(session);
    advance(clock, SECOND);
    expect(warnings(calls)).toEqual(['onIdleTimeoutWarning(59)@joined.alone@1000']);
    session.leave();
    advance(clock, 60 * SECOND);
    expect(calls.slice(1)).toEqual(['onIdleTimeoutWarning(59)@joined.alone@1000', 'onSessionLeft@left']);
  });

  test('on one instant with the reconnect deadline, the session closes unwarned', () => {
    // Alone at 0 (warning due at 40 s), lost at 10 s with a 30 s bound: both at 40 s.
    const { session, clock, calls } = start({ idle: 60, warning: 20, reconnect: 30 });
    joinAlone(session);
    advance(clock, 10 * SECOND);
    session.send({ type: 'connection.lost' });
    advance(clock, 30 * SECOND);
    expect(session.state).toBe('closed');
    expect(warnings(calls)).toEqual([]);
  });

  test('a resync that continues a countdown with less time left than the warning period warns at once, with the time left', () => {
    const { session, clock, calls } = start({ idle: 60, warning: 20, reconnect: 0 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    advance(clock, 39 * SECOND);
    // Stored and restored later, as an app would after a restart.
    const stored = session.getPersistedSnapshot();
    session.dispose();
    clock.increment(5 * SECOND);
    const restored = restoreCallSession(stored, { clock });
    const seen: number[] = [];
    restored.addSessionStatusListener({ onIdleTimeoutWarning: (secondsLeft) => seen.push(secondsLeft) });
    restored.send({ type: 'connection.restored', participants: [] });
    clock.increment(0);
    expect(seen).toEqual([16]);
    expect(calls).toHaveLength(2);
    advance(clock, 16 * SECOND);
    expect(restored.state).toBe('timedOut');
  });
});

describe('restore and the warning', () => {
  test('restored before the warning time: warns once at that time', () => {
    const { session, clock } = start();
    joinAlone(session);
    advance(clock, 10 * SECOND);
    const stored = JSON.parse(JSON.stringify(session.getPersistedSnapshot()));
    expect(stored.idleWarningAt).toBeNull();
    session.dispose();
    const restored = restoreCallSession(stored, { clock });
    const seen: string[] = [];
    restored.addSessionStatusListener({ onIdleTimeoutWarning: (n) => seen.push(`${n}@${clock.now()}`) });
    advance(clock, 30 * SECOND - 1);
    expect(seen).toEqual([]);
    clock.increment(1);
    expect(seen).toEqual(['20@40000']);
  });

  test('restored after its warning time passed while stored: warns at once, once', () => {
    const { session, clock } = start();
    joinAlone(session);
    advance(clock, 10 * SECOND);
    const stored = session.getPersistedSnapshot();
    session.dispose();
    clock.increment(45 * SECOND);
    const restored = restoreCallSession(stored, { clock });
    const seen: string[] = [];
    restored.addSessionStatusListener({ onIdleTimeoutWarning: (n) => seen.push(`${n}@${clock.now()}`) });
    clock.increment(0);
    expect(seen).toEqual(['5@55000']);
    advance(clock, 5 * SECOND - 1);
    expect(seen).toHaveLength(1);
    expect(restored.state).toBe('joined.alone');
    clock.increment(1);
    expect(restored.state).toBe('timedOut');
  });

  test('restored after its warning fired: reports idleWarningActive and does not warn again', () => {
    const { session, clock } = start();
    joinAlone(session);
    advance(clock, 45 * SECOND);
    const stored = session.getPersistedSnapshot();
    expect(stored.idleWarningAt).toBe(40 * SECOND);
    session.dispose();
    const restored = restoreCallSession(stored, { clock });
    const seen: number[] = [];
    restored.addSessionStatusListener({ onIdleTimeoutWarning: (n) => seen.push(n) });
    expect(restored.idleWarningActive).toBe(true);
    advance(clock, 15 * SECOND);
    expect(seen).toEqual([]);
    expect(restored.state).toBe('timedOut');
  });

  test('restored after both the warning and the timeout passed: times out, unwarned', () => {
    const { session, clock } = start();
    joinAlone(session);
    const stored = session.getPersistedSnapshot();
    session.dispose();
    clock.increment(90 * SECOND);
    const restored = restoreCallSession(stored, { clock });
    const seen: number[] = [];
    restored.addSessionStatusListener({ onIdleTimeoutWarning: (n) => seen.push(n) });
    clock.increment(1);
    clock.increment(1);
    expect(restored.state).toBe('timedOut');
    expect(seen).toEqual([]);
  });

  test('a warning time where no warning can run is refused with a TypeError', () => {
    const { session } = start({ warning: 0 });
    joinAlone(session);
    const stored = { ...session.getPersistedSnapshot(), idleWarningAt: 5 };
    expect(() => restoreCallSession(stored)).toThrow(/idleWarningAt must be null/);
    const v1 = { ...session.getPersistedSnapshot(), version: 1 } as Record<string, unknown>;
    delete v1.idleWarningAt;
    expect(restoreCallSession(v1 as never).idleWarningActive).toBe(false);
  });
});

describe('deadlines', () => {
  test('absolute times on the clock; null where a countdown does not run', () => {
    const { session, clock } = start({ idle: 60, reconnect: 30 });
    clock.increment(5 * SECOND);
    expect(session.deadlines).toEqual({ idle: null, reconnect: null });
    joinAlone(session);
    expect(session.deadlines).toEqual({ idle: 65 * SECOND, reconnect: null });
    session.send({ type: 'connection.lost' });
    expect(session.deadlines).toEqual({ idle: 65 * SECOND, reconnect: 35 * SECOND });
    session.send({ type: 'connection.restored', participants: [bob] });
    expect(session.deadlines).toEqual({ idle: null, reconnect: null });
    session.leave();
    expect(session.deadlines).toEqual({ idle: null, reconnect: null });
  });

  test('frozen, and the same object until a deadline changes', () => {
    const { session, clock } = start();
    const initial = session.deadlines;
    expect(Object.isFrozen(initial)).toBe(true);
    session.join('s');
    expect(session.deadlines).toBe(initial);
    session.send({ type: 'session.joined' });
    const alone = session.deadlines;
    expect(alone).not.toBe(initial);
    advance(clock, 40 * SECOND);
    // The warning changes no deadline.
    expect(session.idleWarningActive).toBe(true);
    expect(session.deadlines).toBe(alone);
    session.send({ type: 'participant.left', participant: bob });
    expect(session.deadlines).toBe(alone);
    session.extendIdleTimeout();
    expect(session.deadlines).not.toBe(alone);
    expect(session.deadlines.idle).toBe(100 * SECOND);
  });
});

describe('can({ type: "idle.extend" })', () => {
  const reach: Record<Exclude<CallSessionState, 'timedOut'>, (session: CallSession) => void> = {
    idle: () => {},
    joining: (session) => session.join('s'),
    'joined.alone': joinAlone,
    'joined.accompanied': (session) => {
      session.join('s');
      session.send({ type: 'session.joined', participants: [bob] });
    },
    reconnecting: (session) => {
      joinAlone(session);
      session.send({ type: 'connection.lost' });
    },
    left: (session) => {
      joinAlone(session);
      session.leave();
    },
    closed: (session) => {
      joinAlone(session);
      session.send({ type: 'connection.closed' });
    },
  };
  test.each([
    ['idle', false],
    ['joining', false],
    ['joined.alone', true],
    ['joined.accompanied', false],
    ['reconnecting', true],
    ['left', false],
    ['closed', false],
  ] as const)('in %s: %s', (state, expected) => {
    const { session, clock } = start();
    reach[state](session);
    expect(session.state).toBe(state);
    clock.increment(SECOND);
    expect(session.can({ type: 'idle.extend' })).toBe(expected);
    const before = session.deadlines;
    session.extendIdleTimeout();
    expect(session.deadlines === before).toBe(!expected);
  });

  test('in timedOut: false', () => {
    const { session, clock } = start();
    joinAlone(session);
    advance(clock, 60 * SECOND);
    expect(session.state).toBe('timedOut');
    expect(session.can({ type: 'idle.extend' })).toBe(false);
  });

  test('reconnecting from accompanied (no countdown): false; after dispose: false', () => {
    const { session } = start();
    reach['joined.accompanied'](session);
    session.send({ type: 'connection.lost' });
    expect(session.can({ type: 'idle.extend' })).toBe(false);
    const other = start().session;
    joinAlone(other);
    other.dispose();
    expect(other.can({ type: 'idle.extend' })).toBe(false);
  });
});

describe('bad warning settings', () => {
  test.each([
    [
      '-1',
      () => new SessionSettingsBuilder().setIdleWarningPeriod(-1),
      RangeError,
      /idleWarningPeriod must be an integer/,
    ],
    ['1.5', () => new SessionSettingsBuilder().setIdleWarningPeriod(1.5), RangeError, /idleWarningPeriod/],
    [
      '"20"',
      () => new SessionSettingsBuilder().setIdleWarningPeriod('20' as never),
      TypeError,
      /idleWarningPeriod must be a number/,
    ],
    ['2_147_484', () => new SessionSettingsBuilder().setIdleWarningPeriod(2_147_484), RangeError, /0 to 2147483/],
  ])('setIdleWarningPeriod(%s) throws and leaves the builder as it was', (_, make, kind, message) => {
    expect(make).toThrow(kind);
    expect(make).toThrow(message);
  });

  test('a warning period not shorter than the idle period: build() throws a RangeError naming both', () => {
    const equal = new SessionSettingsBuilder().setIdleTimeoutPeriod(60).setIdleWarningPeriod(60);
    expect(() => equal.build()).toThrow(RangeError);
    expect(() => equal.build()).toThrow(/idleWarningPeriod \(60 s\) must be shorter than idleTimeoutPeriod \(60 s\)/);
    expect(() => new SessionSettingsBuilder().setIdleTimeoutPeriod(30).setIdleWarningPeriod(31).build()).toThrow(
      RangeError,
    );
    // The builder is unchanged and usable once the periods fit.
    expect(equal.setIdleWarningPeriod(59).build().idleWarningPeriod).toBe(59);
    expect(
      new SessionSettingsBuilder().setIdleTimeoutPeriod(0).setIdleWarningPeriod(600).build().idleWarningPeriod,
    ).toBe(600);
  });

  test('the same check for settings not from the builder, and for the bare chart input', () => {
    expect(() =>
      createCallSession({
        settings: { idleTimeoutPeriod: 10, reconnectTimeoutPeriod: 5, idleWarningPeriod: 10, type: 'VIDEO' },
      }),
    ).toThrow(/idleWarningPeriod \(10 s\) must be shorter than idleTimeoutPeriod \(10 s\)/);
  });

  test('default 0: the settings carry idleWarningPeriod 0 and no warning fires', () => {
    expect(new SessionSettingsBuilder().build().idleWarningPeriod).toBe(0);
  });
});
