import type { Participant } from '../machines/callSession.types.js';

/**
 * The six session status callbacks of CometChat Calls v5; any subset may be given.
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

const NO_MEMBERS: readonly never[] = Object.freeze([]);
const NO_MARKS: readonly number[] = Object.freeze([]);

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

/**
 * Listeners in the order they were added, each once. The member array is replaced,
 * never mutated, so a dispatch can hold the array it started with: a listener added
 * during a dispatch waits for the next event, and one removed during it is skipped,
 * even if it is added back before the dispatch ends.
 */
export class ListenerRegistry<L extends object> {
  #members: readonly L[] = NO_MEMBERS;
  /** When each member was (last) added, on a counter of additions: `#marks[i]` is `#members[i]`'s. */
  #marks: readonly number[] = NO_MARKS;
  #additions = 0;
  /** How to stop listening to each member's abort signal; made only when a signal is given. */
  #detachers: Map<L, () => void> | undefined;

  get members(): readonly L[] {
    return this.#members;
  }

  /** A mark to give `isStillMember`, taken when a dispatch starts. */
  get mark(): number {
    return this.#additions;
  }

  /**
   * Adds `listener` unless it is registered already. An `AbortSignal` removes it when
   * aborted, as the JS calling SDKs' `addEventListener(…, { signal })`; one that is
   * aborted already never adds it.
   */
  add(listener: L, options?: ListenerOptions): () => void {
    if (typeof listener !== 'object' || listener === null) {
      throw new TypeError(`A listener must be an object with callbacks; got ${listener === null ? 'null' : typeof listener}`);
    }
    const signal = checkSignal(options);
    const unsubscribe = () => this.remove(listener);
    if (signal?.aborted || this.#members.includes(listener)) return unsubscribe;
    if (signal) {
      signal.addEventListener('abort', unsubscribe, { once: true });
      (this.#detachers ??= new Map()).set(listener, () => signal.removeEventListener('abort', unsubscribe));
    }
    // New arrays, never mutated ones: a dispatch keeps iterating the array it started with.
    this.#members = [...this.#members, listener];
    this.#marks = [...this.#marks, ++this.#additions];
    return unsubscribe;
  }

  remove(listener: L): void {
    const at = this.#members.indexOf(listener);
    if (at < 0) return;
    this.#members = this.#members.filter((_, index) => index !== at);
    this.#marks = this.#marks.filter((_, index) => index !== at);
    const detach = this.#detachers?.get(listener);
    if (detach) {
      this.#detachers!.delete(listener);
      detach();
    }
  }

  clear(): void {
    for (const detach of this.#detachers?.values() ?? []) detach();
    this.#detachers = undefined;
    this.#members = NO_MEMBERS;
    this.#marks = NO_MARKS;
  }

  /**
   * Whether `listener`, taken from `started` (the members when a dispatch began, at
   * `mark`), is still to be called in that dispatch: not removed since, nor re-added.
   */
  isStillMember(listener: L, started: readonly L[], mark: number): boolean {
    if (this.#members === started) return true;
    const at = this.#members.indexOf(listener);
    return at >= 0 && this.#marks[at]! <= mark;
  }
}
