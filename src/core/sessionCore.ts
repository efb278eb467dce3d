import type { CallSessionEvent } from '../../machines/callSession.types.js';
import { ParticipantRoster } from '../../machines/participantRoster.js';
import { expected } from '../../machines/participants.js';
import { parseEvent } from './events.js';
import type { ListenerOptions } from './listeners.js';
import type { CallSessionSnapshot, SessionCallback } from './sessionView.js';

/**
 * What both runtimes share around the chart: a `CallSession` (an actor and its mailbox)
 * and a `CallSessionFleet` (the pure transition, a timer heap and an event queue) each
 * hold one `SessionCore` and keep only what differs. The core holds the listeners, runs
 * one dispatch over the uniform callbacks of `callbacksBetween`, calls each callback
 * isolated and reports what it throws; the functions below it are the option checks,
 * `can` and the cached deadlines.
 */

/** When each countdown of a session ends (`session.deadlines`, `fleet.deadlines(id)`). */
export type SessionDeadlines = Readonly<{
  /** When the idle countdown ends; `null` while none runs. */
  idle: number | null;
  /** When the reconnect bound ends; `null` while none runs. */
  reconnect: number | null;
}>;

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

/** One listener's registration; a listener removed and added again gets a new one. */
export interface Registration<L> {
  readonly listener: L;
  /** False once the listener is removed: a dispatch under way skips it, as the DOM does. */
  live: boolean;
  /** Stops listening to the registration's abort signal, if it has one. */
  detach: (() => void) | undefined;
}

const NO_REGISTRATIONS: readonly never[] = Object.freeze([]);
export const NO_DEADLINES: SessionDeadlines = Object.freeze({ idle: null, reconnect: null });

/** Where an error goes when nothing else takes it: a listener's without `onListenerError`, or that handler's own. */
export function reportToConsole(error: unknown, what = 'a listener'): void {
  console.error(`call-session-machine: ${what} threw`, error);
}

/** `clock` as both runtimes take it: absent, or `setTimeout` and `clearTimeout` functions and optionally `now`. */
export function checkClock(clock: unknown): SessionClock | undefined {
  if (clock === undefined) return undefined;
  const given = clock as Partial<SessionClock> | null;
  if (
    typeof given !== 'object' ||
    given === null ||
    typeof given.setTimeout !== 'function' ||
    typeof given.clearTimeout !== 'function' ||
    (given.now !== undefined && typeof given.now !== 'function')
  ) {
    throw new TypeError('clock must have setTimeout and clearTimeout functions (and optionally now)');
  }
  return given as SessionClock;
}

/** `onListenerError` as both runtimes take it. */
export function checkListenerErrorHandler(handler: unknown): ((error: unknown) => void) | undefined {
  if (handler !== undefined && typeof handler !== 'function') {
    throw new TypeError('onListenerError must be a function');
  }
  return handler as ((error: unknown) => void) | undefined;
}

/** Whether `snapshot` would take `event`. Never throws: false for a malformed event. */
export function canTake(snapshot: CallSessionSnapshot, event: unknown): boolean {
  let parsed: CallSessionEvent;
  try {
    parsed = parseEvent(event);
  } catch {
    return false;
  }
  return snapshot.can(parsed);
}

/** The deadlines of `snapshot`: `cached` when they did not change, else a new frozen object. */
export function deadlinesOf(snapshot: CallSessionSnapshot, cached: SessionDeadlines): SessionDeadlines {
  const { idleDeadline, reconnectDeadline } = snapshot.context;
  if (cached.idle === idleDeadline && cached.reconnect === reconnectDeadline) return cached;
  return Object.freeze({ idle: idleDeadline, reconnect: reconnectDeadline });
}

function checkSignal(options: ListenerOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError('listener options must be an object');
  const signal = options.signal;
  if (signal === undefined) return undefined;
  if (
    typeof signal !== 'object' ||
    signal === null ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function' ||
    typeof signal.removeEventListener !== 'function'
  ) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  return signal;
}

type Kind = 'status' | 'participant';

/**
 * The listeners of one runtime and the dispatch to them, on the rules of SPEC §1
 * (docs/semantics.md, "Listener rules"):
 *
 * - listeners are called in the order added, each object once; an `AbortSignal` removes
 *   one when aborted, and an aborted one never adds it;
 * - the registration arrays are replaced, never mutated, so a dispatch runs over the
 *   arrays it started with: a listener added during a dispatch waits for the next event,
 *   one removed during it is not called again (not live), even if added back;
 * - each callback is read and called inside its own `try` (a getter or Proxy trap may
 *   throw too); what it throws goes to `onListenerError`, and what that throws to the
 *   console, so no listener takes a session down;
 * - `abortDispatch()` (a session removed, a runtime disposed, from inside a callback)
 *   ends the dispatch under way before its next call.
 *
 * `S` and `P` are the runtime's status and participant listener types; a fleet's take the
 * session id first (`WithId`), which `dispatch` is given.
 */
