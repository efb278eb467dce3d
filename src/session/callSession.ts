import { createActor, type Actor, type ActorOptions, type InspectionEvent, type Observer } from 'xstate';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionEvent, EndReason, Participant, SessionSettings } from '../../machines/callSession.types.js';
import { checkSettings } from '../../machines/settings.js';
import { expected } from '../../machines/participants.js';
import { parseEvent } from '../core/events.js';
import type { ListenerOptions, ParticipantEventListener, SessionStatusListener } from '../core/listeners.js';
import { persistSnapshot, type PersistedCallSession } from '../core/persistedFormat.js';
import {
  canTake,
  checkClock,
  checkListenerErrorHandler,
  deadlinesOf,
  NO_DEADLINES,
  SessionCore,
  type SessionClock,
  type SessionDeadlines,
} from '../core/sessionCore.js';
import {
  callbacksBetween,
  sessionStateOf,
  type CallSessionSnapshot,
  type CallSessionState,
} from '../core/sessionView.js';

export { SESSION_STATES, type CallSessionSnapshot, type CallSessionState } from '../core/sessionView.js';
export type { SessionClock, SessionDeadlines } from '../core/sessionCore.js';

/** The XState actor running {@link callSessionMachine}, as `session.actor` exposes it. */
export type CallSessionActor = Actor<typeof callSessionMachine>;

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
}

/**
 * How `restoreCallSession` hands a checked snapshot to the constructor: called with the
 * clock's time and the checked settings, once the options are known to be good.
 */
type RestoreHook = (now: number, settings: SessionSettings | undefined) => CallSessionSnapshot;

type InspectOption = NonNullable<CallSessionOptions['inspect']>;

/**
 * An inspector is a debugging aid: one that throws must not reach XState, whose
 * mailbox never recovers from an observer error (later events and timers are dropped).
 * Its errors go where listener errors go.
 */
function isolatedInspector(inspect: InspectOption, report: (error: unknown) => void): (event: InspectionEvent) => void {
  return (event) => {
    try {
      if (typeof inspect === 'function') inspect(event);
      else inspect.next?.(event);
    } catch (error) {
      report(error);
    }
  };
}

function checkOptions(options: unknown): CallSessionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(expected('createCallSession options must be an object', options));
  }
  const { clock, inspect, onListenerError } = options as CallSessionOptions;
  checkClock(clock);
  if (
    inspect !== undefined &&
    typeof inspect !== 'function' &&
    (typeof inspect !== 'object' || inspect === null || typeof inspect.next !== 'function')
  ) {
    throw new TypeError('inspect must be an inspection observer: a function, or an object with next()');
  }
  checkListenerErrorHandler(onListenerError);
  if ((options as { snapshot?: unknown }).snapshot !== undefined) {
    throw new TypeError(
      "createCallSession does not restore since 0.2: use restoreCallSession(snapshot, options) from 'call-session-machine/persistence'",
    );
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

  readonly #core: SessionCore<SessionStatusListener, ParticipantEventListener>;
  #snapshot: CallSessionSnapshot;
  #deadlines: SessionDeadlines = NO_DEADLINES;
  #disposed = false;

  /** @internal Use `createCallSession`, or `restoreCallSession` from `call-session-machine/persistence`. */
  constructor(options?: CallSessionOptions, restore?: RestoreHook) {
    const { settings, clock, inspect, onListenerError } = checkOptions(options);
    const checkedSettings = settings === undefined ? undefined : checkSettings(settings);
    // Checked in full before anything is created: a bad snapshot starts nothing.
    const restored = restore?.(clock?.now?.() ?? Date.now(), checkedSettings);
    const core = (this.#core = new SessionCore(onListenerError));
    // Only the options given: XState copies every key, and a million sessions feel each one.
    const actorOptions: ActorOptions<typeof callSessionMachine> = {};
    if (checkedSettings) actorOptions.input = { settings: checkedSettings };
    if (restored) actorOptions.snapshot = restored;
    if (clock) actorOptions.clock = clock;
    if (inspect) actorOptions.inspect = isolatedInspector(inspect, (error) => core.report(error));
    this.actor = createActor(callSessionMachine, actorOptions);
    this.#snapshot = this.actor.getSnapshot();
    // A closure made here, not an arrow-function class field: V8 gives each of those a
    // few hundred bytes more, which a million sessions would feel.
    this.actor.subscribe((next) => this.#dispatch(next));
    this.actor.start();
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
   * The session as plain JSON, to store and later pass to `restoreCallSession` (from
   * `call-session-machine/persistence`): state, participants, settings, the absolute
   * deadlines of the countdowns that run, and whether the idle warning fired.
   */
  getPersistedSnapshot(): PersistedCallSession {
    return persistSnapshot(this.#snapshot, this.state);
  }

  /**
   * When the countdowns that run end, as absolute times on the session's clock (ms, the
   * time base of `clock.now()`, else `Date.now()`); `null` where a countdown does not run.
   * Frozen, and the same object until one of them changes, so a view can compare it by
   * identity.
   */
  get deadlines(): SessionDeadlines {
    return (this.#deadlines = deadlinesOf(this.#snapshot, this.#deadlines));
  }

  /** True from the idle warning until the countdown stops, restarts or the session ends (SPEC §6). */
  get idleWarningActive(): boolean {
    return this.#snapshot.context.idleWarningAt !== null;
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
   * Sends `idle.extend`, CometChat's "Stay": while an idle countdown runs, it restarts
   * at the full period and the warning is cleared; elsewhere it is ignored.
   */
  extendIdleTimeout(): void {
    this.send({ type: 'idle.extend' });
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
    return !this.#disposed && canTake(this.#snapshot, event);
  }

  /**
   * Adds a status listener; the same object added twice is registered once. Listeners
   * are called in the order they were added; one added during a dispatch is first
   * called for the next event. Returns a function that removes it.
   */
  addSessionStatusListener(listener: SessionStatusListener, options?: ListenerOptions): () => void {
    return this.#core.addStatusListener(listener, options);
  }

  /** Removes a status listener; one removed during a dispatch is not called again, even later in it. */
  removeSessionStatusListener(listener: SessionStatusListener): void {
    this.#core.removeStatusListener(listener);
  }

  /**
   * Adds a participant listener, on the same rules as `addSessionStatusListener`.
   * Returns a function that removes it.
   */
  addParticipantEventListener(listener: ParticipantEventListener, options?: ListenerOptions): () => void {
    return this.#core.addParticipantListener(listener, options);
  }

  /** Removes a participant listener; one removed during a dispatch is not called again, even later in it. */
  removeParticipantEventListener(listener: ParticipantEventListener): void {
    this.#core.removeParticipantListener(listener);
  }

  /** Stops the session: timers cancelled, listeners dropped, no callback; `state` keeps its last value. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#core.clear();
    this.actor.stop();
    if (CallSession.#latest === this) CallSession.#latest = null;
  }

  #dispatch(next: CallSessionSnapshot): void {
    const previous = this.#snapshot;
    // XState also notifies for events that changed nothing.
    if (next === previous) return;
    this.#snapshot = next;
    this.#core.dispatch(callbacksBetween(previous, next));
  }
}

/** Creates and starts a call session in `idle` (SPEC §3). */
export function createCallSession(options?: CallSessionOptions): CallSession {
  return new CallSession(options);
}
