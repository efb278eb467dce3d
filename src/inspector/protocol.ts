/**
 * What `connectInspector` sends and the inspector page reads: one message per event a
 * session handled, carrying the session's clock time and the transition taken, which
 * `@statelyai/inspect` messages lack. Plain JSON; no function, no class instance.
 */
import type { CallSessionContext, SessionSettings } from '../../machines/callSession.types.js';

/** The `type` of an {@link InspectorStep}. */
export const STEP_MESSAGE_TYPE = 'call-session-machine.step';

/** The version of the message format; the page ignores messages of a version it does not know. */
export const PROTOCOL_VERSION = 1;

/**
 * The key of one transition of the chart: its source state node's id, the event type,
 * and its index among that event's candidates on that node
 * (`callSession.joining#session.joined#1`). The page's layout names its edges by it.
 */
export function transitionKey(sourceId: string, eventType: string, index: number): string {
  return `${sourceId}#${eventType}#${index}`;
}

/**
 * A countdown the page shows as a bar: where its deadline is in the chart's context and
 * how long it runs from the settings. The page draws one bar per entry, in this order,
 * so that a new countdown (the idle warning of SPEC §6) is one more entry here.
 */
export interface CountdownSpec {
  /** The key in {@link InspectorStep.countdowns}. */
  readonly key: string;
  /** What the page calls it. */
  readonly label: string;
  /** Its deadline on the session's clock (ms), or `null` while it does not run. */
  readonly deadline: (context: CallSessionContext) => number | null;
  /** Its full length in ms, for the bar's scale. */
  readonly period: (settings: SessionSettings) => number;
}

export const COUNTDOWNS: readonly CountdownSpec[] = [
  {
    key: 'idle',
    label: 'idle timeout',
    deadline: (context) => context.idleDeadline,
    period: (settings) => settings.idleTimeoutPeriod * 1000,
  },
  {
    // Until the idle warning of SPEC §6: runs while the idle countdown has not warned yet.
    key: 'warning',
    label: 'idle warning',
    deadline: ({ idleDeadline, idleWarningAt, settings }) =>
      idleDeadline !== null && idleWarningAt === null && settings.idleWarningPeriod > 0
        ? idleDeadline - settings.idleWarningPeriod * 1000
        : null,
    period: (settings) => (settings.idleTimeoutPeriod - settings.idleWarningPeriod) * 1000,
  },
  {
    key: 'reconnect',
    label: 'reconnect bound',
    deadline: (context) => context.reconnectDeadline,
    period: (settings) => settings.reconnectTimeoutPeriod * 1000,
  },
];

/** One countdown as a step reports it. */
export interface StepCountdown {
  /** Which countdown: `idle`, `warning`, `reconnect`. */
  readonly key: string;
  /** What the page calls it: `idle timeout`, `idle warning`, `reconnect bound`. */
  readonly label: string;
  /** When it ends on the session's clock (ms), or `null` while it does not run. */
  readonly deadline: number | null;
  /** Its full length in ms. */
  readonly period: number;
}

/** A participant as the page shows it: the avatar URL is left out, so the page loads nothing. */
export interface StepParticipant {
  /** The user's id. */
  readonly uid?: string;
  /** The participant's id in the session (one device). */
  readonly pid?: string;
  /** Display name. */
  readonly name?: string;
}

/** One event a session handled, and what it did. */
export interface InspectorStep {
  /** Always {@link STEP_MESSAGE_TYPE}: what tells these messages from others on the socket. */
  readonly type: typeof STEP_MESSAGE_TYPE;
  /** Always {@link PROTOCOL_VERSION}. */
  readonly version: typeof PROTOCOL_VERSION;
  /** The actor's id in its app (XState's `sessionId`, e.g. `x:0`): which session of the app this is. */
  readonly actor: string;
  /** The call's id, from `session.join`; `null` before the first join. */
  readonly sessionId: string | null;
  /** 0, 1, 2, … per actor: a gap means messages were dropped. */
  readonly seq: number;
  /** The session's clock time, ms: a `SimulatedClock`'s own time, else `Date.now()`. */
  readonly at: number;
  /** `simulated` when the session's clock tells time itself (`SimulatedClock`), `real` when it is `Date.now()`. */
  readonly clock: 'simulated' | 'real';
  /** The event the session handled. */
  readonly event: {
    /** Its `type`, as XState names it (`session.join`, `xstate.after.idleTimeoutPeriod.callSession.joined.alone`, `xstate.init`). */
    readonly type: string;
    /** A readable form: `session.join(standup)`, `after idleTimeoutPeriod`, `(created)`. */
    readonly label: string;
  };
  /** `session.state` before the event; `null` for the session's creation. */
  readonly from: string | null;
  /** `session.state` after it. */
  readonly to: string;
  /** The state did not take the event: nothing changed. */
  readonly ignored: boolean;
  /**
   * The chart transitions taken, each as `<source state node id>#<event type>#<index among
   * that event's candidates on that node>` (`callSession.joining#session.joined#1`).
   */
  readonly transitions: readonly string[];
  /** The callbacks the event fired, in the order listeners get them (`onParticipantJoined(Ana)`). */
  readonly callbacks: readonly string[];
  /** The remote participants after the event, in arrival order (the first 100). */
  readonly participants: readonly StepParticipant[];
  /** How many remote participants there are. */
  readonly participantCount: number;
  /** Every countdown the chart has (idle, reconnect), running or not. */
  readonly countdowns: readonly StepCountdown[];
  /** The settings the session runs on. */
  readonly settings: SessionSettings;
  /** `session.endReason`: `null` until the session ended. */
  readonly endReason: string | null;
  /** The actor's status: `active`, `done` (a final state), `stopped` (disposed). */
  readonly status: string;
}
