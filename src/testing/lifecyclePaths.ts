import type { AnyActorScope, AnyMachineSnapshot, TransitionDefinition } from 'xstate';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type {
  CallSessionContext,
  CallSessionEvent,
  Participant,
  SessionSettings,
} from '../../machines/callSession.types.js';
import { createPureTransition } from '../../machines/xstateInternals.js';
import type { CallbackName } from '../core/listeners.js';
import { sessionStateOf, type CallSessionSnapshot, type CallSessionState } from '../core/sessionView.js';
import { SessionSettingsBuilder } from '../../machines/settings.js';

export type { CallbackName } from '../core/listeners.js';

/** A timer of the chart: the idle timeout, its warning, or the reconnect bound. */
export type LifecycleTimer = 'idleTimeout' | 'idleWarning' | 'reconnectTimeout';

/** One step of a lifecycle path: an event to send, or time to let pass until a timer fires. */
export type LifecycleStep = (
  | {
      /** Send `event` to the session. */
      readonly kind: 'send';
      /** The event to send. */
      readonly event: CallSessionEvent;
    }
  | {
      /** Let `ms` milliseconds pass on the clock, so that `timer` fires. */
      readonly kind: 'advance';
      /** How long to wait: until the timer is due, from the end of the step before. */
      readonly ms: number;
      /** The timer that fires at the end of the wait. */
      readonly timer: LifecycleTimer;
    }
) & {
  /** `session.state` right after the step. */
  readonly expectedState: CallSessionState;
  /** The callbacks the step fires, in order. */
  readonly expectedCallbacks: readonly CallbackName[];
  /** The chart transitions the step takes, as `sourceStateId:eventType#candidate`. */
  readonly transitions: readonly string[];
};

/** A sequence of steps from a new session in `idle`, with the state and callbacks each step must produce. */
export interface LifecyclePath {
  /** The settings the path was generated for, and must be replayed with. */
  readonly settings: SessionSettings;
  /** Readable summary, e.g. `session.join → session.joined → after idleTimeoutPeriod`. */
  readonly description: string;
  /** The steps, in order. */
  readonly steps: readonly LifecycleStep[];
}

/** What `getLifecyclePaths` takes. */
export interface LifecyclePathOptions {
  /**
   * Settings the paths are generated and replayed with. Both periods must be above 0.
   * The default makes them equal (60 s), which is what reaches the one transition that
   * needs the idle and reconnect deadlines on the same instant, with a 20 s idle warning.
   */
  settings?: SessionSettings;
  /** `shortest` (default): one path to each reachable state; `simple`: every path without a repeated state. */
  strategy?: 'shortest' | 'simple';
}

/** The participants the paths use: two remote ones, so that "not the last to leave" is reachable. */
export const PATH_PARTICIPANTS: readonly Participant[] = Object.freeze([
  Object.freeze({ uid: 'ana', name: 'Ana' }),
  Object.freeze({ uid: 'ben', name: 'Ben' }),
]);
const [ANA, BEN] = PATH_PARTICIPANTS as [Participant, Participant];

/** The timer each of the chart's delays is. */
const TIMER_OF_DELAY: Readonly<Record<string, LifecycleTimer>> = {
  idleTimeoutPeriod: 'idleTimeout',
  idleWarningPeriod: 'idleWarning',
  reconnectTimeoutPeriod: 'reconnectTimeout',
};

/** The timer a delayed event (`xstate.after.<delay>.<state id>`) belongs to. */
function timerOf(event: ChartEvent): LifecycleTimer | undefined {
  return event.type.startsWith('xstate.after.') ? TIMER_OF_DELAY[event.type.split('.')[2]!] : undefined;
}

const PATH_EVENTS: readonly CallSessionEvent[] = [
  { type: 'session.join', sessionId: 'path-session' },
  { type: 'session.joined' },
  { type: 'session.joined', participants: [ANA] },
  { type: 'session.joinFailed' },
  { type: 'session.leave' },
  { type: 'session.removed' },
  { type: 'participant.joined', participant: ANA },
  { type: 'participant.joined', participant: BEN },
  { type: 'participant.left', participant: ANA },
  { type: 'participant.left', participant: BEN },
  { type: 'connection.lost' },
  { type: 'connection.restored' },
  { type: 'connection.restored', participants: [] },
  { type: 'connection.restored', participants: [ANA] },
  { type: 'connection.closed' },
  { type: 'idle.extend' },
];

type ChartEvent = CallSessionEvent | { type: string };
type ChartSnapshot = AnyMachineSnapshot & { context: CallSessionContext };
type ChartTransition = TransitionDefinition<CallSessionContext, CallSessionEvent>;

/**
 * The traversal runs the chart's pure transitions on a virtual clock: each snapshot it
 * reaches has a time, which moves only when a timer fires, to that timer's due time. So
 * a path can let time pass at any step, and every wait is exact.
 */
const timeOf = new WeakMap<object, number>();
const chart = createPureTransition(callSessionMachine);

