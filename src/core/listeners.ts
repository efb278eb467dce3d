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

/**
 * A runtime's listener type with the id of the session each callback is about as its
 * first argument: a fleet's listeners are a `CallSession`'s, `WithId`, so a callback added
 * to the session's listener type is the fleet's too.
 */
export type WithId<L> = {
  [K in keyof L]: L[K] extends ((...args: infer A) => void) | undefined ? (id: string, ...args: A) => void : L[K];
};

/**
 * Every callback name, with the listener it belongs to: what a recorder of all callbacks
 * registers. Adding a callback takes three edits: its signature in the listener type above
 * and its row here (the compiler asks for the row), when it fires in
 * `callbacksBetween` (core/sessionView.ts), and how it reads in devtools/describe.ts if its
 * argument is of a new kind. The fleet's listener types follow by `WithId`, and both
 * runtimes dispatch it through `SessionCore` unchanged.
 */
export const CALLBACK_LISTENER = Object.freeze({
  onSessionJoined: 'status',
  onSessionLeft: 'status',
  onSessionTimedOut: 'status',
  onConnectionLost: 'status',
  onConnectionRestored: 'status',
  onConnectionClosed: 'status',
  onIdleTimeoutWarning: 'status',
  onParticipantJoined: 'participant',
  onParticipantLeft: 'participant',
  onParticipantListChanged: 'participant',
} as const satisfies Record<keyof SessionStatusListener, 'status'> &
  Record<keyof ParticipantEventListener, 'participant'>);

/** The name of a status or participant callback. */
export type CallbackName = keyof SessionStatusListener | keyof ParticipantEventListener;
