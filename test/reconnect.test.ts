// The reconnect bound (SPEC §2 "Reconnect bound"): a lost connection has
// `reconnectTimeoutPeriod` seconds to come back before the session is closed; a
// restore returns to the substate it left; the idle deadline wins a tie.
import { SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type CallSession, type Participant } from '../src/index.js';
import { pendingTimers, recordStatus } from './support/status.js';

const SECOND = 1_000;
const DAY = 24 * 60 * 60 * SECOND;
const TEN_DAYS = 10 * DAY;

const alice: Participant = { uid: 'alice', name: 'Alice' };

function reconnectTimerPending(session: CallSession): boolean {
  return pendingTimers(session).some((type) => type.includes('reconnectTimeoutPeriod'));
}

/**
 * A clock that, among timers due at one instant, runs the one set last first: the
 * opposite of `SimulatedClock` and of vitest's fake timers. The tie rule of SPEC §2
 * must not depend on which of two simultaneous timers a clock happens to run first.
 */
class LastSetFirstClock {
  #now = 0;
  #nextId = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.#timers.delete(id as number);
  }

  increment(ms: number): void {
    this.#now += ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at > this.#now) continue;
        if (next === undefined || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] > next[0])) {
          next = entry;
        }
      }
      if (next === undefined) return;
      this.#timers.delete(next[0]);
      next[1].callback();
    }
  }
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

function joinAlone(session: CallSession): void {
  session.join('session-1');
  session.send({ type: 'session.joined' });
}

function joinAccompanied(session: CallSession): void {
  session.join('session-1');
  session.send({ type: 'session.joined', participants: [alice] });
}

