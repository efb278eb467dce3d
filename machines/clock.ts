import type { ActorSystem } from 'xstate';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- xstate's own AnyActorSystem, which it does not export
export type AnyActorSystem = ActorSystem<any>;

/**
 * The time on the clock the actor was created with. XState has no public getter for
 * it, so this reads the system's `_clock`; `SimulatedClock` has `now()`, and a clock
 * without it (the default, or vitest's fake timers) is in step with `Date.now()`.
 */
export function clockNow(system: AnyActorSystem | undefined): number {
  const clock = (system as { _clock?: { now?: () => number } } | undefined)?._clock;
  return clockTellsTime(system) ? clock!.now!() : Date.now();
}

/** Whether the actor's clock tells time itself (`SimulatedClock` does); if not, `clockNow` reads `Date.now()`. */
export function clockTellsTime(system: AnyActorSystem | undefined): boolean {
  const clock = (system as { _clock?: { now?: () => number } } | undefined)?._clock;
  return typeof clock?.now === 'function';
}
