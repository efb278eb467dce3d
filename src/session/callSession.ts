import { createActor, type Actor, type ActorOptions, type InspectionEvent, type Observer } from 'xstate';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionEvent, EndReason, Participant, SessionSettings } from '../../machines/callSession.types.js';
import { ParticipantRoster } from '../../machines/participantRoster.js';
import { checkSettings } from '../../machines/settings.js';
import { parseEvent } from '../core/events.js';
import {
  ListenerRegistry,
  type ListenerOptions,
  type ParticipantEventListener,
  type Registration,
  type SessionStatusListener,
} from '../core/listeners.js';
import { persistSnapshot, type PersistedCallSession } from '../core/persistedFormat.js';
import {
  callbacksBetween,
  sessionStateOf,
  type CallSessionSnapshot,
  type CallSessionState,
} from '../core/sessionView.js';

export { SESSION_STATES, type CallSessionSnapshot, type CallSessionState } from '../core/sessionView.js';

/** The XState actor running {@link callSessionMachine}, as `session.actor` exposes it. */
export type CallSessionActor = Actor<typeof callSessionMachine>;

/** When each countdown of a session ends (`session.deadlines`). */
export type SessionDeadlines = Readonly<{
  /** When the idle countdown ends; `null` while none runs. */
  idle: number | null;
  /** When the reconnect bound ends; `null` while none runs. */
  reconnect: number | null;
}>;

const NO_DEADLINES: SessionDeadlines = Object.freeze({ idle: null, reconnect: null });

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
}

/**
 * How `restoreCallSession` hands a checked snapshot to the constructor: called with the
 * clock's time and the checked settings, once the options are known to be good.
 */
type RestoreHook = (now: number, settings: SessionSettings | undefined) => CallSessionSnapshot;

function reportToConsole(error: unknown): void {
  console.error('call-session-machine: a listener threw', error);
}

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
    throw new TypeError(
      `createCallSession options must be an object; got ${options === null ? 'null' : typeof options}`,
    );
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

  readonly #statusListeners = new ListenerRegistry<SessionStatusListener>();
  readonly #participantListeners = new ListenerRegistry<ParticipantEventListener>();
  readonly #onListenerError: (error: unknown) => void;
  #snapshot: CallSessionSnapshot;
  #deadlines: SessionDeadlines = NO_DEADLINES;
  #disposed = false;

  /** @internal Use `createCallSession`, or `restoreCallSession` from `call-session-machine/persistence`. */
  constructor(options?: CallSessionOptions, restore?: RestoreHook) {
    const { settings, clock, inspect, onListenerError } = checkOptions(options);
    const checkedSettings = settings === undefined ? undefined : checkSettings(settings);
    // Checked in full before anything is created: a bad snapshot starts nothing.
    const restored = restore?.(clock?.now?.() ?? Date.now(), checkedSettings);
    const reportError = onListenerError ?? reportToConsole;
    this.#onListenerError = reportError;
    // Only the options given: XState copies every key, and a million sessions feel each one.
    const actorOptions: ActorOptions<typeof callSessionMachine> = {};
    if (checkedSettings) actorOptions.input = { settings: checkedSettings };
    if (restored) actorOptions.snapshot = restored;
    if (clock) actorOptions.clock = clock;
    if (inspect) actorOptions.inspect = isolatedInspector(inspect, (error) => this.#report(error));
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
    const { idleDeadline, reconnectDeadline } = this.#snapshot.context;
    const cached = this.#deadlines;
    if (cached.idle === idleDeadline && cached.reconnect === reconnectDeadline) return cached;
    return (this.#deadlines = Object.freeze({ idle: idleDeadline, reconnect: reconnectDeadline }));
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
    const callbacks = callbacksBetween(previous, next);
    if (callbacks.length === 0) return;
    // The registrations when the dispatch starts: one added during it waits for the next event.
    const statusListeners = this.#statusListeners.registrations;
    const participantListeners = this.#participantListeners.registrations;
    for (const callback of callbacks) {
      if (callback.name === 'onIdleTimeoutWarning') {
        for (const registration of statusListeners) this.#call(registration, callback.name, callback.secondsLeft);
      } else if (callback.listener === 'status') {
        for (const registration of statusListeners) this.#call(registration, callback.name);
      } else if (callback.name !== 'onParticipantListChanged') {
        for (const registration of participantListeners) this.#call(registration, callback.name, callback.participant);
      } else {
        for (const registration of participantListeners) this.#call(registration, callback.name, callback.roster);
      }
    }
  }

  /**
   * Calls one listener's callback, isolated: the callback is read inside the `try`,
   * since a getter or a Proxy trap may throw as well as the call.
   */
  #call<L extends object>(
    registration: Registration<L>,
    name: keyof L,
    argument?: Participant | ParticipantRoster | number,
  ): void {
    if (!registration.live) return;
    const listener = registration.listener;
    try {
      const callback = listener[name];
      if (typeof callback !== 'function') return;
      if (argument === undefined) callback.call(listener);
      // The list is built only for a listener that takes it.
      else callback.call(listener, argument instanceof ParticipantRoster ? argument.list : argument);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#onListenerError(error);
    } catch (reportError) {
      reportToConsole(reportError);
    }
  }
}

/** Creates and starts a call session in `idle` (SPEC §3). */
export function createCallSession(options?: CallSessionOptions): CallSession {
  return new CallSession(options);
}
