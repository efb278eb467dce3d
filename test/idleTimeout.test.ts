// The idle timeout (SPEC §2 "Idle timeout" and "Idle timeout across a reconnect"):
// while the user is the only participant a countdown runs; at its end the session
// is over. Time moves only through the clock the session was given.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type CallSession, type Participant } from '../src/index.js';
import { pendingTimers, recordStatus } from './support/status.js';

const SECOND = 1_000;
const DAY = 24 * 60 * 60 * SECOND;
const TEN_DAYS = 10 * DAY;

const alice: Participant = { uid: 'alice', name: 'Alice' };
const bob: Participant = { uid: 'bob', name: 'Bob' };
const me: Participant = { uid: 'me', name: 'Me', isLocal: true };

function idleTimerPending(session: CallSession): boolean {
  return pendingTimers(session).some((type) => type.includes('idleTimeoutPeriod'));
}

interface Setup {
  idle?: number;
  reconnect?: number;
}

function start({ idle, reconnect }: Setup = {}): { session: CallSession; clock: SimulatedClock; calls: string[] } {
  const builder = new SessionSettingsBuilder();
  if (idle !== undefined) builder.setIdleTimeoutPeriod(idle);
  if (reconnect !== undefined) builder.setReconnectTimeoutPeriod(reconnect);
  const clock = new SimulatedClock();
  const session = createCallSession({ settings: builder.build(), clock });
  const calls = recordStatus(session);
  return { session, clock, calls };
}

/** Joins a session; alone unless remote participants are given. */
function joinWith(session: CallSession, participants?: readonly Participant[]): void {
  session.join('session-1');
  session.send(participants === undefined ? { type: 'session.joined' } : { type: 'session.joined', participants });
}

