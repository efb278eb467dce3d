// Restoring a stored session: the checks that a snapshot holds together, and the restart
// of its countdowns. Internal: the public names are re-exported by ./index.ts, and the
// fleet imports the checks from here without loading the public entry.
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionContext, EndReason, Participant, SessionSettings } from '../../machines/callSession.types.js';
import { ParticipantRoster } from '../../machines/participantRoster.js';
import { checkParticipantList, isRemote } from '../../machines/participants.js';
import { checkSettings, MAX_PERIOD_SECONDS } from '../../machines/settings.js';
import { rearmDelayedTransitions } from '../../machines/xstateInternals.js';
import { CallSession, type CallSessionOptions } from '../session/callSession.js';
import {
  END_REASONS,
  HISTORY_ID,
  PERSISTED_VERSION,
  PERSISTED_FORMAT,
  type PersistedCallSession,
} from '../core/persistedFormat.js';
import { SESSION_STATES, type CallSessionSnapshot, type CallSessionState } from '../core/sessionView.js';

export {
  PERSISTED_FORMAT,
  PERSISTED_VERSION,
  persistSnapshot,
  type PersistedCallSession,
} from '../core/persistedFormat.js';

const READABLE_VERSIONS: readonly unknown[] = [1, PERSISTED_VERSION];

function fail(problem: string): never {
  throw new TypeError(`Not a persisted call session: ${problem}`);
}

/** The furthest a deadline can lie ahead: the longest delay a timer holds. */
const LONGEST_DELAY_MS = MAX_PERIOD_SECONDS * 1000;

