// Restoring with new settings (issue 17, fault 1): `settings` given with a snapshot apply to
// countdowns that start afterwards; a countdown that runs keeps the period (and warning) it
// started with, so the new settings can neither cut it nor end it at once. The same on every
// restore path (restoreCallSession, fleet.add, fleet.restore) and on both kinds of clock.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSessionFleet } from 'call-session-machine/fleet';
import { restoreCallSession } from 'call-session-machine/persistence';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type CallSessionState,
  type PersistedCallSession,
  type SessionSettings,
} from 'call-session-machine';
import { CLOCKS, SECOND, T0, type Time } from './support/twoClocks.js';

function settingsOf(idle: number, reconnect: number, warning = 0): SessionSettings {
  return new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idle)
    .setReconnectTimeoutPeriod(reconnect)
    .setIdleWarningPeriod(warning)
    .build();
}

/** A restored session, whichever path restored it, with its callbacks logged as `name@seconds since T0`. */
interface Restored {
  readonly log: string[];
  state(): CallSessionState;
  send(event: CallSessionEvent): void;
  persisted(): PersistedCallSession;
}

type RestorePath = (snapshot: PersistedCallSession, settings: SessionSettings | undefined, time: Time) => Restored;

const at = (time: Time) => `${(time.now() - T0) / SECOND}`;

const PATHS: Record<string, RestorePath> = {
  restoreCallSession: (snapshot, settings, time) => {
    const session = restoreCallSession(snapshot, { clock: time.clock, ...(settings && { settings }) });
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionTimedOut: () => log.push(`onSessionTimedOut@${at(time)}`),
      onConnectionClosed: () => log.push(`onConnectionClosed@${at(time)}`),
      onIdleTimeoutWarning: (secondsLeft) => log.push(`onIdleTimeoutWarning(${secondsLeft})@${at(time)}`),
    });
    return {
      log,
      state: () => session.state,
      send: (event) => session.send(event),
      persisted: () => session.getPersistedSnapshot(),
    };
  },
  'fleet.add({ snapshot, settings })': (snapshot, settings, time) =>
    inFleet(time, (fleet) => fleet.add('s', { snapshot, ...(settings && { settings }) })),
  'fleet.restore(entries, { settings })': (snapshot, settings, time) =>
    inFleet(time, (fleet) => fleet.restore([['s', snapshot]], settings && { settings })),
};

function inFleet(time: Time, restore: (fleet: ReturnType<typeof createCallSessionFleet>) => void): Restored {
  const fleet = createCallSessionFleet({ clock: time.clock });
  const log: string[] = [];
  fleet.addSessionStatusListener({
    onSessionTimedOut: () => log.push(`onSessionTimedOut@${at(time)}`),
    onConnectionClosed: () => log.push(`onConnectionClosed@${at(time)}`),
    onIdleTimeoutWarning: (_, secondsLeft) => log.push(`onIdleTimeoutWarning(${secondsLeft})@${at(time)}`),
  });
  restore(fleet);
  return {
    log,
    state: () => fleet.state('s'),
    send: (event) => fleet.send('s', event),
    persisted: () => fleet.getPersistedSnapshot('s'),
  };
}

