import { transition, type AnyMachineSnapshot, type TransitionDefinition } from 'xstate';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type {
  CallSessionContext,
  CallSessionEvent,
  Participant,
  SessionSettings,
} from '../../machines/callSession.types.js';
import { sessionStateOf, type CallSessionSnapshot, type CallSessionState } from '../sessionView.js';
import { SessionSettingsBuilder } from '../settings.js';

/** The name of a status or participant callback, as a listener would see it fire. */
export type CallbackName =
  | 'onSessionJoined'
  | 'onSessionLeft'
  | 'onSessionTimedOut'
  | 'onConnectionLost'
  | 'onConnectionRestored'
  | 'onConnectionClosed'
  | 'onParticipantJoined'
  | 'onParticipantLeft'
  | 'onParticipantListChanged';

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
      /** How long to wait: the timer's full period. */
      readonly ms: number;
      /** The timer that fires at the end of the wait. */
      readonly timer: 'idleTimeout' | 'reconnectTimeout';
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
   * needs the idle and reconnect deadlines on the same instant.
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

const IDLE_AFTER = 'xstate.after.idleTimeoutPeriod';
const RECONNECT_AFTER = 'xstate.after.reconnectTimeoutPeriod';

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
];

type ChartEvent = CallSessionEvent | { type: string };
type ChartSnapshot = AnyMachineSnapshot & { context: CallSessionContext };
type ChartTransition = TransitionDefinition<CallSessionContext, CallSessionEvent>;

/** Every timer event the chart can raise, by the state node that owns it. */
function timerEvents(): ChartEvent[] {
  const events: ChartEvent[] = [];
  for (const node of allStateNodes()) {
    for (const type of node.transitions.keys()) if (type.startsWith('xstate.after.')) events.push({ type });
  }
  return events;
}

/**
 * The events that can happen next. A path lets time pass only at its end, so every
 * countdown that runs started at time 0 and ends after its full period: only the
 * timer with the earliest end can fire (both, when they end together).
 */
function possibleEvents(settings: SessionSettings): (snapshot: ChartSnapshot) => ChartEvent[] {
  const timers = timerEvents();
  return (snapshot) => {
    const idleRuns = snapshot.context.idleDeadline !== null;
    const reconnectRuns = snapshot.context.reconnectDeadline !== null;
    const idleMs = settings.idleTimeoutPeriod;
    const reconnectMs = settings.reconnectTimeoutPeriod;
    const canFire = (event: ChartEvent) =>
      event.type.startsWith(IDLE_AFTER)
        ? idleRuns && (!reconnectRuns || idleMs <= reconnectMs)
        : reconnectRuns && (!idleRuns || reconnectMs <= idleMs);
    return [...PATH_EVENTS, ...timers.filter(canFire)];
  };
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

/** What tells two states apart for the traversal: the state, who is present, which countdowns run. */
function serializeState(snapshot: ChartSnapshot): string {
  const { roster, idleDeadline, reconnectDeadline } = snapshot.context;
  const present = roster.list.map((participant: Participant) => participant.uid).join(',');
  return `${stateOf(snapshot)}|${present}|idle:${idleDeadline !== null}|reconnect:${reconnectDeadline !== null}`;
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
    if (event.type.startsWith(IDLE_AFTER)) {
      steps.push({ kind: 'advance', timer: 'idleTimeout', ms: settings.idleTimeoutPeriod * 1000, ...shared });
    } else if (event.type.startsWith(RECONNECT_AFTER)) {
      steps.push({ kind: 'advance', timer: 'reconnectTimeout', ms: settings.reconnectTimeoutPeriod * 1000, ...shared });
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

const EQUAL_PERIODS = new SessionSettingsBuilder().setIdleTimeoutPeriod(60).setReconnectTimeoutPeriod(60).build();

/**
 * Lifecycle paths over the chart, generated with `xstate/graph`. Each starts from a new
 * session in `idle` at time 0 and lets time pass only in its last step, so a timer step
 * waits exactly its full period. Together the shortest paths reach every state and
 * take every transition of the chart.
 */
export function getLifecyclePaths(options: LifecyclePathOptions = {}): LifecyclePath[] {
  const settings = options.settings ?? EQUAL_PERIODS;
  if (settings.idleTimeoutPeriod <= 0 || settings.reconnectTimeoutPeriod <= 0) {
    throw new RangeError('getLifecyclePaths needs both periods above 0, so that every timer can fire');
  }
  const traversal = {
    input: { settings },
    events: possibleEvents(settings),
    serializeState: serializeState as (snapshot: AnyMachineSnapshot) => string,
  };
  const generate = options.strategy === 'simple' ? getSimplePaths : getShortestPaths;
  const paths = generate(callSessionMachine as never, traversal as never) as StatePath<ChartSnapshot, ChartEvent>[];
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
      const [state] = transition(callSessionMachine as never, path.state as never, event as never) as unknown as [
        ChartSnapshot,
      ];
      extended.push({ state, weight: path.weight + 1, steps: [...path.steps, { event, state }] });
    }
  }
  return [...paths, ...extended];
}