/** The timers the active state runs now, each with its due time, from the chart's own delay functions. */
function runningTimers(snapshot: ChartSnapshot): { event: ChartEvent; due: number }[] {
  const now = timeOf.get(snapshot) ?? 0;
  return chart
    .pendingDelays(snapshot as CallSessionSnapshot, now)
    .map(({ eventType, delay }) => ({ event: { type: eventType }, due: now + delay! }));
}

/** The traversal's transition: the chart's own, at the snapshot's time, or at the due time of the timer that fires. */
function timedTransition(snapshot: ChartSnapshot, event: ChartEvent): ChartSnapshot {
  const now = timeOf.get(snapshot) ?? 0;
  const at = timerOf(event)
    ? (runningTimers(snapshot).find((timer) => timer.event.type === event.type)?.due ?? now)
    : now;
  const next = chart.transition(snapshot as CallSessionSnapshot, event as CallSessionEvent, at) as ChartSnapshot;
  if (next !== snapshot) timeOf.set(next, at);
  return next;
}

const timedLogic = {
  transition: (snapshot: ChartSnapshot, event: ChartEvent) => timedTransition(snapshot, event),
  getInitialSnapshot: (_scope: AnyActorScope, input: unknown) => {
    const snapshot = chart.initialSnapshot(input as never, 0) as ChartSnapshot;
    timeOf.set(snapshot, 0);
    return snapshot;
  },
};

/** The events that can happen next: any event of SPEC §2, or the timer (timers, on a tie) due first. */
function possibleEvents(snapshot: ChartSnapshot): ChartEvent[] {
  const timers = runningTimers(snapshot);
  const first = Math.min(...timers.map((timer) => timer.due));
  return [...PATH_EVENTS, ...timers.filter((timer) => timer.due === first).map((timer) => timer.event)];
}

function allStateNodes() {
  const nodes = [callSessionMachine.root];
  for (let i = 0; i < nodes.length; i++) nodes.push(...Object.values(nodes[i]!.states));
  return nodes;
}

/** Every transition of the chart, as `sourceStateId:eventType#candidate`. */
export function chartTransitions(): string[] {
  const keys: string[] = [];
  for (const node of allStateNodes()) {
    for (const [type, candidates] of node.transitions) {
      candidates.forEach((_, index) => keys.push(`${node.id}:${type}#${index}`));
    }
  }
  return keys;
}

function transitionKey(transition: ChartTransition): string {
  const candidates = transition.source.transitions.get(transition.eventType) ?? [];
  return `${transition.source.id}:${transition.eventType}#${candidates.indexOf(transition)}`;
}

function stateOf(snapshot: ChartSnapshot): CallSessionState {
  return sessionStateOf(snapshot as CallSessionSnapshot);
}

/**
 * What tells two states apart for the traversal: the state, who is present, whether it
 * warned, and the time left on each running timer. xstate/graph may hand back any
 * snapshot with the same serialization along a path, so it must fix all that a step's
 * expectations and waits depend on.
 */
function serializeState(snapshot: ChartSnapshot): string {
  const { roster, idleWarningAt } = snapshot.context;
  const present = roster.list.map((participant: Participant) => participant.uid).join(',');
  const now = timeOf.get(snapshot) ?? 0;
  const timers = runningTimers(snapshot).map((timer) => `${timerOf(timer.event)}:${timer.due - now}`);
  return `${stateOf(snapshot)}|${present}|warned:${idleWarningAt !== null}|${timers.join(',')}`;
}

/** How long after `previous` the timer `event` is due. */
function waitFor(previous: ChartSnapshot, event: ChartEvent): number {
  const timer = runningTimers(previous).find((running) => running.event.type === event.type)!;
  return timer.due - (timeOf.get(previous) ?? 0);
}

function uids(list: readonly Participant[] | undefined): string[] {
  return (list ?? []).filter((participant) => !participant.isLocal).map((participant) => participant.uid ?? '');
}

/**
 * The callbacks SPEC §2 promises for one step, written from the spec's event table
 * rather than from the adapter: a status callback by event and outcome, then one
 * joined/left callback per participant change, then the list once.
 */
