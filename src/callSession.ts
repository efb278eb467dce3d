import { createActor, type Actor, type InspectionEvent, type Observer, type SnapshotFrom } from 'xstate';
import { callSessionMachine } from '../machines/callSession.machine.js';
import type { CallSessionEvent, EndReason, Participant, SessionSettings } from '../machines/callSession.types.js';
import { parseEvent } from './events.js';
import {
  ListenerRegistry,
  type ListenerOptions,
  type ParticipantEventListener,
  type SessionStatusListener,
} from './listeners.js';
import { persistSnapshot, rearmDelayedTransitions, restorableSnapshot, type PersistedCallSession } from './persistence.js';
import { checkSettings } from './settings.js';

/** The XState actor running {@link callSessionMachine}, as `session.actor` exposes it. */
export type CallSessionActor = Actor<typeof callSessionMachine>;
export type CallSessionSnapshot = SnapshotFrom<typeof callSessionMachine>;

/** Every value `session.state` can take, in the order SPEC §2 lists them. */
export const SESSION_STATES = Object.freeze([
  'idle',
  'joining',
  'joined.alone',
  'joined.accompanied',
  'reconnecting',
  'left',
  'timedOut',
  'closed',
] as const);

/** What `session.state` reports (SPEC §2). */
export type CallSessionState = (typeof SESSION_STATES)[number];

type TopState = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'left' | 'timedOut' | 'closed';

/**
 * The adapter, whole: which change of top-level state fires which status callback.
 * Moves between `joined.alone` and `joined.accompanied` fire none; participant
 * callbacks come from the roster each snapshot carries.
 */
const STATUS_CALLBACK: {
  readonly [From in TopState]?: { readonly [To in TopState]?: keyof SessionStatusListener };
} = {
  joining: { joined: 'onSessionJoined' },
  joined: {
    reconnecting: 'onConnectionLost',
    left: 'onSessionLeft',
    timedOut: 'onSessionTimedOut',
    closed: 'onConnectionClosed',
  },
  reconnecting: {
    joined: 'onConnectionRestored',
    left: 'onSessionLeft',
    timedOut: 'onSessionTimedOut',
    closed: 'onConnectionClosed',
  },
};

/** The status callback a move from `previous` to `next` fires, if any. */
export function statusCallbackBetween(
  previous: CallSessionSnapshot,
  next: CallSessionSnapshot,
): keyof SessionStatusListener | undefined {
  return STATUS_CALLBACK[topStateOf(previous)]?.[topStateOf(next)];
}

/** `session.state` of a snapshot: `joined.alone`, not `{ joined: 'alone' }`. */
export function sessionStateOf(snapshot: CallSessionSnapshot): CallSessionState {
  const value = snapshot.value;
  return (typeof value === 'string' ? value : `joined.${value.joined}`) as CallSessionState;
}

function topStateOf(snapshot: CallSessionSnapshot): TopState {
  const value = snapshot.value;
  if (typeof value === 'string') return value;
  for (const key in value) return key as TopState;
  throw new Error('unreachable: a state value without a key');
}

/** A timer source; xstate's `SimulatedClock` fits, and `now()` is read when present. */
export interface SessionClock {
  /** Schedules `callback` after `ms` milliseconds; returns an id for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimeout` returned. */
  clearTimeout(id: unknown): void;
  /**
   * The clock's current time in milliseconds. Without it `Date.now()` is read, so such
   * a clock must keep `Date.now()` in step with it (vitest's fake timers do).
   */
  now?(): number;
}

/** What `createCallSession` takes; every field is optional. */
export interface CallSessionOptions {
  /** The settings from `SessionSettingsBuilder.build()`; default 300 s idle timeout, 60 s reconnect bound, `VIDEO`. */
  settings?: SessionSettings;
  /** Where timers run; default: the global timers (vitest's fake timers work). */
  clock?: SessionClock;
  /** Any XState inspection observer, e.g. from `@statelyai/inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Told of every error a listener throws; default `console.error`. */
  onListenerError?: (error: unknown) => void;
  /**
   * A session saved by `getPersistedSnapshot()` to restore: its state, participants,
   * settings and running countdowns, which resume with the time they have left on
   * `clock`. `settings`, if also given, replace the saved settings for countdowns that
   * start from now on.
   */
  snapshot?: PersistedCallSession;
}