describe('reconnect bound period', () => {
  test('the default is 60 s: closed with reason reconnectTimeout exactly 60_000 ms after connection.lost', () => {
    const clock = new SimulatedClock();
    const session = createCallSession({ clock });
    const calls = recordStatus(session);
    joinAccompanied(session);
    clock.increment(5 * SECOND);
    session.send({ type: 'connection.lost' });

    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    expect(session.endReason).toBeNull();

    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('the default 60 s also applies when lost while alone (the idle deadline being later)', () => {
    const { session, clock, calls } = start();
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('a custom bound set with setReconnectTimeoutPeriod is used', () => {
    const { session, clock, calls } = start({ reconnect: 15 });
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(14_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('a bound longer than the default is not cut short at 60 s', () => {
    const { session, clock } = start({ reconnect: 120 });
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(60 * SECOND);
    expect(session.state).toBe('reconnecting');
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
  });

  test('a reconnect timer is pending while reconnecting with a bound', () => {
    // The positive control for the "no reconnect timer pending" checks below.
    const { session } = start();
    joinAccompanied(session);
    expect(reconnectTimerPending(session)).toBe(false);
    session.send({ type: 'connection.lost' });
    expect(reconnectTimerPending(session)).toBe(true);
  });

  test('0 = no bound: waits 10 days, then the engine’s connection.closed ends it with reason server', () => {
    const { session, clock, calls } = start({ reconnect: 0 });
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    expect(reconnectTimerPending(session)).toBe(false);
    for (let day = 0; day < 10; day++) clock.increment(DAY);
    expect(session.state).toBe('reconnecting');
    expect(session.endReason).toBeNull();
    expect(calls).toEqual(['onSessionJoined@joined.accompanied', 'onConnectionLost@reconnecting']);

    session.send({ type: 'connection.closed' });
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    clock.increment(TEN_DAYS);
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('connection.closed before the bound ends it with reason server, and the bound never fires', () => {
    const { session, clock, calls } = start();
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.closed' });
    expect(session.endReason).toBe('server');
    expect(pendingTimers(session)).toEqual([]);
    clock.increment(TEN_DAYS);
    expect(session.endReason).toBe('server');
    expect(calls.filter((call) => call.startsWith('onConnectionClosed'))).toEqual(['onConnectionClosed@closed']);
  });

  test('onConnectionClosed fires exactly once and nothing fires after the bound', () => {
    const { session, clock, calls } = start({ reconnect: 10 });
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(10 * SECOND);
    expect(session.state).toBe('closed');
    clock.increment(TEN_DAYS);
    session.send({ type: 'connection.restored' });
    session.send({ type: 'connection.closed' });
    session.leave();
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });
});

describe('lost and restored', () => {
  test('lost while alone: onConnectionLost in reconnecting; restored: onConnectionRestored back in joined.alone', () => {
    const { session, calls } = start();
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.alone');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
    ]);
  });

  test('lost while accompanied: restored goes back to joined.accompanied with the same participants', () => {
    const { session, calls } = start();
    joinAccompanied(session);
    const before = session.participants;
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toBe(before);
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
    ]);
  });

  test('the restore returns to the substate last left, not the one joined in', () => {
    const fromAlone = start();
    joinAlone(fromAlone.session);
    fromAlone.session.send({ type: 'participant.joined', participant: alice });
    fromAlone.session.send({ type: 'connection.lost' });
    fromAlone.session.send({ type: 'connection.restored' });
    expect(fromAlone.session.state).toBe('joined.accompanied');

    const fromAccompanied = start();
    joinAccompanied(fromAccompanied.session);
    fromAccompanied.session.send({ type: 'participant.left', participant: alice });
    fromAccompanied.session.send({ type: 'connection.lost' });
    fromAccompanied.session.send({ type: 'connection.restored' });
    expect(fromAccompanied.session.state).toBe('joined.alone');
  });

  test('a restore cancels the bound: no close 60 s later, and no reconnect timer pending', () => {
    const { session, clock, calls } = start();
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored' });
    expect(reconnectTimerPending(session)).toBe(false);
    clock.increment(30 * SECOND);
    expect(session.state).toBe('joined.accompanied');
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.accompanied');
    expect(session.endReason).toBeNull();
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
    ]);
  });

  test('a restore with a resync list cancels the bound too', () => {
    const { session, clock } = start({ idle: 0 });
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    expect(reconnectTimerPending(session)).toBe(false);
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('joined.alone');
  });

  test('a second loss starts a fresh full bound', () => {
    const { session, clock, calls } = start();
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(50 * SECOND);
    session.send({ type: 'connection.restored' });
    clock.increment(5 * SECOND);
    session.send({ type: 'connection.lost' });

    // Carrying the first bound over would close 10 s from here.
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('leaving while reconnecting ends in left, and the bound never fires', () => {
    const { session, clock, calls } = start();
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    session.leave();
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onSessionLeft@left',
    ]);
  });
});

describe('idle deadline against reconnect deadline', () => {
  test('on the same instant (idle 60, reconnect 60, lost at once): timedOut, with onSessionTimedOut only', () => {
    const { session, clock, calls } = start({ idle: 60, reconnect: 60 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    clock.increment(TEN_DAYS);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('on the same instant with a clock that runs the reconnect timer first: still timedOut only', () => {
    const clock = new LastSetFirstClock();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(60).setReconnectTimeoutPeriod(60).build();
    const session = createCallSession({ settings, clock });
    const calls = recordStatus(session);
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
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

  test('with that clock, a bound earlier than the idle deadline still ends in closed', () => {
    const clock = new LastSetFirstClock();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(61).setReconnectTimeoutPeriod(60).build();
    const session = createCallSession({ settings, clock });
    const calls = recordStatus(session);
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    clock.increment(TEN_DAYS);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('on the same instant after time alone (idle 100, lost at 40 s): timedOut', () => {
    const { session, clock, calls } = start({ idle: 100, reconnect: 60 });
    joinAlone(session);
    clock.increment(40 * SECOND);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
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

  test('on the same instant, passed in one large step: still timedOut only', () => {
    const { session, clock, calls } = start({ idle: 60, reconnect: 60 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('the idle deadline earlier than the bound: timedOut at the idle deadline', () => {
    const { session, clock, calls } = start({ idle: 100, reconnect: 60 });
    joinAlone(session);
    clock.increment(70 * SECOND);
    session.send({ type: 'connection.lost' });
    // Idle ends at 100 s, the bound at 130 s.
    clock.increment(29_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
    clock.increment(TEN_DAYS);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('the idle deadline 1 ms earlier than the bound: timedOut', () => {
    const { session, clock } = start({ idle: 60, reconnect: 60 });
    joinAlone(session);
    clock.increment(1);
    session.send({ type: 'connection.lost' });
    clock.increment(59_998);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(session.endReason).toBe('idleTimeout');
  });

  test('the idle deadline later than the bound: closed at the bound, and no timeout after', () => {
    const { session, clock, calls } = start({ idle: 300, reconnect: 60 });
    joinAlone(session);
    clock.increment(10 * SECOND);
    session.send({ type: 'connection.lost' });
    // The bound ends at 70 s, idle at 300 s.
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    clock.increment(TEN_DAYS);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('the idle deadline 1 ms later than the bound: closed', () => {
    const { session, clock } = start({ idle: 61, reconnect: 60 });
    joinAlone(session);
    clock.increment(999);
    session.send({ type: 'connection.lost' });
    // The bound ends at 60_999 ms, idle at 61_000 ms.
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
  });

  test('idle later than the bound, both passed in one large step: closed only', () => {
    const { session, clock, calls } = start({ idle: 300, reconnect: 60 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('idle earlier than the bound, both passed in one large step: timedOut only', () => {
    const { session, clock, calls } = start({ idle: 30, reconnect: 60 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(TEN_DAYS);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('idle disabled: lost while alone ends at the bound', () => {
    const { session, clock } = start({ idle: 0, reconnect: 60 });
    joinAlone(session);
    session.send({ type: 'connection.lost' });
    clock.increment(59_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
  });
});

describe('signals the state does not take are ignored', () => {
  test('connection.lost while reconnecting: no callback, and the bound is not restarted', () => {
    const { session, clock, calls } = start();
    joinAccompanied(session);
    session.send({ type: 'connection.lost' });
    clock.increment(30 * SECOND);
    expect(session.can({ type: 'connection.lost' })).toBe(false);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    expect(calls).toEqual(['onSessionJoined@joined.accompanied', 'onConnectionLost@reconnecting']);

    // Still 60 s from the first loss.
    clock.increment(29_999);
    expect(session.state).toBe('reconnecting');
    clock.increment(1);
    expect(session.state).toBe('closed');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
  });

  test('connection.restored while joined.alone: no callback, state unchanged, the idle countdown goes on', () => {
    const { session, clock, calls } = start({ idle: 60 });
    joinAlone(session);
    clock.increment(30 * SECOND);
    expect(session.can({ type: 'connection.restored' })).toBe(false);
    expect(session.can({ type: 'connection.restored', participants: [alice] })).toBe(false);
    session.send({ type: 'connection.restored' });
    session.send({ type: 'connection.restored', participants: [alice] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(calls).toEqual(['onSessionJoined@joined.alone']);
    clock.increment(29_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
  });

  test('connection.restored while joined.accompanied: no callback, state and participants unchanged', () => {
    const { session, calls } = start();
    joinAccompanied(session);
    const before = session.participants;
    session.send({ type: 'connection.restored' });
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toBe(before);
    expect(calls).toEqual(['onSessionJoined@joined.accompanied']);
  });

  test('connection.lost before joining is ignored', () => {
    const { session, calls } = start();
    expect(session.can({ type: 'connection.lost' })).toBe(false);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('idle');
    session.join('session-1');
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('joining');
    expect(calls).toEqual([]);
  });
});