/** A session alone on `settings`, saved `savedAfter` ms after it joined at T0 (a live session's own snapshot). */
function savedAlone(time: Time, settings: SessionSettings, savedAfter: number): PersistedCallSession {
  const session = createCallSession({ clock: time.clock, settings });
  session.join('standup');
  session.send({ type: 'session.joined' });
  time.advance(savedAfter);
  const saved = session.getPersistedSnapshot();
  session.dispose();
  return JSON.parse(JSON.stringify(saved)) as PersistedCallSession;
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(Object.keys(CLOCKS))('on %s', (clockName) => {
  describe.each(Object.keys(PATHS))('%s', (pathName) => {
    const restore = PATHS[pathName]!;
    const newTime = CLOCKS[clockName]!;

    test.each([
      ['0 (disabled)', 0],
      ['60 s', 60],
      ['600 s (longer)', 600],
    ])(
      'an idle countdown of 300 s saved at 10 s and restored with idleTimeoutPeriod %s times out at 300 s, its deadline',
      (_, idle) => {
        const time = newTime();
        const saved = savedAlone(time, settingsOf(300, 60), 10 * SECOND);
        const restored = restore(saved, settingsOf(idle, 60), time);
        time.advance(290 * SECOND - 1);
        expect(restored.state()).toBe('joined.alone');
        time.advance(1);
        expect(restored.state()).toBe('timedOut');
        expect(restored.log).toEqual(['onSessionTimedOut@300']);
      },
    );

    test('the restored countdown keeps its warning: 30 s before the saved deadline, though the new settings warn at none', () => {
      const time = newTime();
      const saved = savedAlone(time, settingsOf(300, 60, 30), 10 * SECOND);
      const restored = restore(saved, settingsOf(60, 60), time);
      time.advance(290 * SECOND);
      expect(restored.log).toEqual(['onIdleTimeoutWarning(30)@270', 'onSessionTimedOut@300']);
    });

    test('saved again and restored without settings, the countdown still ends at its deadline (the format carries its period)', () => {
      const time = newTime();
      const saved = savedAlone(time, settingsOf(300, 60), 10 * SECOND);
      const first = restore(saved, settingsOf(0, 60), time);
      time.advance(10 * SECOND);
      const again = JSON.parse(JSON.stringify(first.persisted())) as PersistedCallSession;
      expect(again.settings.idleTimeoutPeriod).toBe(0);
      const second = restore(again, undefined, time);
      time.advance(280 * SECOND - 1);
      expect(second.state()).toBe('joined.alone');
      time.advance(1);
      expect(second.log).toEqual(['onSessionTimedOut@300']);
    });

    test('a countdown that starts after the restore runs the new period', () => {
      const time = newTime();
      const saved = savedAlone(time, settingsOf(300, 60), 10 * SECOND);
      const restored = restore(saved, settingsOf(60, 60), time);
      time.advance(5 * SECOND);
      restored.send({ type: 'idle.extend' });
      time.advance(60 * SECOND - 1);
      expect(restored.state()).toBe('joined.alone');
      time.advance(1);
      expect(restored.log).toEqual(['onSessionTimedOut@75']);
    });

    test('a running reconnect bound keeps its period; a bound started afterwards has the new one', () => {
      const time = newTime();
      const session = createCallSession({ clock: time.clock, settings: settingsOf(0, 60) });
      session.join('standup');
      session.send({ type: 'session.joined', participants: [{ uid: 'bob' }] });
      session.send({ type: 'connection.lost' });
      time.advance(10 * SECOND);
      const saved = JSON.parse(JSON.stringify(session.getPersistedSnapshot())) as PersistedCallSession;
      session.dispose();
      const restored = restore(saved, settingsOf(0, 5), time);
      time.advance(50 * SECOND - 1);
      expect(restored.state()).toBe('reconnecting');
      time.advance(1);
      expect(restored.log).toEqual(['onConnectionClosed@60']);

      const accompanied = savedAccompanied(time, settingsOf(0, 60));
      const later = restore(accompanied, settingsOf(0, 5), time);
      later.send({ type: 'connection.lost' });
      time.advance(5 * SECOND);
      expect(later.state()).toBe('closed');
    });
  });
});

function savedAccompanied(time: Time, settings: SessionSettings): PersistedCallSession {
  const session = createCallSession({ clock: time.clock, settings });
  session.join('standup');
  session.send({ type: 'session.joined', participants: [{ uid: 'bob' }] });
  const saved = session.getPersistedSnapshot();
  session.dispose();
  return saved;
}

test('a snapshot naming the settings of a countdown where none runs is refused, as a stray deadline is', () => {
  const time = CLOCKS.SimulatedClock!();
  const saved = savedAccompanied(time, settingsOf(300, 60));
  expect(() => restoreCallSession({ ...saved, idleSettings: settingsOf(60, 60) } as PersistedCallSession)).toThrow(
    /idleSettings must be absent: no idle countdown runs/,
  );
  expect(() =>
    restoreCallSession({ ...saved, reconnectSettings: { idleTimeoutPeriod: -1 } } as unknown as PersistedCallSession),
  ).toThrow(TypeError);
});
