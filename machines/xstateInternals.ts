import {
  createEmptyActor,
  type ActorSystem,
  type AnyActorRef,
  type AnyActorScope,
  type AnyStateMachine,
  type AnyStateNode,
} from 'xstate';

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

/** Where a pure transition's delayed events go: the fleet's timer heap. */
export interface DelayedEventSink {
  /** A state was entered whose `after` delay `delay` (ms) is a number: set the timer `eventType`. */
  schedule(eventType: string, delay: number): void;
  /** A state with the timer `eventType` was left: cancel it. */
  cancel(eventType: string): void;
}

interface TimerAction {
  type: string;
  params: { id?: unknown; delay?: unknown; sendId?: unknown } | undefined;
}

/**
 * One reusable actor scope for `machine.transition(snapshot, event, scope)`, the
 * machine's pure transition, as xstate's own `transition()` builds a throw-away one per
 * call: its system's clock reads `now()` (the chart reads time through `clockNow`,
 * that is, the system's `_clock`), and its action executor runs nothing but turns the
 * chart's delayed events into calls on `sink`:
 *
 * - entering a state with an `after` delay resolves a `xstate.raise` action whose
 *   params are `{ event, id, delay }` (the id is the delayed event's type, the delay
 *   already computed by the chart's delay function); a non-number delay was put on the
 *   internal queue by XState itself and handled within the same macrostep (the chart's
 *   NO_TIMER), so only a number sets a timer;
 * - leaving it resolves a `xstate.cancel` action with params `{ sendId }`, the same id.
 *
 * These are the actions an actor would execute through its scheduler after the
 * transition (schedule on entry, cancel on exit), in the same order. Pinned by
 * test/xstateInternals.test.ts.
 */
export function pureTransitionScope(now: () => number, sink: DelayedEventSink): AnyActorScope {
  const actor = createEmptyActor();
  const clock = { now, setTimeout: () => undefined, clearTimeout: () => undefined };
  const system = Object.create(actor.system, { _clock: { value: clock } }) as AnyActorSystem;
  const scope = {
    self: actor,
    id: '',
    sessionId: 'call-session-fleet',
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system,
    stopChild: () => undefined,
    actionExecutor: (action: TimerAction) => {
      const params = action.params;
      if (action.type === 'xstate.raise') {
        if (typeof params?.delay === 'number' && typeof params.id === 'string') sink.schedule(params.id, params.delay);
      } else if (action.type === 'xstate.cancel') {
        if (typeof params?.sendId === 'string') sink.cancel(params.sendId);
      }
    },
  };
  return scope as unknown as AnyActorScope;
}

/**
 * The delayed events the active states of `snapshot` run, each with the delay the
 * chart's delay functions compute on `scope`'s clock now: what `rearmDelayedTransitions`
 * schedules on a restored actor, for a restored fleet session. Non-number delays (the
 * chart's NO_TIMER) are left out. Reads the snapshot's `_nodes`, as that function does.
 */
export function pendingDelays(
  machine: AnyStateMachine,
  snapshot: unknown,
  scope: AnyActorScope,
): { eventType: string; delay: number }[] {
  const {
    _nodes: nodes,
    context,
    status,
  } = snapshot as {
    _nodes: readonly AnyStateNode[];
    context: unknown;
    status: string;
  };
  if (status !== 'active') return [];
  const delays = machine.implementations.delays as Record<string, unknown>;
  const pending: { eventType: string; delay: number }[] = [];
  for (const node of nodes) {
    for (const transition of node.after) {
      if (pending.some((timer) => timer.eventType === transition.eventType)) continue;
      const configured = typeof transition.delay === 'string' ? delays[transition.delay] : transition.delay;
      const delay =
        typeof configured === 'function'
          ? (configured as (args: object, params: unknown) => unknown)(
              { context, event: { type: 'xstate.restore' }, self: scope.self, system: scope.system },
              undefined,
            )
          : configured;
      if (typeof delay === 'number') pending.push({ eventType: transition.eventType, delay });
    }
  }
  return pending;
}
