// Every XState internal the package relies on (machines/xstateInternals.ts, and the
// `restoreSnapshot`/`provide` wrapping in the chart), pinned here so that an XState
// release that changes one fails this file instead of silently changing behaviour.
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import { callSessionMachine } from '../machines/callSession.machine.js';
import {
  clockNow,
  clockTellsTime,
  createPureTransition,
  pendingDelays,
  pureTransitionScope,
  rearmDelayedTransitions,
} from '../machines/xstateInternals.js';
import { SessionSettingsBuilder } from '../machines/settings.js';
import { getLifecyclePaths } from '../src/testing/index.js';

function scheduledTypes(actor: { system: unknown }): string[] {
  const system = actor.system as { getSnapshot(): { _scheduledEvents: Record<string, { event: { type: string } }> } };
  return Object.values(system.getSnapshot()._scheduledEvents).map((scheduled) => scheduled.event.type);
}

describe('XState internals', () => {
  test('system._clock is the clock createActor was given; clockNow reads its now(), else Date.now()', () => {
    const clock = new SimulatedClock();
    clock.set(1_000_000);
    const actor = createActor(callSessionMachine, { clock }).start();
    expect((actor.system as unknown as { _clock: unknown })._clock).toBe(clock);
    expect(clockNow(actor.system)).toBe(1_000_000);
    expect(clockTellsTime(actor.system)).toBe(true);
    actor.send({ type: 'session.join', sessionId: 's1' });
    actor.send({ type: 'session.joined' });
    expect(actor.getSnapshot().context.idleDeadline).toBe(1_000_000 + 300_000);

    const realTime = createActor(callSessionMachine).start();
    expect(clockTellsTime(realTime.system)).toBe(false);
    const before = Date.now();
    const read = clockNow(realTime.system);
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
  });

  test('a snapshot lists its active state nodes in _nodes, each with its after transitions', () => {
    const actor = createActor(callSessionMachine).start();
    actor.send({ type: 'session.join', sessionId: 's1' });
    actor.send({ type: 'session.joined' });
    const nodes = (actor.getSnapshot() as unknown as { _nodes: { id: string; after: { eventType: string }[] }[] })
      ._nodes;
    expect(nodes.map((node) => node.id)).toEqual(['callSession', 'callSession.joined', 'callSession.joined.alone']);
    expect(nodes[2]!.after.map((transition) => transition.eventType)).toEqual([
      'xstate.after.idleWarningPeriod.callSession.joined.alone',
      'xstate.after.idleTimeoutPeriod.callSession.joined.alone',
    ]);
  });

  test('a delayed event scheduled under its event type is the one XState cancels when the state is left', () => {
    const clock = new SimulatedClock();
    const live = createActor(callSessionMachine, { clock }).start();
    live.send({ type: 'session.join', sessionId: 's1' });
    live.send({ type: 'session.joined' });
    // Restoring does not re-arm the timer (upstream 5331)…
    const restored = createActor(callSessionMachine, { clock, snapshot: live.getPersistedSnapshot() }).start();
    live.stop();
    expect(scheduledTypes(restored)).toEqual([]);
    // …rearmDelayedTransitions does, under the id XState cancels on exit…
    rearmDelayedTransitions(restored);
    expect(scheduledTypes(restored)).toEqual(['xstate.after.idleTimeoutPeriod.callSession.joined.alone']);
    restored.send({ type: 'participant.joined', participant: { uid: 'bob' } });
    expect(scheduledTypes(restored)).toEqual([]);
    // …and once re-armed, it fires as the original would have.
    const again = createActor(callSessionMachine, { clock, snapshot: restored.getPersistedSnapshot() }).start();
    again.send({ type: 'participant.left', participant: { uid: 'bob' } });
    for (let i = 0; i < 300; i++) clock.increment(1000);
    expect(again.getSnapshot().value).toBe('timedOut');
  });

  test('createActor restores through the machine’s restoreSnapshot, and provide() copies the machine', () => {
    expect(typeof callSessionMachine.restoreSnapshot).toBe('function');
    const provided = callSessionMachine.provide({});
    expect(provided).not.toBe(callSessionMachine);
    expect(provided.restoreSnapshot).not.toBe(callSessionMachine.restoreSnapshot);
  });

  describe('the pure transition with one reusable scope (the fleet, src/fleet)', () => {
    const ALONE_WARNING = 'xstate.after.idleWarningPeriod.callSession.joined.alone';
    const ALONE_IDLE = 'xstate.after.idleTimeoutPeriod.callSession.joined.alone';
    const settings = (idle: number, warning = 0) =>
      new SessionSettingsBuilder().setIdleTimeoutPeriod(idle).setIdleWarningPeriod(warning).build();

    function recordingScope(now: () => number) {
      const requests: string[] = [];
      const scope = pureTransitionScope(now, {
        schedule: (eventType, delay) => requests.push(`schedule ${eventType} ${delay}`),
        cancel: (eventType) => requests.push(`cancel ${eventType}`),
      });
      return { scope, requests };
    }

    function joinedAlone(scope: ReturnType<typeof recordingScope>['scope'], idle: number, warning = 0) {
      const initial = callSessionMachine.getInitialSnapshot(scope, { settings: settings(idle, warning) });
      const joining = callSessionMachine.transition(initial, { type: 'session.join', sessionId: 's1' }, scope);
      return callSessionMachine.transition(joining, { type: 'session.joined' }, scope);
    }

    test('entering a state hands its `after` delays to the executor as xstate.raise {id, delay}, computed on the scope clock', () => {
      let now = 5_000;
      const { scope, requests } = recordingScope(() => now);
      const alone = joinedAlone(scope, 60, 20);
      expect(alone.value).toEqual({ joined: 'alone' });
      // The chart read the scope's clock: the deadline is 60 s from 5 s.
      expect(alone.context.idleDeadline).toBe(65_000);
      expect(requests).toEqual([`schedule ${ALONE_WARNING} 40000`, `schedule ${ALONE_IDLE} 60000`]);
      // Leaving it hands xstate.cancel {sendId} with the same ids, before the next state's raises.
      requests.length = 0;
      now = 6_000;
      const lost = callSessionMachine.transition(alone, { type: 'connection.lost' }, scope);
      expect(lost.value).toBe('reconnecting');
      expect(requests).toEqual([
        `cancel ${ALONE_WARNING}`,
        `cancel ${ALONE_IDLE}`,
        'schedule xstate.after.idleWarningPeriod.callSession.reconnecting 39000',
        'schedule xstate.after.idleTimeoutPeriod.callSession.reconnecting 59000',
        'schedule xstate.after.reconnectTimeoutPeriod.callSession.reconnecting 60000',
      ]);
    });

    test('a non-number delay sets no timer: XState raises it onto the internal queue, handled in the same macrostep', () => {
      const { scope, requests } = recordingScope(() => 0);
      // Idle timeout disabled: the chart's NO_TIMER, dropped by the guard isIdleCountdownRunning.
      expect(joinedAlone(scope, 0).value).toEqual({ joined: 'alone' });
      expect(requests).toEqual([]);
      // The same chart with that guard always true: the raised event is taken within the
      // one transition call, so the session is timed out before transition() returns.
      const unguarded = callSessionMachine.provide({ guards: { isIdleCountdownRunning: () => true } });
      const initial = unguarded.getInitialSnapshot(scope, { settings: settings(0) });
      const joining = unguarded.transition(initial, { type: 'session.join', sessionId: 's1' }, scope);
      const joined = unguarded.transition(joining, { type: 'session.joined' }, scope);
      expect(joined.value).toBe('timedOut');
      expect(joined.status).toBe('done');
      // No timer was ever set; leaving joined.alone cancels by id all the same.
      expect(requests.filter((request) => request.startsWith('schedule'))).toEqual([]);
    });

    test('an event the state does not take returns the same snapshot object and requests nothing', () => {
      const { scope, requests } = recordingScope(() => 0);
      const alone = joinedAlone(scope, 60);
      requests.length = 0;
      expect(callSessionMachine.transition(alone, { type: 'connection.restored' }, scope)).toBe(alone);
      expect(requests).toEqual([]);
    });

    test('the timer event `{ type: eventType }` takes the delayed transition; a final state cancels what ran', () => {
      const { scope, requests } = recordingScope(() => 60_000);
      const alone = joinedAlone(scope, 60, 20);
      requests.length = 0;
      const timedOut = callSessionMachine.transition(alone, { type: ALONE_IDLE } as never, scope);
      expect(timedOut.value).toBe('timedOut');
      expect(timedOut.status).toBe('done');
      expect(requests).toEqual([`cancel ${ALONE_WARNING}`, `cancel ${ALONE_IDLE}`]);
    });

    test('the chart executes no action but raise and cancel: the fleet, which runs none, misses nothing', () => {
      const types = new Set<string>();
      let now = 0;
      const scope = pureTransitionScope(() => now, { schedule: () => undefined, cancel: () => undefined });
      const executor = scope.actionExecutor;
      scope.actionExecutor = (action) => {
        types.add(action.type);
        executor(action);
      };
      type Nodes = { _nodes: { after: { eventType: string }[] }[] };
      for (const strategy of ['shortest', 'simple'] as const) {
        for (const path of getLifecyclePaths({ strategy })) {
          now = 0;
          let snapshot = callSessionMachine.getInitialSnapshot(scope, { settings: path.settings });
          for (const step of path.steps) {
            let event: unknown = step.kind === 'send' ? step.event : undefined;
            if (step.kind === 'advance') {
              now += step.ms;
              const afters = (snapshot as unknown as Nodes)._nodes.flatMap((node) => node.after);
              event = { type: afters.find((after) => after.eventType.includes(`.${step.timer}Period.`))!.eventType };
            }
            snapshot = callSessionMachine.transition(snapshot, event as never, scope);
          }
        }
      }
      expect([...types].sort()).toEqual(['xstate.cancel', 'xstate.raise']);
    });

    test('pendingDelays: the delayed events a restored snapshot runs, by the chart delay functions at the scope time', () => {
      let now = 0;
      const { scope } = recordingScope(() => now);
      const alone = joinedAlone(scope, 60, 20);
      now = 30_000;
      expect(pendingDelays(callSessionMachine, alone, scope)).toEqual([
        { eventType: ALONE_WARNING, delay: 10_000 },
        { eventType: ALONE_IDLE, delay: 30_000 },
      ]);
      // A countdown that ran out while stored: due at once, its warning 2 ms after (the chart's
      // rule: Node runs a 0 ms timer after 1 ms, so 1 ms after would come due with it).
      now = 90_000;
      expect(pendingDelays(callSessionMachine, alone, scope)).toEqual([
        { eventType: ALONE_WARNING, delay: 2 },
        { eventType: ALONE_IDLE, delay: 0 },
      ]);
      // Idle disabled: no number, no timer.
      expect(pendingDelays(callSessionMachine, joinedAlone(scope, 0), scope)).toEqual([]);
    });

    test('createPureTransition, the one entry for runtimes without an actor: snapshots, and the delayed actions collected in order', () => {
      const chart = createPureTransition(callSessionMachine);
      const initial = chart.initialSnapshot({ settings: settings(60, 20) }, 5_000);
      const joining = chart.transition(initial, { type: 'session.join', sessionId: 's1' }, 5_000);
      const delayed: { eventType: string; delay: number | null }[] = [];
      const alone = chart.transition(joining, { type: 'session.joined' }, 5_000, delayed);
      expect(alone.context.idleDeadline).toBe(65_000);
      expect(delayed).toEqual([
        { eventType: ALONE_WARNING, delay: 40_000 },
        { eventType: ALONE_IDLE, delay: 60_000 },
      ]);
      delayed.length = 0;
      const left = chart.transition(alone, { type: 'session.leave' }, 6_000, delayed);
      expect(left.value).toBe('left');
      expect(delayed).toEqual([
        { eventType: ALONE_WARNING, delay: null },
        { eventType: ALONE_IDLE, delay: null },
      ]);
      // An event the state does not take: the same snapshot, nothing collected.
      delayed.length = 0;
      expect(chart.transition(alone, { type: 'connection.restored' }, 7_000, delayed)).toBe(alone);
      expect(delayed).toEqual([]);
      // What to set again after loading `alone` at 25 s: the time left at that instant.
      expect(chart.pendingDelays(alone, 25_000)).toEqual([
        { eventType: ALONE_WARNING, delay: 20_000 },
        { eventType: ALONE_IDLE, delay: 40_000 },
      ]);
    });
  });
});