function expectedCallbacksFor(
  event: ChartEvent,
  before: CallSessionState,
  after: CallSessionState,
  present: readonly string[],
): CallbackName[] {
  const callbacks: CallbackName[] = [];
  const wasJoined = before.startsWith('joined') || before === 'reconnecting';
  if (timerOf(event) === 'idleWarning') return ['onIdleTimeoutWarning'];
  switch (event.type) {
    case 'session.joined':
      callbacks.push('onSessionJoined');
      break;
    case 'connection.lost':
      callbacks.push('onConnectionLost');
      break;
    case 'connection.restored':
      callbacks.push('onConnectionRestored');
      break;
    case 'session.leave':
    case 'session.removed':
      if (wasJoined) callbacks.push('onSessionLeft');
      break;
    case 'connection.closed':
      callbacks.push('onConnectionClosed');
      break;
    default:
      if (after === 'timedOut') callbacks.push('onSessionTimedOut');
      if (after === 'closed') callbacks.push('onConnectionClosed');
  }
  const participantEvent = event as CallSessionEvent;
  let joined: string[] = [];
  let left: string[] = [];
  let updated = false;
  if (participantEvent.type === 'participant.joined') {
    const uid = participantEvent.participant.uid ?? '';
    if (present.includes(uid)) updated = true;
    else joined = [uid];
  } else if (participantEvent.type === 'participant.left') {
    left = [participantEvent.participant.uid ?? ''];
  } else if (
    (participantEvent.type === 'session.joined' || participantEvent.type === 'connection.restored') &&
    participantEvent.participants
  ) {
    const listed = uids(participantEvent.participants);
    joined = listed.filter((uid) => !present.includes(uid));
    left = present.filter((uid) => !listed.includes(uid));
  }
  for (let i = 0; i < joined.length; i++) callbacks.push('onParticipantJoined');
  for (let i = 0; i < left.length; i++) callbacks.push('onParticipantLeft');
  if (joined.length || left.length || updated) callbacks.push('onParticipantListChanged');
  return callbacks;
}

function toLifecyclePath(path: StatePath<ChartSnapshot, ChartEvent>, settings: SessionSettings): LifecyclePath {
  const steps: LifecycleStep[] = [];
  let previous: ChartSnapshot | undefined;
  for (const { event, state } of path.steps) {
    if (!previous) {
      // The traversal's first step is the initial state, reached by xstate.init.
      previous = state;
      continue;
    }
    const before = stateOf(previous);
    const after = stateOf(state);
    const transitions = takenTransitions(previous, event);
    const present = previous.context.roster.list.map((participant: Participant) => participant.uid ?? '');
    const shared = {
      expectedState: after,
      expectedCallbacks: expectedCallbacksFor(event, before, after, present),
      transitions,
    };
    const timer = timerOf(event);
    if (timer) {
      steps.push({ kind: 'advance', timer, ms: waitFor(previous, event), ...shared });
    } else {
      steps.push({ kind: 'send', event: event as CallSessionEvent, ...shared });
    }
    previous = state;
  }
  const description = steps
    .map((step) => (step.kind === 'send' ? step.event.type : `after ${step.timer}Period`))
    .join(' → ');
  return { settings, description, steps };
}

const DEFAULT_PATH_SETTINGS = new SessionSettingsBuilder()
  .setIdleTimeoutPeriod(60)
  .setReconnectTimeoutPeriod(60)
  .setIdleWarningPeriod(20)
  .build();

/**
 * Lifecycle paths over the chart, generated with `xstate/graph`. Each starts from a new
 * session in `idle` at time 0; events take no time, and a timer step waits exactly until
 * that timer is due. Together the shortest paths reach every state and take every
 * transition of the chart.
 */
export function getLifecyclePaths(options: LifecyclePathOptions = {}): LifecyclePath[] {
  const settings = options.settings ?? DEFAULT_PATH_SETTINGS;
  if (settings.idleTimeoutPeriod <= 0 || settings.reconnectTimeoutPeriod <= 0) {
    throw new RangeError('getLifecyclePaths needs both periods above 0, so that every timer can fire');
  }
  const traversal = {
    input: { settings },
    events: possibleEvents,
    serializeState: serializeState as (snapshot: AnyMachineSnapshot) => string,
  };
  const generate = options.strategy === 'simple' ? getSimplePaths : getShortestPaths;
  const paths = generate(timedLogic as never, traversal as never) as StatePath<ChartSnapshot, ChartEvent>[];
  return withEveryTransition(paths, traversal.events)
    .filter((path) => path.steps.length > 1)
    .map((path) => toLifecyclePath(path, settings));
}

function takenTransitions(snapshot: ChartSnapshot, event: ChartEvent): string[] {
  return (callSessionMachine.getTransitionData(snapshot as never, event as never) ?? []).map((t) =>
    transitionKey(t as ChartTransition),
  );
}

/**
 * Paths to every state need not take every transition (two transitions may lead to
 * the same state). Each transition no path takes yet is added as one more step on the
 * first path that ends where it starts.
 */
function withEveryTransition(
  paths: StatePath<ChartSnapshot, ChartEvent>[],
  eventsFrom: (snapshot: ChartSnapshot) => ChartEvent[],
): StatePath<ChartSnapshot, ChartEvent>[] {
  const covered = new Set<string>();
  for (const path of paths) {
    for (let i = 1; i < path.steps.length; i++) {
      for (const key of takenTransitions(path.steps[i - 1]!.state, path.steps[i]!.event)) covered.add(key);
    }
  }
  const extended: StatePath<ChartSnapshot, ChartEvent>[] = [];
  for (const path of paths) {
    for (const event of eventsFrom(path.state)) {
      const keys = takenTransitions(path.state, event);
      if (keys.length === 0 || keys.every((key) => covered.has(key))) continue;
      for (const key of keys) covered.add(key);
      const state = timedTransition(path.state, event);
      extended.push({ state, weight: path.weight + 1, steps: [...path.steps, { event, state }] });
    }
  }
  return [...paths, ...extended];
}
