// A restore is measured from when it arms its timers (issue 17, fault 2): however long
// fleet.restore() takes to check its entries, each restored countdown ends at its deadline,
// as the same snapshot restored by restoreCallSession does, and the fleet's real timer is
// set from a reading taken after the checks, not before them.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSessionFleet } from 'call-session-machine/fleet';
import { restoreCallSession } from 'call-session-machine/persistence';
import { createCallSession, SessionSettingsBuilder, type PersistedCallSession } from 'call-session-machine';
import { CLOCKS, SECOND, T0, type Time } from '../support/twoClocks.js';

const SETTINGS = new SessionSettingsBuilder().setIdleTimeoutPeriod(60).build();

/** A session alone whose idle countdown ends `leftMs` from now, saved. */
function savedAlone(time: Time, leftMs: number): PersistedCallSession {
  const session = createCallSession({ clock: time.clock, settings: SETTINGS });
  session.join('standup');
  session.send({ type: 'session.joined' });
  const saved = session.getPersistedSnapshot();
  session.dispose();
  return { ...saved, idleDeadline: time.now() + leftMs };
}

/** Entries whose checking takes `msEach` of clock time each, as 100 entries that take 2 s. */
function* slowEntries(time: Time, entries: [string, PersistedCallSession][], msEach: number) {
  for (const entry of entries) {
    time.advance(msEach);
    yield entry;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(Object.keys(CLOCKS))('on %s', (clockName) => {
  const newTime = CLOCKS[clockName]!;

  test('a restore that takes 2 s: a deadline 3 s ahead fires at 3 s, with restoreCallSession’s, not at 5 s', () => {
    const time = newTime();
    const saved = savedAlone(time, 3 * SECOND);
    const fired: string[] = [];
    const at = () => `${(time.now() - T0) / SECOND} s`;
    const session = restoreCallSession(saved, { clock: time.clock });
    session.addSessionStatusListener({ onSessionTimedOut: () => fired.push(`session@${at()}`) });
    const fleet = createCallSessionFleet({ clock: time.clock, settings: SETTINGS });
    fleet.addSessionStatusListener({ onSessionTimedOut: (id) => fired.push(`${id}@${at()}`) });
    const count = fleet.restore(
      slowEntries(
        time,
        [
          ['a', saved],
          ['b', saved],
        ],
        SECOND,
      ),
    );
    expect(count).toBe(2);
    expect(time.now() - T0).toBe(2 * SECOND);
    time.advance(SECOND - 1);
    expect(fired).toEqual([]);
    time.advance(1);
    expect(fired).toEqual(['session@3 s', 'a@3 s', 'b@3 s']);
  });

  test('a deadline that passes while the entries are checked fires as soon as they are armed', () => {
    const time = newTime();
    const saved = savedAlone(time, 1 * SECOND);
    const fleet = createCallSessionFleet({ clock: time.clock, settings: SETTINGS });
    const fired: number[] = [];
    fleet.addSessionStatusListener({ onSessionTimedOut: () => fired.push(time.now() - T0) });
    fleet.restore(
      slowEntries(
        time,
        [
          ['a', saved],
          ['b', { ...saved, idleDeadline: T0 + 5 * SECOND }],
        ],
        SECOND,
      ),
    );
    // The fleet's next wake-up: a tick on the default clock, a 0 ms timer on a SimulatedClock.
    time.advance(1);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(2 * SECOND);
    expect(fired[0]).toBeLessThanOrEqual(2 * SECOND + 1);
    time.advance(3 * SECOND - 1);
    expect(fired.slice(1)).toEqual([5 * SECOND]);
  });

  test('fleet.add({ snapshot }) arms from the same rule: the deadline, whenever the add runs', () => {
    const time = newTime();
    const saved = savedAlone(time, 3 * SECOND);
    time.advance(2 * SECOND);
    const fleet = createCallSessionFleet({ clock: time.clock, settings: SETTINGS });
    fleet.add('a', { snapshot: saved });
    time.advance(SECOND - 1);
    expect(fleet.state('a')).toBe('joined.alone');
    time.advance(1);
    expect(fleet.state('a')).toBe('timedOut');
  });
});
