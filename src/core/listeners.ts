import type { Participant } from '../../machines/callSession.types.js';

/**
 * The six session status callbacks of CometChat Calls v5, and the optional idle
 * warning (SPEC §6); any subset may be given.
 * They take no arguments: read `session.state` and `session.endReason`, which already
 * hold the new values when a callback runs. A joined session ends with exactly one of
 * `onSessionLeft`, `onSessionTimedOut`, `onConnectionClosed`.
 */
export interface SessionStatusListener {
  /** The session was joined (`session.joined` in `joining`). */
  onSessionJoined?(): void;
  /** The user left (`leave()`) or was removed by the host; the session is over. */
  onSessionLeft?(): void;
  /** The idle timeout ended the session: the user was alone too long. */
  onSessionTimedOut?(): void;
  /** The connection to the call server dropped; the session is `reconnecting`. */
  onConnectionLost?(): void;
  /** The connection came back; the session is joined again. */
  onConnectionRestored?(): void;
  /** The connection is permanently gone (`connection.closed`, or the reconnect bound expired); the session is over. */
  onConnectionClosed?(): void;
  /**
   * The idle countdown has `secondsLeft` whole seconds to run (rounded up): show "Are you
   * still there?" with "Stay" (`session.extendIdleTimeout()`) and "Leave". Fires once per
   * countdown when `idleWarningPeriod` seconds are left; changes no state and is never a
   * terminal callback.
   */
  onIdleTimeoutWarning?(secondsLeft: number): void;
}

/**
 * Participant callbacks; any subset may be given. For one event they fire after the
 * status callback: `onParticipantJoined` for each arrival, then `onParticipantLeft` for
 * each departure, then `onParticipantListChanged` once.
 */
export interface ParticipantEventListener {
  /** A remote participant arrived (also for each new one in an initial or resync list). */
  onParticipantJoined?(participant: Participant): void;
  /** A remote participant left (also for each one a resync list no longer holds). */
  onParticipantLeft?(participant: Participant): void;
  /**
   * The list changed: on join, leave, or an update of a present participant. `participants`
   * is the new frozen list, in arrival order, the same array as `session.participants`.
   */
  onParticipantListChanged?(participants: readonly Participant[]): void;
}

/** Options of `addSessionStatusListener` and `addParticipantEventListener`. */
export interface ListenerOptions {
  /** Removes the listener when aborted; an already aborted signal never adds it. */
  signal?: AbortSignal;
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

/** One listener's registration; a listener removed and added again gets a new one. */
export interface Registration<L> {
  readonly listener: L;
  /** False once the listener is removed: a dispatch under way skips it, as the DOM does. */
  live: boolean;
  /** Stops listening to the registration's abort signal, if it has one. */
  detach: (() => void) | undefined;
}

const NO_REGISTRATIONS: readonly never[] = Object.freeze([]);

/**
 * Listeners in the order they were added, each once. The registration array is
 * replaced, never mutated, so a dispatch iterates the array it started with: a
 * listener added during a dispatch waits for the next event, and one removed during
 * it is no longer live, even if it is added back (under a new registration) before the
 * dispatch ends.
 */
export class ListenerRegistry<L extends object> {
  #registrations: readonly Registration<L>[] = NO_REGISTRATIONS;

  /** The registrations now, to iterate for one dispatch; skip those no longer `live`. */
  get registrations(): readonly Registration<L>[] {
    return this.#registrations;
  }

  /**
   * Adds `listener` unless it is registered already. An `AbortSignal` removes it when
   * aborted, as the JS calling SDKs' `addEventListener(…, { signal })`; one that is
   * aborted already never adds it.
   */
  add(listener: L, options?: ListenerOptions): () => void {
    if (typeof listener !== 'object' || listener === null) {
      throw new TypeError(
        `A listener must be an object with callbacks; got ${listener === null ? 'null' : typeof listener}`,
      );
    }
    const signal = checkSignal(options);
    const unsubscribe = () => this.remove(listener);
    if (signal?.aborted || this.#indexOf(listener) >= 0) return unsubscribe;
    const registration: Registration<L> = { listener, live: true, detach: undefined };
    if (signal) {
      signal.addEventListener('abort', unsubscribe, { once: true });
      registration.detach = () => signal.removeEventListener('abort', unsubscribe);
    }
    this.#registrations = [...this.#registrations, registration];
    return unsubscribe;
  }

  remove(listener: L): void {
    const at = this.#indexOf(listener);
    if (at < 0) return;
    const registration = this.#registrations[at]!;
    this.#registrations = this.#registrations.filter((_, index) => index !== at);
    registration.live = false;
    registration.detach?.();
  }

  clear(): void {
    const registrations = this.#registrations;
    this.#registrations = NO_REGISTRATIONS;
    for (const registration of registrations) {
      registration.live = false;
      registration.detach?.();
    }
  }

  #indexOf(listener: L): number {
    const registrations = this.#registrations;
    for (let i = 0; i < registrations.length; i++) if (registrations[i]!.listener === listener) return i;
    return -1;
  }
}
