import type { ActorSystem, AnyActorRef, AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * Every use of XState internals in the package, in one place. Each is pinned by
 * test/xstateInternals.test.ts, which fails when an XState release changes it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- xstate's own AnyActorSystem, which it does not export
export type AnyActorSystem = ActorSystem<any>;

interface ClockHolder {
  _clock?: { now?: () => number };
}

/**
 * The time on the actor's clock. XState has no public getter for the clock an actor
 * was created with, so this reads the system's `_clock`: `SimulatedClock` has
 * `now()`; a clock without it (the default, or vitest's fake timers) is in step with
 * `Date.now()`.
 */
export function clockNow(system: AnyActorSystem | undefined): number {
  const clock = (system as ClockHolder | undefined)?._clock;
  return typeof clock?.now === 'function' ? clock.now() : Date.now();
}

/**
 * A stand-in for `system` whose clock reads `now`, for running the chart's pure
 * transitions on a virtual time (the testing kit's traversal): the chart reads time
 * through `clockNow`, that is, the system's `_clock`.
 */
export function systemAt(system: AnyActorSystem, now: number): AnyActorSystem {
  const clock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined };
  return Object.create(system, { _clock: { value: clock } }) as AnyActorSystem;
}

/** Whether the actor's clock tells time itself (`SimulatedClock` does); if not, `clockNow` reads `Date.now()`. */
export function clockTellsTime(system: AnyActorSystem | undefined): boolean {
  return typeof (system as ClockHolder | undefined)?._clock?.now === 'function';
}

/**
 * XState does not restart pending `after` timers when an actor is restored (upstream
 * issue 5331). This schedules each active state's delayed transitions again, through
 * the actor's own scheduler, under the ids XState's exit actions cancel them by (the
 * delayed event's type), with the delay the chart's delay functions compute now.
 * Reads the snapshot's `_nodes`, the active state nodes, which XState does not export.
 */
export function rearmDelayedTransitions(actor: AnyActorRef & { logic: AnyStateMachine }): void {
  const snapshot = actor.getSnapshot() as { _nodes: readonly AnyStateNode[]; context: unknown; status: string };
  if (snapshot.status !== 'active') return;
  const delays = actor.logic.implementations.delays as Record<string, unknown>;
  const armed = new Set<string>();
  for (const node of snapshot._nodes) {
    for (const transition of node.after) {
      // One timer per delay, however many guarded candidates share it.
      if (armed.has(transition.eventType)) continue;
      armed.add(transition.eventType);
      const configured = typeof transition.delay === 'string' ? delays[transition.delay] : transition.delay;
      const delay =
        typeof configured === 'function'
          ? (configured as (args: object, params: unknown) => unknown)(
              { context: snapshot.context, event: { type: 'xstate.restore' }, self: actor, system: actor.system },
              undefined,
            )
          : configured;
      if (typeof delay !== 'number') continue;
      actor.system.scheduler.schedule(actor, actor, { type: transition.eventType }, delay, transition.eventType);
    }
  }
}