export class SessionCore<S extends object, P extends object> {
  #status: readonly Registration<S>[] = NO_REGISTRATIONS;
  #participant: readonly Registration<P>[] = NO_REGISTRATIONS;
  readonly #onListenerError: (error: unknown) => void;
  #dispatching = false;
  #aborted = false;

  constructor(onListenerError: ((error: unknown) => void) | undefined) {
    this.#onListenerError = onListenerError ?? reportToConsole;
  }

  /** Whether a dispatch is under way: a runtime queues what is sent meanwhile. */
  get dispatching(): boolean {
    return this.#dispatching;
  }

  addStatusListener(listener: S, options?: ListenerOptions): () => void {
    return this.#add('status', listener, options);
  }

  removeStatusListener(listener: S): void {
    this.#remove('status', listener);
  }

  addParticipantListener(listener: P, options?: ListenerOptions): () => void {
    return this.#add('participant', listener, options);
  }

  removeParticipantListener(listener: P): void {
    this.#remove('participant', listener);
  }

  /** Drops every listener (dispose): none is called again, not even later in a dispatch under way. */
  clear(): void {
    const all: readonly Registration<object>[] = [...this.#status, ...this.#participant];
    this.#status = NO_REGISTRATIONS;
    this.#participant = NO_REGISTRATIONS;
    this.#aborted = true;
    for (const registration of all) {
      registration.live = false;
      registration.detach?.();
    }
  }

  /** Ends the dispatch under way before its next call, if one is under way. */
  abortDispatch(): void {
    this.#aborted = true;
  }

  /**
   * Calls every callback of `callbacks`, in order, on every listener registered when the
   * dispatch starts: `listener[name](argument)`, or `listener[name](id, argument)` when
   * `id` is given (a fleet). No argument is passed where a callback has none; a roster is
   * passed as its frozen list, built only when a listener takes it.
   */
  dispatch(callbacks: readonly SessionCallback[], id?: string): void {
    if (callbacks.length === 0) return;
    const status = this.#status;
    const participant = this.#participant;
    const outer = this.#dispatching;
    this.#dispatching = true;
    this.#aborted = false;
    try {
      for (const { listener, name, argument } of callbacks) {
        const registrations: readonly Registration<object>[] = listener === 'status' ? status : participant;
        for (const registration of registrations) {
          if (this.#aborted) return;
          if (registration.live) this.#call(registration.listener as Record<string, unknown>, name, id, argument);
        }
      }
    } finally {
      this.#dispatching = outer;
    }
  }

  /** Reports an error thrown by something the app plugged in (a listener, an inspector). */
  report(error: unknown): void {
    try {
      this.#onListenerError(error);
    } catch (reportError) {
      reportToConsole(reportError, 'onListenerError');
    }
  }

  #call(listener: Record<string, unknown>, name: string, id: string | undefined, argument: unknown): void {
    try {
      const callback = listener[name];
      if (typeof callback !== 'function') return;
      const value = argument instanceof ParticipantRoster ? argument.list : argument;
      if (id === undefined) {
        if (value === undefined) callback.call(listener);
        else callback.call(listener, value);
      } else if (value === undefined) callback.call(listener, id);
      else callback.call(listener, id, value);
    } catch (error) {
      this.report(error);
    }
  }

  #add(kind: Kind, listener: object, options: ListenerOptions | undefined): () => void {
    if (typeof listener !== 'object' || listener === null) {
      throw new TypeError(expected('A listener must be an object with callbacks', listener));
    }
    const signal = checkSignal(options);
    const unsubscribe = () => this.#remove(kind, listener);
    const registrations = this.#registrations(kind);
    if (signal?.aborted || registrations.some((registration) => registration.listener === listener)) {
      return unsubscribe;
    }
    const registration: Registration<object> = { listener, live: true, detach: undefined };
    if (signal) {
      signal.addEventListener('abort', unsubscribe, { once: true });
      registration.detach = () => signal.removeEventListener('abort', unsubscribe);
    }
    this.#set(kind, [...registrations, registration]);
    return unsubscribe;
  }

  #remove(kind: Kind, listener: object): void {
    const registrations = this.#registrations(kind);
    const at = registrations.findIndex((registration) => registration.listener === listener);
    if (at < 0) return;
    const registration = registrations[at]!;
    this.#set(
      kind,
      registrations.filter((_, index) => index !== at),
    );
    registration.live = false;
    registration.detach?.();
  }

  #registrations(kind: Kind): readonly Registration<object>[] {
    return kind === 'status' ? this.#status : this.#participant;
  }

  #set(kind: Kind, registrations: readonly Registration<object>[]): void {
    if (kind === 'status') this.#status = registrations as readonly Registration<S>[];
    else this.#participant = registrations as readonly Registration<P>[];
  }
}
