import type { EndReason, Participant, SessionSettings } from '../../machines/callSession.types.js';
import type { CallSessionSnapshot, CallSessionState } from './sessionView.js';

/** Marks a persisted call session, so that a foreign object is refused rather than misread. */
export const PERSISTED_FORMAT = 'call-session-machine/session';
/**
 * The version of {@link PersistedCallSession} this package writes. It also reads
 * version 1, which had no idle warning (`idleWarningAt` is then `null`).
 */
export const PERSISTED_VERSION = 2;

/**
 * A call session as plain JSON: what `session.getPersistedSnapshot()` returns and
 * `restoreCallSession(snapshot)` from `call-session-machine/persistence` takes. Deadlines are absolute times on the
 * session's clock (`clock.now()`, else `Date.now()`), so a restored session resumes
 * each countdown with the time it has left.
 */
export interface PersistedCallSession {
  /** Always {@link PERSISTED_FORMAT}: a foreign object is refused. */
  readonly format: typeof PERSISTED_FORMAT;
  /**
   * {@link PERSISTED_VERSION} when this package wrote it; 1 from 0.1, which had no idle
   * warning (still read). A snapshot from a later version is refused.
   */
  readonly version: 1 | typeof PERSISTED_VERSION;
  /** `session.state` when it was saved. */
  readonly state: CallSessionState;
  /** In `reconnecting`: the substate a `connection.restored` without a list returns to. */
  readonly resumeTo: 'alone' | 'accompanied' | null;
  /** The id `session.join` was given; `null` in `idle`. */
  readonly sessionId: string | null;
  /** The remote participants, in arrival order. */
  readonly participants: readonly Participant[];
  /** The settings the session ran on. */
  readonly settings: SessionSettings;
  /** When the idle countdown ends; `null` when none runs. */
  readonly idleDeadline: number | null;
  /**
   * When the idle warning of the running countdown fired; `null` when it has not (or
   * no countdown runs). A restored session whose warning fired does not warn again.
   */
  readonly idleWarningAt: number | null;
  /** When the reconnect bound ends; `null` when none runs. */
  readonly reconnectDeadline: number | null;
  /** Why the session ended; `null` while it has not. */
  readonly endReason: EndReason | null;
  /**
   * Present only when the running idle countdown started on other settings than
   * `settings` (it was restored with new ones): the settings it keeps its period and
   * warning from. Readers of 0.2.0 ignore it.
   */
  readonly idleSettings?: SessionSettings;
  /** The same for the running reconnect bound. */
  readonly reconnectSettings?: SessionSettings;
}

/** Which end reasons each final state can have; every other state has none. */
export const END_REASONS: { readonly [state: string]: readonly EndReason[] } = {
  left: ['user', 'removed'],
  timedOut: ['idleTimeout'],
  closed: ['server', 'reconnectTimeout'],
};

export const HISTORY_ID = 'callSession.joined.previous';

/** A chart snapshot as a {@link PersistedCallSession}; `state` is its `session.state`. */
export function persistSnapshot(snapshot: CallSessionSnapshot, state: CallSessionState): PersistedCallSession {
  const { context } = snapshot;
  const history = snapshot.historyValue[HISTORY_ID]?.[0]?.key;
  return {
    format: PERSISTED_FORMAT,
    version: PERSISTED_VERSION,
    state,
    resumeTo: state === 'reconnecting' ? (history === 'accompanied' ? 'accompanied' : 'alone') : null,
    sessionId: context.sessionId,
    participants: context.roster.list.map((participant) => ({ ...participant })),
    settings: { ...context.settings },
    idleDeadline: context.idleDeadline,
    idleWarningAt: context.idleWarningAt,
    reconnectDeadline: context.reconnectDeadline,
    endReason: context.endReason,
    ...(context.idleSettings && { idleSettings: { ...context.idleSettings } }),
    ...(context.reconnectSettings && { reconnectSettings: { ...context.reconnectSettings } }),
  };
}
