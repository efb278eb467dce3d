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
  readonly type: SessionTypeValue;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = Object.freeze({
  idleTimeoutPeriod: 300,
  reconnectTimeoutPeriod: 60,
  type: 'VIDEO',
});

/** Why a session ended; `null` while it has not. */
export type EndReason = 'user' | 'removed' | 'idleTimeout' | 'server' | 'reconnectTimeout';

/** The events of SPEC §2; `type` strings and payload fields are public. */
export type CallSessionEvent =
  | { type: 'session.join'; sessionId: string }
  | { type: 'session.joined'; participants?: readonly Participant[] }
  | { type: 'session.joinFailed'; error?: unknown }
  | { type: 'session.leave' }
  | { type: 'session.removed' }
  | { type: 'participant.joined'; participant: Participant }
  | { type: 'participant.left'; participant: Participant }
  | { type: 'connection.lost' }
  | { type: 'connection.restored'; participants?: readonly Participant[] }
  | { type: 'connection.closed' };

export type CallSessionEventType = CallSessionEvent['type'];

export interface CallSessionInput {
  settings?: SessionSettings;
}

export interface CallSessionContext {
  readonly settings: SessionSettings;
  readonly sessionId: string | null;
  readonly roster: ParticipantRoster;
  /**
   * When the idle countdown ends, in clock milliseconds; `null` while none runs.
   * Absolute, so that a countdown can continue through a reconnect and the remaining
   * delay can be computed on re-entry.
   */
  readonly idleDeadline: number | null;
  /** When the reconnect bound ends, in clock milliseconds; `null` while none runs. */
  readonly reconnectDeadline: number | null;
  readonly endReason: EndReason | null;
}

/** What a finished session reports as the machine's output. */
export interface CallSessionOutput {
  readonly endReason: EndReason;
}