function reportToConsole(error: unknown): void {
  console.error('call-session-machine: a listener threw', error);
}

function checkOptions(options: unknown): CallSessionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createCallSession options must be an object; got ${options === null ? 'null' : typeof options}`);
  }
  const { clock, inspect, onListenerError } = options as CallSessionOptions;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function' ||
      (clock.now !== undefined && typeof clock.now !== 'function'))
  ) {
    throw new TypeError('clock must have setTimeout and clearTimeout functions (and optionally now)');
  }
  if (
    inspect !== undefined &&
    typeof inspect !== 'function' &&
    (typeof inspect !== 'object' || inspect === null || typeof inspect.next !== 'function')
  ) {
    throw new TypeError('inspect must be an inspection observer: a function, or an object with next()');
  }
  if (onListenerError !== undefined && typeof onListenerError !== 'function') {
    throw new TypeError('onListenerError must be a function');
  }
  return options as CallSessionOptions;
}

/**
 * One call session: the chart running in an XState actor, plus the listener
 * registries its transitions are dispatched to. Create one with `createCallSession`.
 */
export class CallSession {
  static #latest: CallSession | null = null;

  /** The most recently created session if it is neither final nor disposed, else `null`. */
  static getInstance(): CallSession | null {
    const latest = CallSession.#latest;
    return latest && !latest.#disposed && latest.#snapshot.status === 'active' ? latest : null;
  }

  /** The underlying XState actor, for inspection and advanced use. */
  readonly actor: CallSessionActor;

  readonly #statusListeners = new ListenerRegistry<SessionStatusListener>();
  readonly #participantListeners = new ListenerRegistry<ParticipantEventListener>();
  readonly #onListenerError: (error: unknown) => void;
  #snapshot: CallSessionSnapshot;
  #disposed = false;

  /** @internal Use `createCallSession`. */
  constructor(options?: CallSessionOptions) {
    const { settings, clock, inspect, onListenerError, snapshot } = checkOptions(options);
    const checkedSettings = settings === undefined ? undefined : checkSettings(settings);
    // Checked in full before anything is created: a bad snapshot starts nothing.
    const restored =
      snapshot === undefined ? undefined : restorableSnapshot(snapshot, clock?.now?.() ?? Date.now(), checkedSettings);
    this.#onListenerError = onListenerError ?? reportToConsole;
    // Only the options given: XState copies every key, and a million sessions feel each one.
    const actorOptions: { input?: unknown; snapshot?: unknown; clock?: unknown; inspect?: unknown } = {};
    if (checkedSettings) actorOptions.input = { settings: checkedSettings };
    if (restored) actorOptions.snapshot = restored;
    if (clock) actorOptions.clock = clock;
    if (inspect) actorOptions.inspect = inspect;
    this.actor = createActor(callSessionMachine, actorOptions as never);
    this.#snapshot = this.actor.getSnapshot();
    // A closure made here, not an arrow-function class field: V8 gives each of those a
    // few hundred bytes more, which a million sessions would feel.
    this.actor.subscribe((next) => this.#dispatch(next));
    this.actor.start();
    if (restored) rearmDelayedTransitions(this.actor);
    CallSession.#latest = this;
  }

  /** One of the values of SPEC §2: `idle`, `joining`, `joined.alone`, … */
  get state(): CallSessionState {
    return sessionStateOf(this.#snapshot);
  }

  /** The remote participants in arrival order: frozen, and the same array until the list changes. */
  get participants(): readonly Participant[] {
    return this.#snapshot.context.roster.list;
  }

  /**
   * The session as plain JSON, to store and later pass to
   * `createCallSession({ snapshot })`: state, participants, settings, and the absolute
   * deadlines of the countdowns that run.
   */
  getPersistedSnapshot(): PersistedCallSession {
    return persistSnapshot(this.#snapshot, this.state);
  }

  /** Why the session ended; `null` until it reaches `left`, `timedOut` or `closed`. */
  get endReason(): EndReason | null {
    return this.#snapshot.context.endReason;
  }

  /** Sends `session.join`. */
  join(sessionId: string): void {
    this.send({ type: 'session.join', sessionId });
  }

  /** Sends `session.leave`. */
  leave(): void {
    this.send({ type: 'session.leave' });
  }

  /**
   * Sends any event of SPEC §2. A malformed event throws a `TypeError` and changes
   * nothing; an event the current state does not take is ignored. Sent from inside a
   * callback, it is handled once the current dispatch ends.
   */
  send(event: CallSessionEvent): void {
    if (this.#disposed) return;
    const parsed = parseEvent(event);
    // A final session ignores everything; XState would warn about a stopped actor.
    if (this.actor.getSnapshot().status === 'active') this.actor.send(parsed);
  }

  /** Whether `event` would be taken now. Never throws: false for a malformed event. */
  can(event: CallSessionEvent): boolean {
    if (this.#disposed) return false;
    let parsed: CallSessionEvent;
    try {
      parsed = parseEvent(event);
    } catch {
      return false;
    }
    return this.#snapshot.can(parsed);
  }

  /**
   * Adds a status listener; the same object added twice is registered once. Listeners
   * are called in the order they were added; one added during a dispatch is first
   * called for the next event. Returns a function that removes it.
   */
  addSessionStatusListener(listener: SessionStatusListener, options?: ListenerOptions): () => void {
    return this.#statusListeners.add(listener, options);
  }

  /** Removes a status listener; one removed during a dispatch is not called again, even later in it. */
  removeSessionStatusListener(listener: SessionStatusListener): void {
    this.#statusListeners.remove(listener);
  }

  /**
   * Adds a participant listener, on the same rules as `addSessionStatusListener`.
   * Returns a function that removes it.
   */
  addParticipantEventListener(listener: ParticipantEventListener, options?: ListenerOptions): () => void {
    return this.#participantListeners.add(listener, options);
  }

  /** Removes a participant listener; one removed during a dispatch is not called again, even later in it. */
  removeParticipantEventListener(listener: ParticipantEventListener): void {
    this.#participantListeners.remove(listener);
  }

  /** Stops the session: timers cancelled, listeners dropped, no callback; `state` keeps its last value. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#statusListeners.clear();
    this.#participantListeners.clear();
    this.actor.stop();
    if (CallSession.#latest === this) CallSession.#latest = null;
  }

  #dispatch(next: CallSessionSnapshot): void {
    const previous = this.#snapshot;
    // XState also notifies for events that changed nothing.
    if (next === previous) return;
    this.#snapshot = next;
    const statusListeners = this.#statusListeners.members;
    const participantListeners = this.#participantListeners.members;
    const statusMark = this.#statusListeners.mark;
    const participantMark = this.#participantListeners.mark;
    const callback = statusCallbackBetween(previous, next);
    if (callback) {
      for (const listener of statusListeners) this.#call(this.#statusListeners, statusListeners, statusMark, listener, callback);
    }
    const roster = next.context.roster;
    if (roster === previous.context.roster || participantListeners.length === 0) return;
    for (const participant of roster.joined) {
      for (const listener of participantListeners) {
        this.#call(this.#participantListeners, participantListeners, participantMark, listener, 'onParticipantJoined', participant);
      }
    }
    for (const participant of roster.left) {
      for (const listener of participantListeners) {
        this.#call(this.#participantListeners, participantListeners, participantMark, listener, 'onParticipantLeft', participant);
      }
    }
    for (const listener of participantListeners) {
      // Checked here too so that `roster.list` is built only when someone takes it.
    if (typeof listener.onParticipantListChanged !== 'function') continue;
      this.#call(this.#participantListeners, participantListeners, participantMark, listener, 'onParticipantListChanged', roster.list);
    }
  }

  #call<L extends object, K extends keyof L>(
    registry: ListenerRegistry<L>,
    started: readonly L[],
    mark: number,
    listener: L,
    name: K,
    ...args: [] | [unknown]
  ): void {
    const callback = listener[name];
    // After `dispose()` the registries are empty, so no listener is still a member.
    if (typeof callback !== 'function' || !registry.isStillMember(listener, started, mark)) return;
    try {
      (callback as (...args: unknown[]) => void).apply(listener, args);
    } catch (error) {
      try {
        this.#onListenerError(error);
      } catch (reportError) {
        reportToConsole(reportError);
      }
    }
  }
}

/** Creates and starts a call session in `idle` (SPEC §3). */
export function createCallSession(options?: CallSessionOptions): CallSession {
  return new CallSession(options);
}