describe('idle timeout period', () => {
  test('the default is 300 s: the session times out exactly 300_000 ms after joining alone, not 1 ms earlier', () => {
    const clock = new SimulatedClock();
    const session = createCallSession({ clock });
    const calls = recordStatus(session);
    joinWith(session);
    expect(session.state).toBe('joined.alone');

    clock.increment(299_999);
    expect(session.state).toBe('joined.alone');
    expect(session.endReason).toBeNull();
    expect(calls).toEqual(['onSessionJoined@joined.alone']);

    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('the default settings object gives the same 300 s', () => {
    const { session, clock, calls } = start();
    joinWith(session);
    clock.increment(299_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('a custom period set with setIdleTimeoutPeriod is used', () => {
    const { session, clock, calls } = start({ idle: 45 });
    joinWith(session);
    clock.increment(44_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('a period longer than the default is not cut short at 300 s', () => {
    const { session, clock } = start({ idle: 900 });
    joinWith(session);
    clock.increment(300 * SECOND);
    expect(session.state).toBe('joined.alone');
    clock.increment(600 * SECOND - 1);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('the countdown starts at session.joined, not at join()', () => {
    const { session, clock } = start({ idle: 10 });
    session.join('session-1');
    clock.increment(8 * SECOND);
    expect(session.state).toBe('joining');
    session.send({ type: 'session.joined' });
    clock.increment(9_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('a joined alone session with the default period has an idle timer pending', () => {
    // The positive control for the "no idle timer pending" checks below.
    const { session } = start();
    joinWith(session);
    expect(idleTimerPending(session)).toBe(true);
  });

  test('0 disables it: alone for 10 days, the session is still joined, and no idle timer is pending', () => {
    const { session, clock, calls } = start({ idle: 0 });
    joinWith(session);
    expect(idleTimerPending(session)).toBe(false);
    for (let day = 0; day < 10; day++) clock.increment(DAY);
    expect(session.state).toBe('joined.alone');
    expect(session.endReason).toBeNull();
    expect(calls).toEqual(['onSessionJoined@joined.alone']);
    expect(idleTimerPending(session)).toBe(false);
  });

  test('0 disables it also when the last remote participant leaves', () => {
    const { session, clock, calls } = start({ idle: 0 });
    joinWith(session, [alice]);
    session.send({ type: 'participant.left', participant: alice });
    expect(session.state).toBe('joined.alone');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.alone');
    expect(calls).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test('0 disables it also through a reconnect begun alone', () => {
    const { session, clock, calls } = start({ idle: 0, reconnect: 0 });
    joinWith(session);
    session.send({ type: 'connection.lost' });
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('reconnecting');
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.alone');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
    ]);
  });
});

describe('the timeout callback', () => {
  test('onSessionTimedOut fires exactly once, sees state timedOut, and nothing fires afterwards', () => {
    const { session, clock } = start({ idle: 10 });
    const seen: { state: string; endReason: string | null }[] = [];
    const others: string[] = [];
    session.addSessionStatusListener({
      onSessionTimedOut: () => seen.push({ state: session.state, endReason: session.endReason }),
      onSessionLeft: () => others.push('left'),
      onConnectionClosed: () => others.push('closed'),
      onConnectionLost: () => others.push('lost'),
    });
    joinWith(session);
    clock.increment(10 * SECOND);
    expect(seen).toEqual([{ state: 'timedOut', endReason: 'idleTimeout' }]);

    // Final: more time and more events change nothing.
    clock.increment(TEN_DAYS);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'participant.joined', participant: alice });
    session.leave();
    clock.increment(TEN_DAYS);
    expect(seen).toHaveLength(1);
    expect(others).toEqual([]);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    expect(pendingTimers(session)).toEqual([]);
  });

  test('every listener is told once', () => {
    const { session, clock } = start({ idle: 5 });
    const counts = [0, 0, 0];
    for (const index of counts.keys()) {
      session.addSessionStatusListener({ onSessionTimedOut: () => counts[index]!++ });
    }
    joinWith(session);
    clock.increment(5 * SECOND);
    clock.increment(5 * SECOND);
    expect(counts).toEqual([1, 1, 1]);
  });

  test('leaving before the deadline cancels it: onSessionLeft only', () => {
    const { session, clock, calls } = start({ idle: 10 });
    joinWith(session);
    clock.increment(9_999);
    session.leave();
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('remote participants stop and restart the countdown', () => {
  test('a remote participant joining stops it', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(100 * SECOND);
    session.send({ type: 'participant.joined', participant: alice });
    expect(session.state).toBe('joined.accompanied');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual(['onSessionJoined@joined.alone']);
  });

  test('joining with a remote participant in the initial list starts no countdown', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session, [alice]);
    expect(session.state).toBe('joined.accompanied');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test('when the last remote participant leaves it restarts at the full period; time alone before does not count', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'participant.joined', participant: alice });
    clock.increment(50 * SECOND);
    session.send({ type: 'participant.left', participant: alice });
    expect(session.state).toBe('joined.alone');

    // Counting the 200 s alone before would end the session 100 s from here.
    clock.increment(100 * SECOND);
    expect(session.state).toBe('joined.alone');
    clock.increment(199_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('a remote participant arriving 1 ms before the deadline and leaving at once gives a full new period', () => {
    const { session, clock } = start({ idle: 60 });
    joinWith(session);
    clock.increment(59_999);
    session.send({ type: 'participant.joined', participant: alice });
    session.send({ type: 'participant.left', participant: alice });
    expect(session.state).toBe('joined.alone');
    clock.increment(59_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('the countdown restarts only when the last remote participant leaves', () => {
    const { session, clock } = start({ idle: 60 });
    joinWith(session, [alice, bob]);
    clock.increment(30 * SECOND);
    session.send({ type: 'participant.left', participant: alice });
    expect(session.state).toBe('joined.accompanied');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');

    session.send({ type: 'participant.left', participant: bob });
    expect(session.state).toBe('joined.alone');
    clock.increment(59_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('an unknown participant leaving does not restart a running countdown', () => {
    const { session, clock } = start({ idle: 60 });
    joinWith(session);
    clock.increment(40 * SECOND);
    session.send({ type: 'participant.left', participant: bob });
    expect(session.state).toBe('joined.alone');
    clock.increment(19_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('a local participant joining does not stop it', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(100 * SECOND);
    expect(session.can({ type: 'participant.joined', participant: me })).toBe(false);
    session.send({ type: 'participant.joined', participant: me });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    clock.increment(199_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
  });

  test('a local participant in the initial list does not stop it', () => {
    const { session, clock } = start({ idle: 30 });
    joinWith(session, [me]);
    expect(session.state).toBe('joined.alone');
    clock.increment(29_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });
});

describe('idle timeout across a reconnect', () => {
  test('lost while alone: the countdown keeps running and expires in reconnecting as timedOut', () => {
    const { session, clock, calls } = start({ idle: 300, reconnect: 0 });
    joinWith(session);
    clock.increment(250 * SECOND);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    expect(idleTimerPending(session)).toBe(true);
    clock.increment(49_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('lost while alone, restored without a list: back to joined.alone, and the remaining time continues', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.alone');

    // 230 s of 300 s are gone: 70 s remain, not a fresh 300 s.
    clock.increment(69_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('a flapping connection does not keep an abandoned session alive', () => {
    const { session, clock } = start({ idle: 60 });
    joinWith(session);
    for (let flap = 0; flap < 5; flap++) {
      clock.increment(5 * SECOND);
      session.send({ type: 'connection.lost' });
      clock.increment(5 * SECOND);
      session.send({ type: 'connection.restored' });
    }
    expect(session.state).toBe('joined.alone');
    clock.increment(9_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('lost while accompanied: no idle countdown runs in reconnecting; restored without a list returns to accompanied', () => {
    const { session, clock, calls } = start({ idle: 30, reconnect: 0 });
    joinWith(session, [alice]);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('reconnecting');

    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([alice]);
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
    ]);
  });

  test('lost after a remote participant stopped the countdown: none runs in reconnecting', () => {
    const { session, clock, calls } = start({ idle: 300, reconnect: 0 });
    joinWith(session);
    clock.increment(100 * SECOND);
    session.send({ type: 'participant.joined', participant: alice });
    session.send({ type: 'connection.lost' });
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('reconnecting');
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
    ]);
  });

  test('resync with an empty list after a loss while alone: joined.alone, continuing the running countdown', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    clock.increment(69_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('resync with only the local participant counts as an empty list: the countdown continues', () => {
    const { session, clock } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [me] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    clock.increment(69_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('resync with an empty list after a loss while accompanied: joined.alone with a fresh full countdown', () => {
    const { session, clock, calls } = start({ idle: 300 });
    const left: Participant[] = [];
    session.addParticipantEventListener({ onParticipantLeft: (participant) => left.push(participant) });
    joinWith(session, [alice]);
    clock.increment(100 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(20 * SECOND);
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(left).toEqual([alice]);

    // Fresh: 300 s from the restore, whatever happened before.
    clock.increment(299_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('resync with a remote participant after a loss while alone: joined.accompanied and no countdown', () => {
    const { session, clock, calls } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [alice] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([alice]);
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
    ]);
  });

  test('after such a resync, a second loss runs no idle countdown, and an empty resync then starts a full one', () => {
    const { session, clock, calls } = start({ idle: 300, reconnect: 0 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [alice] });
    session.send({ type: 'connection.lost' });
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('reconnecting');

    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    clock.increment(299_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('after such a resync, the last remote participant leaving starts a full period', () => {
    const { session, clock } = start({ idle: 300 });
    joinWith(session);
    clock.increment(200 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [alice] });
    clock.increment(10 * SECOND);
    session.send({ type: 'participant.left', participant: alice });
    expect(session.state).toBe('joined.alone');
    clock.increment(299_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('resync with a remote participant after a loss while accompanied: joined.accompanied and no countdown', () => {
    const { session, clock } = start({ idle: 30 });
    joinWith(session, [alice]);
    session.send({ type: 'connection.lost' });
    clock.increment(10 * SECOND);
    session.send({ type: 'connection.restored', participants: [bob] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([bob]);
    expect(idleTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
  });
});

describe('with vitest fake timers and the default clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('the default 300 s timeout fires at exactly 300_000 ms', () => {
    vi.useFakeTimers();
    const session = createCallSession();
    const calls = recordStatus(session);
    joinWith(session);
    vi.advanceTimersByTime(299_999);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    expect(calls).toEqual(['onSessionJoined@joined.alone', 'onSessionTimedOut@timedOut']);
    session.dispose();
  });

  test('a custom period, and a remote participant stopping it', () => {
    vi.useFakeTimers();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).build();
    const session = createCallSession({ settings });
    joinWith(session);
    vi.advanceTimersByTime(15 * SECOND);
    session.send({ type: 'participant.joined', participant: alice });
    vi.advanceTimersByTime(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    session.send({ type: 'participant.left', participant: alice });
    vi.advanceTimersByTime(19_999);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(session.state).toBe('timedOut');
    session.dispose();
  });

  test('the remaining time continues through a reconnect (deadlines read Date.now())', () => {
    vi.useFakeTimers();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(300).build();
    const session = createCallSession({ settings });
    joinWith(session);
    vi.advanceTimersByTime(200 * SECOND);
    session.send({ type: 'connection.lost' });
    vi.advanceTimersByTime(30 * SECOND);
    session.send({ type: 'connection.restored' });
    vi.advanceTimersByTime(69_999);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(session.state).toBe('timedOut');
    session.dispose();
  });
});
