import type { ActorSystem } from 'xstate';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- xstate's own AnyActorSystem, which it does not export
export type AnyActorSystem = ActorSystem<any>;

/**
 * The `now()` of the clock the actor was created with, if it has one. XState has no
 * public getter for that clock, so this reads the system's `_clock` (a test pins it).
 */
function clockNowOf(system: AnyActorSystem | undefined): (() => number) | undefined {
  const clock = (system as { _clock?: { now?: () => number } } | undefined)?._clock;
  return typeof clock?.now === 'function' ? () => clock.now!() : undefined;
}

/**
 * The time on the actor's clock: `SimulatedClock` has `now()`, and a clock without it
 * (the default, or vitest's fake timers) is in step with `Date.now()`.
 */
export function clockNow(system: AnyActorSystem | undefined): number {
  return (clockNowOf(system) ?? Date.now)();
}

/** Whether the actor's clock tells time itself (`SimulatedClock` does); if not, `clockNow` reads `Date.now()`. */
export function clockTellsTime(system: AnyActorSystem | undefined): boolean {
  return clockNowOf(system) !== undefined;
}
