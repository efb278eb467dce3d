import type { SnapshotFrom } from 'xstate';
import type { callSessionMachine } from '../../machines/callSession.machine.js';
import type { Participant } from '../../machines/callSession.types.js';
import type { ParticipantRoster } from '../../machines/participantRoster.js';
import { idleCountdownSettings } from '../../machines/settings.js';
import type { CallbackName, ParticipantEventListener, SessionStatusListener } from './listeners.js';

/**
 * What a user sees of a snapshot: its `session.state`, and the callbacks a move
 * between two snapshots fires. Pure, and imported by the session, persistence, the
 * trace and the testing kit alike, so that each reads a snapshot the same way.
 */

export type CallSessionSnapshot = SnapshotFrom<typeof callSessionMachine>;

/** Every value `session.state` can take, in the order SPEC §2 lists them. */
export const SESSION_STATES = Object.freeze([
  'idle',
  'joining',
  'joined.alone',
  'joined.accompanied',
  'reconnecting',
  'left',
  'timedOut',
  'closed',
] as const);

/** What `session.state` reports (SPEC §2). */
export type CallSessionState = (typeof SESSION_STATES)[number];

type TopState = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'left' | 'timedOut' | 'closed';

/** The name of one of the six session status callbacks. */
export type StatusCallbackName = Exclude<keyof SessionStatusListener, 'onIdleTimeoutWarning'>;

/**
 * The adapter, whole: which change of top-level state fires which status callback.
 * Moves between `joined.alone` and `joined.accompanied` fire none; participant
 * callbacks come from the roster each snapshot carries.
 */
const STATUS_CALLBACK: {
  readonly [From in TopState]?: { readonly [To in TopState]?: StatusCallbackName };
} = {
  joining: { joined: 'onSessionJoined' },
  joined: {
    reconnecting: 'onConnectionLost',
    left: 'onSessionLeft',
    timedOut: 'onSessionTimedOut',
    closed: 'onConnectionClosed',
  },
  reconnecting: {
    joined: 'onConnectionRestored',
    left: 'onSessionLeft',
    timedOut: 'onSessionTimedOut',
    closed: 'onConnectionClosed',
  },
};

/**
 * One callback a transition fires, in one shape for all of them, which the runtimes'
 * one dispatch (`SessionCore`) and the developer tools' descriptions read.
 */
export interface SessionCallback {
  /** Which listener has it. */
  readonly listener: 'status' | 'participant';
  readonly name: CallbackName;
  /**
   * What it is called with (after the session id, in a fleet): nothing, the idle
   * warning's seconds left, a participant, or the roster, whose frozen list is the
   * argument, built only when a listener takes it.
   */
  readonly argument: undefined | number | Participant | ParticipantRoster;
}

/** The participant callback names, for typing a listener call. */
export type ParticipantCallbackName = keyof ParticipantEventListener;

const NONE: readonly SessionCallback[] = Object.freeze([]);
/** A status change alone allocates nothing: one shared list per callback. */
const STATUS_ONLY = new Map<StatusCallbackName, readonly SessionCallback[]>();

function statusOnly(name: StatusCallbackName): readonly SessionCallback[] {
  let list = STATUS_ONLY.get(name);
  if (!list) {
    list = Object.freeze([Object.freeze<SessionCallback>({ listener: 'status', name, argument: undefined })]);
    STATUS_ONLY.set(name, list);
  }
  return list;
}

/**
 * The status callback a move between two state values fires, if any. Only `value` is
 * read, so the inspector can use it on the plain snapshots `@statelyai/inspect` sends.
 */
export function statusCallbackBetween(
  previous: { readonly value: unknown },
  next: { readonly value: unknown },
): StatusCallbackName | undefined {
  const from = topStateOf(previous.value);
  const to = topStateOf(next.value);
  return from && to ? STATUS_CALLBACK[from]?.[to] : undefined;
}

function topStateOf(value: unknown): TopState | undefined {
  if (typeof value === 'string') return value as TopState;
  if (typeof value === 'object' && value !== null) for (const key in value) return key as TopState;
  return undefined;
}

/**
 * The warning is the chart's only move that changes nothing but `idleWarningAt`, so it
 * comes alone. `secondsLeft` is the whole seconds left, rounded up: the warning period,
 * or less for a countdown continued (or restored) with less time left than that.
 */
function idleWarningBetween(previous: CallSessionSnapshot, next: CallSessionSnapshot): SessionCallback | undefined {
  const { idleWarningAt, idleDeadline } = next.context;
  if (idleWarningAt === null || previous.context.idleWarningAt !== null || idleDeadline === null) return undefined;
  const secondsLeft = Math.ceil((idleDeadline - idleWarningAt) / 1000);
  return {
    listener: 'status',
    name: 'onIdleTimeoutWarning',
    argument: Math.min(idleCountdownSettings(next.context).idleWarningPeriod, Math.max(0, secondsLeft)),
  };
}

/** `session.state` of a snapshot: `joined.alone`, not `{ joined: 'alone' }`. */
export function sessionStateOf(snapshot: CallSessionSnapshot): CallSessionState {
  const value = snapshot.value;
  return (typeof value === 'string' ? value : `joined.${value.joined}`) as CallSessionState;
}

/**
 * The callbacks the move from `previous` to `next` fires, in the order of SPEC §2:
 * the status callback (or, alone, the idle warning of SPEC §6), then `onParticipantJoined` for each arrival, then
 * `onParticipantLeft` for each departure, then `onParticipantListChanged` once.
 */
export function callbacksBetween(previous: CallSessionSnapshot, next: CallSessionSnapshot): readonly SessionCallback[] {
  if (previous === next) return NONE;
  const warning = idleWarningBetween(previous, next);
  if (warning) return [warning];
  const status = statusCallbackBetween(previous, next);
  const roster = next.context.roster;
  if (roster === previous.context.roster) return status ? statusOnly(status) : NONE;
  const callbacks: SessionCallback[] = status ? [{ listener: 'status', name: status, argument: undefined }] : [];
  for (const argument of roster.joined)
    callbacks.push({ listener: 'participant', name: 'onParticipantJoined', argument });
  for (const argument of roster.left) callbacks.push({ listener: 'participant', name: 'onParticipantLeft', argument });
  callbacks.push({ listener: 'participant', name: 'onParticipantListChanged', argument: roster });
  return callbacks;
}
