// The model paths of the testing kit (getLifecyclePaths, from the chart with xstate/graph,
// each step's state and callbacks written from SPEC §2 and checked against the oracle in
// test/modelPaths.test.ts) replayed on a fleet with a SimulatedClock, as
// src/testing/replay.ts replays them on a CallSession: every step's state and callbacks,
// and no timer 1 ms early. All the paths of a strategy run at once, one session each, in
// ONE fleet on one clock, so their timers share the heap and fire in the same wake-ups.
import { describe, expect, test } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSessionFleet, type CallSessionFleet } from 'call-session-machine/fleet';
import { getLifecyclePaths, type CallbackName, type LifecyclePath } from '../../src/testing/index.js';
import { SessionSettingsBuilder } from '../../src/index.js';
import { ALL_CALLBACKS } from '../support/status.js';

const CALLBACKS: readonly CallbackName[] = ALL_CALLBACKS;

/** Callback names fired per session id, in order. */
function recordCallbacks(fleet: CallSessionFleet): Map<string, CallbackName[]> {
  const fired = new Map<string, CallbackName[]>();
  const recorder = Object.fromEntries(
    CALLBACKS.map((name) => [name, (id: string) => void fired.get(id)!.push(name)]),
  ) as Record<CallbackName, (id: string) => void>;
  fleet.addSessionStatusListener(recorder);
  fleet.addParticipantEventListener(recorder);
  return fired;
}

/**
 * Replays `paths` concurrently, path i as session `p<i>`, each from time 0. Steps are
 * taken in time order: the clock goes to 1 ms before the next step's time (nothing may
 * fire on the way: a timer 1 ms early shows here), then to that time, and every step of
 * every path due then is checked or sent, path by path. Returns the problems found.
 */
function replayOnOneFleet(paths: readonly LifecyclePath[]): string[] {
  const clock = new SimulatedClock();
  const fleet = createCallSessionFleet({ clock });
  const fired = recordCallbacks(fleet);
  const lanes = paths.map((path, i) => ({ id: `p${i}`, path, next: 0, time: 0 }));
  for (const lane of lanes) {
    fleet.add(lane.id, { settings: lane.path.settings });
    fired.set(lane.id, []);
  }
  const problems: string[] = [];
  const stepTime = (lane: (typeof lanes)[number]): number => {
    const step = lane.path.steps[lane.next];
    if (!step) return Infinity;
    return step.kind === 'send' ? lane.time : lane.time + step.ms;
  };
  const unexpected = (when: string): void => {
    for (const lane of lanes) {
      const log = fired.get(lane.id)!;
      if (log.length > 0) problems.push(`${lane.path.description} (${lane.id}): ${when}: ${log.join(', ')}`);
      log.length = 0;
    }
  };
  for (;;) {
    const time = Math.min(...lanes.map(stepTime));
    if (time === Infinity) break;
    if (time > clock.now()) {
      const live = lanes.filter((lane) => fleet.has(lane.id));
      const states = live.map((lane) => fleet.state(lane.id));
      while (clock.now() < time - 1) clock.increment(Math.min(1000, time - 1 - clock.now()));
      unexpected(`fired early (before ${time} ms)`);
      live.forEach((lane, i) => {
        if (fleet.state(lane.id) !== states[i]) problems.push(`${lane.path.description}: state changed early`);
      });
      clock.increment(1);
      // More than a batch (1,000) may be due at once: each further batch waits for the
      // fleet's 0 ms yield, which a SimulatedClock runs at its next increment.
      for (let batch = 1000; batch < lanes.length; batch += 1000) clock.increment(0);
    }
    for (const lane of lanes) {
      while (stepTime(lane) === time) {
        const step = lane.path.steps[lane.next]!;
        const where = `${lane.path.description} (${lane.id}), step ${lane.next + 1}`;
        const log = fired.get(lane.id)!;
        if (step.kind === 'send') {
          if (log.length > 0) problems.push(`${where}: callbacks before the send: ${log.join(', ')}`);
          log.length = 0;
          fleet.send(lane.id, step.event);
        }
        if (fleet.state(lane.id) !== step.expectedState) {
          problems.push(`${where}: expected state ${step.expectedState}, got ${fleet.state(lane.id)}`);
        }
        if (log.join() !== step.expectedCallbacks.join()) {
          problems.push(`${where}: expected callbacks [${step.expectedCallbacks.join(', ')}], got [${log.join(', ')}]`);
        }
        log.length = 0;
        lane.time = time;
        lane.next++;
      }
      // A path that ended leaves its session; its timers must not run on.
      if (lane.next === lane.path.steps.length && fleet.has(lane.id)) fleet.remove(lane.id);
    }
    unexpected(`callbacks with no step at ${time} ms`);
  }
  fleet.dispose();
  return problems;
}

describe.each(['shortest', 'simple'] as const)('%s paths', (strategy) => {
  const paths = getLifecyclePaths({ strategy });

  test('all at once in one fleet: state, callbacks and timer timing match at every step', () => {
    console.log(`${strategy}: ${paths.length} paths replayed concurrently in one fleet`);
    expect(replayOnOneFleet(paths)).toEqual([]);
  });

  test('each alone in a fleet (a session’s replay)', () => {
    for (const path of paths) expect(replayOnOneFleet([path])).toEqual([]);
  });
});

test('paths with unequal periods, all at once', () => {
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(7).setReconnectTimeoutPeriod(3).build();
  expect(replayOnOneFleet(getLifecyclePaths({ settings }))).toEqual([]);
});

test('the replay catches a fleet that does not do what a path expects', () => {
  const paths = getLifecyclePaths();
  const index = paths.findIndex((p) => {
    const final = p.steps.at(-1);
    return final?.kind === 'advance' && final.timer === 'idleTimeout';
  });
  const path = paths[index]!;
  const last = path.steps.at(-1)!;
  if (last.kind !== 'advance') throw new Error('unreachable');
  const withLast = (changed: typeof last): LifecyclePath[] =>
    paths.map((p, i) => (i === index ? { ...p, steps: [...p.steps.slice(0, -1), changed] } : p));
  expect(replayOnOneFleet(withLast({ ...last, ms: last.ms + 1000 })).join()).toMatch(
    /fired early|callbacks with no step at/,
  );
  expect(replayOnOneFleet(withLast({ ...last, ms: last.ms - 1 })).join()).toMatch(/expected state timedOut/);
  expect(replayOnOneFleet(withLast({ ...last, expectedCallbacks: ['onSessionLeft'] })).join()).toMatch(
    /expected callbacks \[onSessionLeft\], got \[onSessionTimedOut\]/,
  );
});
