// Every XState internal the package relies on (machines/xstateInternals.ts, and the
// `restoreSnapshot`/`provide` wrapping in the chart), pinned here so that an XState
// release that changes one fails this file instead of silently changing behaviour.
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import { callSessionMachine } from '../machines/callSession.machine.js';
import { clockNow, clockTellsTime, rearmDelayedTransitions } from '../machines/xstateInternals.js';

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
});
