import {
  createEmptyActor,
  type ActorSystem,
  type AnyActorRef,
  type AnyActorScope,
  type AnyStateMachine,
  type AnyStateNode,
  type EventFromLogic,
  type InputFrom,
  type Snapshot,
  type SnapshotFrom,
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

/**
 * A delayed event a pure transition set or cancelled, as an actor's scheduler would:
 * `delay` ms from the `now` the transition ran at (a number: set the timer `eventType`,
 * replacing one already set under that id), or `null` (cancel the timer `eventType`).
 * `eventType` is XState's `xstate.after.<delay>.<state id>`, which is also the event to
 * send back when the timer fires: `{ type: eventType }`.
 */
export interface DelayedEventAction {
  readonly eventType: string;
  readonly delay: number | null;
}

/** The chart's pure transition on one reusable scope (`createPureTransition`). */
export interface PureTransition<TMachine extends AnyStateMachine> {
  /**
   * `machine.transition(snapshot, event, scope)` on the one scope, its clock reading
   * `now`. Returns the next snapshot (the same object when the event changed nothing)
   * and appends to `delayed`, if given, the delayed raise/cancel actions it resolved, in
   * the order an actor would execute them. Runs no other action. Not re-entrant.
   */
  transition(
    snapshot: SnapshotFrom<TMachine>,
    event: EventFromLogic<TMachine>,
    now: number,
    delayed?: DelayedEventAction[],
  ): SnapshotFrom<TMachine>;
  /** `machine.getInitialSnapshot(scope, input)` on the same scope at `now`. */
  initialSnapshot(input: InputFrom<TMachine>, now: number): SnapshotFrom<TMachine>;
  /**
   * The timers the active states of `snapshot` run, with the delays the chart's delay
   * functions compute at `now` (every `delay` a number): what to set again after a
   * stored snapshot is loaded, as `rearmDelayedTransitions` does for an actor.
   */
  pendingDelays(snapshot: SnapshotFrom<TMachine>, now: number): DelayedEventAction[];
}

/**
 * THE way to run a chart without an actor (the fleet, the testing kit's traversal, a
 * durable runtime): its pure transition on one reusable scope (`pureTransitionScope`),
 * collecting the delayed raise/cancel actions instead of running them. Make one per
 * runtime instance. /work/coord/pure-transition-api.md has an example.
 */
export function createPureTransition<TMachine extends AnyStateMachine>(machine: TMachine): PureTransition<TMachine> {
  let at = 0;
  let sink: DelayedEventAction[] | undefined;
  const scope = pureTransitionScope(() => at, {
    schedule: (eventType, delay) => sink?.push({ eventType, delay }),
    cancel: (eventType) => sink?.push({ eventType, delay: null }),
  });
  return {
    transition(snapshot, event, now, delayed) {
      at = now;
      sink = delayed;
      try {
        return machine.transition(snapshot, event, scope) as SnapshotFrom<TMachine>;
      } finally {
        sink = undefined;
      }
    },
    initialSnapshot(input, now) {
      at = now;
      return machine.getInitialSnapshot(scope, input) as SnapshotFrom<TMachine>;
    },
    pendingDelays(snapshot, now) {
      at = now;
      return pendingDelays(machine, snapshot, scope);
    },
  };
}

/**
 * `machine` with every snapshot it restores passed through `revive` first, and so every
 * machine `provide()` makes from it: XState has no hook for reviving a persisted
 * snapshot, so this wraps the machine's own `restoreSnapshot` and `provide`.
 */
export function restoringThrough<TMachine extends AnyStateMachine>(
  machine: TMachine,
  revive: <S extends Snapshot<unknown>>(snapshot: S) => S,
): TMachine {
  const restoreSnapshot = machine.restoreSnapshot.bind(machine);
  const provide = machine.provide.bind(machine);
  machine.restoreSnapshot = (snapshot: Snapshot<unknown>, scope: AnyActorScope) =>
    restoreSnapshot(revive(snapshot), scope);
  machine.provide = ((implementations: Parameters<TMachine['provide']>[0]) =>
    restoringThrough(provide(implementations) as TMachine, revive)) as TMachine['provide'];
  return machine;
}