function checkDeadline(value: unknown, name: string, runs: boolean, now: number): number | null {
  if (!runs) {
    if (value !== null) fail(`${name} must be null: no such countdown runs in this state with these settings`);
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${name} must be a finite number`);
  if (value - now > LONGEST_DELAY_MS)
    fail(`${name} lies further ahead than a timer can wait (${MAX_PERIOD_SECONDS} s)`);
  return value;
}

/** `idleWarningAt`: absent from version 1; else `null`, or a time where a warning can have fired. */
function checkWarningTime(persisted: Record<string, unknown>, warningRuns: boolean): number | null {
  const value = persisted.idleWarningAt;
  if (persisted.version === 1) {
    if (value !== undefined) fail('idleWarningAt is not part of version 1');
    return null;
  }
  if (value === null) return null;
  if (!warningRuns) fail('idleWarningAt must be null: no idle warning runs in this state with these settings');
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('idleWarningAt must be null or a finite number');
  return value;
}

/**
 * `idleSettings` / `reconnectSettings` (version 2, written only when a restore with new
 * settings left a countdown running on older ones): absent, or settings where such a
 * countdown can run.
 */
function countdownSettings(
  persisted: Record<string, unknown>,
  name: 'idleSettings' | 'reconnectSettings',
  runs: boolean,
  countdown: string,
): SessionSettings | undefined {
  const value = persisted[name];
  if (value === undefined) return undefined;
  if (persisted.version === 1) fail(`${name} is not part of version 1`);
  if (!runs) fail(`${name} must be absent: no ${countdown} runs in this state`);
  try {
    return checkSettings(value);
  } catch (error) {
    fail(`${name}: ${(error as Error).message}`);
  }
}

function sameIdleCountdown(a: SessionSettings, b: SessionSettings): boolean {
  return a.idleTimeoutPeriod === b.idleTimeoutPeriod && a.idleWarningPeriod === b.idleWarningPeriod;
}

/**
 * When both deadlines passed while the session was stored, only the first one
 * happened: the session ended then. Keeping just that one makes the outcome the
 * earliest deadline's (idle on a tie, as SPEC §2 says), whichever order a clock runs
 * two timers that are both due at once.
 */
function firstDeadlineOnly(idle: number | null, reconnect: number | null, now: number): [number | null, number | null] {
  if (idle === null || reconnect === null) return [idle, reconnect];
  if (idle <= reconnect && idle <= now) return [idle, null];
  if (reconnect < idle && reconnect <= now) return [null, reconnect];
  return [idle, reconnect];
}

/**
 * Checks a persisted session and turns it into a snapshot XState can restore. Throws
 * a `TypeError` for anything malformed, foreign or from a future version, before
 * anything is created.
 */
export function restorableSnapshot(
  value: unknown,
  now: number,
  settingsOverride?: SessionSettings,
): CallSessionSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected an object');
  const persisted = value as Record<keyof PersistedCallSession, unknown>;
  if (persisted.format !== PERSISTED_FORMAT) fail(`format must be "${PERSISTED_FORMAT}"`);
  if (!READABLE_VERSIONS.includes(persisted.version)) {
    fail(
      `version ${String(persisted.version)} is not supported (this package reads versions 1 and ${PERSISTED_VERSION})`,
    );
  }
  const state = persisted.state as CallSessionState;
  if (!SESSION_STATES.includes(state)) fail(`unknown state ${JSON.stringify(persisted.state)}`);
  let savedSettings: SessionSettings;
  try {
    savedSettings = checkSettings(persisted.settings);
  } catch (error) {
    fail(`settings: ${(error as Error).message}`);
  }
  const sessionId = persisted.sessionId;
  if (state === 'idle' ? sessionId !== null : typeof sessionId !== 'string' || sessionId === '') {
    fail(state === 'idle' ? 'sessionId must be null in idle' : 'sessionId must be a non-empty string');
  }
  let participants: readonly Participant[];
  try {
    participants = checkParticipantList(persisted.participants, 'participants');
  } catch (error) {
    fail((error as Error).message);
  }
  const remote = participants.filter(isRemote).length;
  if (remote !== participants.length) fail('participants must all be remote');
  if ((state === 'idle' || state === 'joining' || state === 'joined.alone') && remote > 0) {
    fail(`${state} has no remote participants`);
  }
  if (state === 'joined.accompanied' && remote === 0) fail('joined.accompanied needs a remote participant');
  const resumeTo = persisted.resumeTo;
  if (state === 'reconnecting' ? resumeTo !== 'alone' && resumeTo !== 'accompanied' : resumeTo !== null) {
    fail(
      state === 'reconnecting'
        ? 'resumeTo must be "alone" or "accompanied"'
        : 'resumeTo must be null outside reconnecting',
    );
  }
  if (resumeTo === 'accompanied' && remote === 0) fail('a session lost while accompanied has a remote participant');
  if (resumeTo === 'alone' && remote > 0) fail('a session lost while alone has no remote participant');
  // A countdown runs exactly where SPEC §2 says one does, given the settings it started on.
  const idleInState = state === 'joined.alone' || resumeTo === 'alone';
  const reconnectInState = state === 'reconnecting';
  const savedIdleSettings = countdownSettings(persisted, 'idleSettings', idleInState, 'idle countdown');
  const savedReconnectSettings = countdownSettings(persisted, 'reconnectSettings', reconnectInState, 'reconnect bound');
  const idleSettings = savedIdleSettings ?? savedSettings;
  const reconnectSettings = savedReconnectSettings ?? savedSettings;
  const idleRuns = idleInState && idleSettings.idleTimeoutPeriod > 0;
  const reconnectRuns = reconnectInState && reconnectSettings.reconnectTimeoutPeriod > 0;
  const [idleDeadline, reconnectDeadline] = firstDeadlineOnly(
    checkDeadline(persisted.idleDeadline, 'idleDeadline', idleRuns, now),
    checkDeadline(persisted.reconnectDeadline, 'reconnectDeadline', reconnectRuns, now),
    now,
  );
  const idleWarningAt = checkWarningTime(persisted, idleRuns && idleSettings.idleWarningPeriod > 0);
  const endReason = persisted.endReason as EndReason | null;
  const reasons = END_REASONS[state];
  if (reasons ? !reasons.includes(endReason as EndReason) : endReason !== null) {
    fail(reasons ? `endReason of ${state} must be one of ${reasons.join(', ')}` : `endReason must be null in ${state}`);
  }
  const roster = ParticipantRoster.fromList(participants);
  if (roster.size !== participants.length) fail('participants must not repeat an identity');
  const settings = settingsOverride ?? savedSettings;
  const context: CallSessionContext = {
    settings,
    sessionId: sessionId as string | null,
    roster,
    idleDeadline,
    // A countdown that ended while stored takes its warning with it.
    idleWarningAt: idleDeadline === null ? null : idleWarningAt,
    reconnectDeadline,
    // New settings apply to countdowns that start afterwards: a running one keeps its own.
    idleSettings: idleDeadline !== null && !sameIdleCountdown(idleSettings, settings) ? idleSettings : null,
    reconnectSettings:
      reconnectDeadline !== null && reconnectSettings.reconnectTimeoutPeriod !== settings.reconnectTimeoutPeriod
        ? reconnectSettings
        : null,
    endReason,
  };
  const [top, sub] = state.split('.') as [string, string | undefined];
  return callSessionMachine.resolveState({
    value: sub ? { [top]: sub } : top,
    context,
    ...(reasons && { output: { endReason: endReason! } }),
    historyValue: resumeTo
      ? { [HISTORY_ID]: [callSessionMachine.getStateNodeById(`callSession.joined.${resumeTo}`)] }
      : {},
  });
}

/**
 * Restores a session saved by `session.getPersistedSnapshot()` (SPEC §3 options, as
 * `createCallSession` takes them): its state, participants, settings and running
 * countdowns, which resume with the time they have left on `options.clock`, and a warning
 * whose time passed while stored fires at once, once. `options.settings`, if given,
 * replace the saved settings for countdowns that start from now on; a countdown that
 * runs keeps the period and warning it started with. A snapshot that is
 * malformed, foreign, from a later version or inconsistent is a `TypeError`, and nothing
 * starts.
 *
 * @example
 * ```ts
 * import { restoreCallSession } from 'call-session-machine/persistence';
 *
 * const saved = JSON.stringify(session.getPersistedSnapshot());
 * // … after a restart:
 * const restored = restoreCallSession(JSON.parse(saved));
 * ```
 */
export function restoreCallSession(snapshot: PersistedCallSession, options?: CallSessionOptions): CallSession {
  const session = new CallSession(options, (now, settings) => restorableSnapshot(snapshot, now, settings));
  // XState does not restart pending `after` timers of a restored actor (upstream 5331).
  rearmDelayedTransitions(session.actor);
  return session;
}
