import type { Participant } from './participants.js';
import type { ParticipantRoster } from './participantRoster.js';

export type { Participant } from './participants.js';

/** The kind of call, as CometChat's `SessionType`. */
export type SessionTypeValue = 'VIDEO' | 'AUDIO';

/** Frozen settings a session runs on; periods are whole seconds. */
export interface SessionSettings {
  /** Seconds the user may be alone before the session times out; 0 disables it. */
  readonly idleTimeoutPeriod: number;
  /** Seconds reconnection may take before the session closes; 0 waits for the engine. */
  readonly reconnectTimeoutPeriod: number;
  /**
   * Seconds before the idle timeout at which `onIdleTimeoutWarning` fires; 0 (the
   * default) gives no warning. Shorter than a non-zero `idleTimeoutPeriod`.
   */
  readonly idleWarningPeriod: number;
  /** `'VIDEO'` (the default) or `'AUDIO'`; carried for the app, the chart does not read it. */
  readonly type: SessionTypeValue;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = Object.freeze({
  idleTimeoutPeriod: 300,
  reconnectTimeoutPeriod: 60,
  idleWarningPeriod: 0,
  type: 'VIDEO',
});

/**
 * Why a session ended: `'user'` (`session.leave`), `'removed'` (`session.removed`),
 * `'idleTimeout'` (the idle countdown expired), `'server'` (`connection.closed`),
 * `'reconnectTimeout'` (the reconnect bound expired). `session.endReason` is `null`
 * while the session has not ended.
 */
export type EndReason = 'user' | 'removed' | 'idleTimeout' | 'server' | 'reconnectTimeout';

/**
 * The events of SPEC §2, which the app sends as its call engine reports them; `type`
 * strings and payload fields are public. An event the current state does not accept is
 * ignored (no change, no callback); a malformed one makes `session.send` throw a
 * `TypeError`.
 */
export type CallSessionEvent =
  | {
      /** The app joins: accepted in `idle`, goes to `joining`. */
      type: 'session.join';
      /** The session to join; a non-empty string. */
      sessionId: string;
    }
  | {
      /** The engine reports the join succeeded: accepted in `joining`; fires `onSessionJoined`. */
      type: 'session.joined';
      /** The remote participants already present, if the engine says; local ones are ignored. */
      participants?: readonly Participant[];
    }
  | {
      /** The engine reports the join failed: accepted in `joining`, back to `idle`, no callback. */
      type: 'session.joinFailed';
      /** The engine's error, if any; the session does not keep it. */
      error?: unknown;
    }
  | {
      /** The user leaves: from `joining` back to `idle` (no callback); from `joined.*` or `reconnecting` to `left` (`onSessionLeft`). */
      type: 'session.leave';
    }
  | {
      /** The host removed the user: from `joined.*` or `reconnecting` to `left` (`onSessionLeft`). */
      type: 'session.removed';
    }
  | {
      /** A remote participant joined, or the entry with the same identity is updated: accepted in `joined.*`. */
      type: 'participant.joined';
      /** Needs a non-empty `uid` or `pid`; one with `isLocal: true` is not accepted. */
      participant: Participant;
    }
  | {
      /** A remote participant left: accepted in `joined.*` when that participant is present. */
      type: 'participant.left';
      /** Matched by identity: `pid` when present, else `uid`. */
      participant: Participant;
    }
  | {
      /** The connection dropped: from `joined.*` to `reconnecting` (`onConnectionLost`). */
      type: 'connection.lost';
    }
  | {
      /** The connection is back: from `reconnecting` to `joined.*` (`onConnectionRestored`). */
      type: 'connection.restored';
      /**
       * A resync: the server's full list of participants. Without it the session returns
       * to the substate it left; with it, the roster becomes the list and the session
       * goes to `joined.accompanied` or `joined.alone` by the list.
       */
      participants?: readonly Participant[];
    }
  | {
      /** The connection is permanently gone: from `joined.*` or `reconnecting` to `closed` (`onConnectionClosed`). */
      type: 'connection.closed';
    }
  | {
      /**
       * The user chose to stay ("Stay" on the idle warning): accepted while an idle
       * countdown runs, before or after the warning; restarts it at the full period.
       */
      type: 'idle.extend';
    };

/** The `type` string of a {@link CallSessionEvent}. */
export type CallSessionEventType = CallSessionEvent['type'];

/** What `createActor(callSessionMachine, { input })` takes; the input may be left out. */
export interface CallSessionInput {
  /** The settings the session runs on; default 300 s idle timeout, 60 s reconnect bound, `VIDEO`. */
  settings?: SessionSettings;
}

/** The chart's context: what a snapshot holds besides its state value. */
export interface CallSessionContext {
  /** The settings the session runs on. */
  readonly settings: SessionSettings;
  /** The `sessionId` of the `session.join` that started the current attempt; `null` in `idle`. */
  readonly sessionId: string | null;
  /** The remote participants, and what the step that produced this snapshot changed. */
  readonly roster: ParticipantRoster;
  /**
   * When the idle countdown ends, in clock milliseconds; `null` while none runs.
   * Absolute, so that a countdown can continue through a reconnect and the remaining
   * delay can be computed on re-entry.
   */
  readonly idleDeadline: number | null;
  /**
   * When the idle warning of the running countdown fired, in clock milliseconds;
   * `null` until it does, and again once the countdown stops, restarts or ends.
   */
  readonly idleWarningAt: number | null;
  /** When the reconnect bound ends, in clock milliseconds; `null` while none runs. */
  readonly reconnectDeadline: number | null;
  /**
   * The settings the running idle countdown (its period and warning) started on, when
   * they are not `settings`: a session restored with new settings keeps the countdown it
   * had, and the new ones apply to countdowns that start afterwards. `null` otherwise
   * (and whenever no idle countdown runs).
   */
  readonly idleSettings: SessionSettings | null;
  /** The same for the running reconnect bound: its settings when they are not `settings`, else `null`. */
  readonly reconnectSettings: SessionSettings | null;
  /** Why the session ended; `null` until it reaches a final state. */
  readonly endReason: EndReason | null;
}

/** What a finished session reports as the machine's output. */
export interface CallSessionOutput {
  /** Why the session ended. */
  readonly endReason: EndReason;
}
