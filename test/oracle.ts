// A reference model of SPEC §2, written from the spec and the decisions in the brief,
// not from the chart: a plain reducer over events and time. It knows nothing of XState,
// listeners or persistence; `step` and `advance` return the callbacks one event or one
// stretch of time fires, in the order SPEC §2 "Ordering" gives (status callback, then
// joined, then left, then one list change).
//
// Callback strings: `onSessionJoined`, `onIdleTimeoutWarning:<secondsLeft>`,
// `onParticipantJoined:<participant>`,
// `onParticipantLeft:<participant>`, `onParticipantListChanged:<list>`, where a
// participant is written by `describeParticipant` and a list by `describeList`.

export type OracleState =
  'idle' | 'joining' | 'joined.alone' | 'joined.accompanied' | 'reconnecting' | 'left' | 'timedOut' | 'closed';

export type OracleEndReason = 'user' | 'removed' | 'idleTimeout' | 'server' | 'reconnectTimeout';

export interface OracleParticipant {
  readonly uid?: string;
  readonly pid?: string;
  readonly name?: string;
  readonly avatar?: string;
  readonly isLocal?: boolean;
}

export type OracleEvent =
  | { readonly type: 'session.join'; readonly sessionId: string }
  | { readonly type: 'session.joined'; readonly participants?: readonly OracleParticipant[] }
  | { readonly type: 'session.joinFailed'; readonly error?: unknown }
  | { readonly type: 'session.leave' }
  | { readonly type: 'session.removed' }
  | { readonly type: 'participant.joined'; readonly participant: OracleParticipant }
  | { readonly type: 'participant.left'; readonly participant: OracleParticipant }
  | { readonly type: 'connection.lost' }
  | { readonly type: 'connection.restored'; readonly participants?: readonly OracleParticipant[] }
  | { readonly type: 'connection.closed' }
  | { readonly type: 'idle.extend' };

/** Periods in whole seconds; 0 disables the countdown. */
export interface OracleSettings {
  readonly idleTimeoutPeriod: number;
  readonly reconnectTimeoutPeriod: number;
  /** Seconds before the idle timeout that the warning fires; 0 or absent: no warning. */
  readonly idleWarningPeriod?: number;
}

export interface OracleModel {
  readonly state: OracleState;
  readonly sessionId: string | null;
  /** Remote participants in arrival order; the local participant is never here. */
  readonly participants: readonly OracleParticipant[];
  /** Absolute clock ms at which the idle countdown ends; null when none runs. */
  readonly idleDeadline: number | null;
  /** Whether the running idle countdown has warned (SPEC §6: once per countdown). */
  readonly idleWarned: boolean;
  /** Absolute clock ms at which the reconnect bound ends; null when none runs. */
  readonly reconnectDeadline: number | null;
  /** In `reconnecting`: the substate a plain `connection.restored` returns to. */
  readonly resumeTo: 'alone' | 'accompanied' | null;
  readonly endReason: OracleEndReason | null;
  readonly now: number;
  readonly settings: OracleSettings;
}

export interface OracleResult {
  readonly model: OracleModel;
  readonly callbacks: readonly string[];
  /** Whether the event was taken (what `session.can(event)` must answer beforehand). */
  readonly accepted: boolean;
}

const FINAL: readonly OracleState[] = ['left', 'timedOut', 'closed'];
const FIELDS = ['uid', 'pid', 'name', 'avatar', 'isLocal'] as const;

export function isFinal(state: OracleState): boolean {
  return FINAL.includes(state);
}

export function initialModel(settings: OracleSettings, now = 0): OracleModel {
  return {
    state: 'idle',
    sessionId: null,
    participants: [],
    idleDeadline: null,
    idleWarned: false,
    reconnectDeadline: null,
    resumeTo: null,
    endReason: null,
    now,
    settings,
  };
}

/** SPEC §2: identity is `pid` when present, else `uid`; the two never collide. */
export function identityOf(p: OracleParticipant): string {
  return p.pid ? `p:${p.pid}` : `u:${p.uid ?? ''}`;
}

/** Identity, then every own field with a defined value, keys sorted. */
export function describeParticipant(p: object): string {
  const fields = Object.entries(p)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${String(value)}`);
  return `${identityOf(p as OracleParticipant)}{${fields.join(',')}}`;
}

export function describeList(list: readonly object[]): string {
  return `${list.length}[${list.map(describeParticipant).join(';')}]`;
}

/** The copy a session keeps: the five fields of SPEC §2 that are defined. */
function copyParticipant(p: OracleParticipant): OracleParticipant {
  const copy: Record<string, unknown> = {};
  for (const key of FIELDS) if (p[key] !== undefined) copy[key] = p[key];
  return copy as OracleParticipant;
}

function sameFields(a: OracleParticipant, b: OracleParticipant): boolean {
  return FIELDS.every((key) => a[key] === b[key]);
}

/**
 * The remote participants of an initial or resync list: local ones dropped; a second
 * entry with an identity already in the list updates the first (keeps its position),
 * as two `participant.joined` of one identity would.
 */
function remoteList(list: readonly OracleParticipant[]): OracleParticipant[] {
  const result: OracleParticipant[] = [];
  for (const p of list) {
    if (p.isLocal === true) continue;
    const at = result.findIndex((q) => identityOf(q) === identityOf(p));
    if (at === -1) result.push(copyParticipant(p));
    else result[at] = copyParticipant(p);
  }
  return result;
}

function idleFrom(model: OracleModel): number | null {
  const period = model.settings.idleTimeoutPeriod;
  return period === 0 ? null : model.now + period * 1000;
}

function reconnectFrom(model: OracleModel): number | null {
  const period = model.settings.reconnectTimeoutPeriod;
  return period === 0 ? null : model.now + period * 1000;
}

/**
 * The roster becomes `next` (a resync, or the initial list), kept in arrival order:
 * joined for each new identity in list order, left for each missing one (the listed entry), list changed
 * once; nothing when `next` holds the same identities and fields in any order.
 */
function replaceRoster(
  current: readonly OracleParticipant[],
  next: readonly OracleParticipant[],
): { participants: readonly OracleParticipant[]; callbacks: string[] } {
  const currentById = new Map(current.map((p) => [identityOf(p), p]));
  const nextById = new Map(next.map((p) => [identityOf(p), p]));
  const unchanged =
    current.length === next.length &&
    next.every((p) => {
      const old = currentById.get(identityOf(p));
      return old !== undefined && sameFields(old, p);
    });
  if (unchanged) return { participants: current, callbacks: [] };
  // Arrival order (brief): those still present keep their places, with the list's
  // fields; new ones follow in list order.
  const participants = [
    ...current.filter((p) => nextById.has(identityOf(p))).map((p) => nextById.get(identityOf(p))!),
    ...next.filter((p) => !currentById.has(identityOf(p))),
  ];
  const callbacks: string[] = [];
  for (const p of next) {
    if (!currentById.has(identityOf(p))) callbacks.push(`onParticipantJoined:${describeParticipant(p)}`);
  }
  for (const p of current) {
    if (!nextById.has(identityOf(p))) callbacks.push(`onParticipantLeft:${describeParticipant(p)}`);
  }
  callbacks.push(`onParticipantListChanged:${describeList(participants)}`);
  return { participants, callbacks };
}

const IGNORED = (model: OracleModel): OracleResult => ({ model, callbacks: [], accepted: false });

function end(model: OracleModel, state: OracleState, endReason: OracleEndReason): OracleModel {
  return { ...model, state, endReason, idleDeadline: null, idleWarned: false, reconnectDeadline: null, resumeTo: null };
}

export function step(model: OracleModel, event: OracleEvent): OracleResult {
  const { state } = model;
  const joined = state === 'joined.alone' || state === 'joined.accompanied';
  const connected = joined || state === 'reconnecting';
  switch (event.type) {
    case 'session.join':
      if (state !== 'idle') return IGNORED(model);
      return { model: { ...model, state: 'joining', sessionId: event.sessionId }, callbacks: [], accepted: true };

    case 'session.joined': {
      if (state !== 'joining') return IGNORED(model);
      const roster = replaceRoster(model.participants, remoteList(event.participants ?? []));
      const accompanied = roster.participants.length > 0;
      const next: OracleModel = {
        ...model,
        state: accompanied ? 'joined.accompanied' : 'joined.alone',
        participants: roster.participants,
        idleDeadline: accompanied ? null : idleFrom(model),
        idleWarned: false,
      };
      return { model: next, callbacks: ['onSessionJoined', ...roster.callbacks], accepted: true };
    }

    case 'session.joinFailed':
      if (state !== 'joining') return IGNORED(model);
      return { model: { ...model, state: 'idle', sessionId: null }, callbacks: [], accepted: true };

    case 'session.leave':
      if (state === 'joining') {
        return { model: { ...model, state: 'idle', sessionId: null }, callbacks: [], accepted: true };
      }
      if (!connected) return IGNORED(model);
      return { model: end(model, 'left', 'user'), callbacks: ['onSessionLeft'], accepted: true };

    case 'session.removed':
      if (!connected) return IGNORED(model);
      return { model: end(model, 'left', 'removed'), callbacks: ['onSessionLeft'], accepted: true };

    case 'participant.joined': {
      if (!joined || event.participant.isLocal === true) return IGNORED(model);
      const p = copyParticipant(event.participant);
      const at = model.participants.findIndex((q) => identityOf(q) === identityOf(p));
      const participants =
        at === -1 ? [...model.participants, p] : model.participants.map((q, i) => (i === at ? p : q));
      const callbacks: string[] = at === -1 ? [`onParticipantJoined:${describeParticipant(p)}`] : [];
      callbacks.push(`onParticipantListChanged:${describeList(participants)}`);
      return {
        model: { ...model, state: 'joined.accompanied', participants, idleDeadline: null, idleWarned: false },
        callbacks,
        accepted: true,
      };
    }

    case 'participant.left': {
      if (!joined) return IGNORED(model);
      const id = identityOf(event.participant);
      const listed = model.participants.find((q) => identityOf(q) === id);
      if (listed === undefined) return IGNORED(model);
      const participants = model.participants.filter((q) => q !== listed);
      const alone = participants.length === 0;
      const next: OracleModel = {
        ...model,
        state: alone ? 'joined.alone' : 'joined.accompanied',
        participants,
        // Entering joined.alone starts the countdown afresh at the full period.
        idleDeadline: alone ? idleFrom(model) : model.idleDeadline,
        idleWarned: alone ? false : model.idleWarned,
      };
      return {
        model: next,
        callbacks: [
          `onParticipantLeft:${describeParticipant(listed)}`,
          `onParticipantListChanged:${describeList(participants)}`,
        ],
        accepted: true,
      };
    }

    case 'connection.lost':
      if (!joined) return IGNORED(model);
      return {
        model: {
          ...model,
          state: 'reconnecting',
          resumeTo: state === 'joined.alone' ? 'alone' : 'accompanied',
          reconnectDeadline: reconnectFrom(model),
          // The idle countdown (if any) keeps running through reconnecting.
        },
        callbacks: ['onConnectionLost'],
        accepted: true,
      };

    case 'connection.restored': {
      if (state !== 'reconnecting') return IGNORED(model);
      const base: OracleModel = { ...model, reconnectDeadline: null, resumeTo: null };
      if (event.participants === undefined) {
        // History: back to the substate it left; the countdown continues as it was.
        return {
          model: { ...base, state: model.resumeTo === 'accompanied' ? 'joined.accompanied' : 'joined.alone' },
          callbacks: ['onConnectionRestored'],
          accepted: true,
        };
      }
      const roster = replaceRoster(model.participants, remoteList(event.participants));
      const accompanied = roster.participants.length > 0;
      const next: OracleModel = {
        ...base,
        state: accompanied ? 'joined.accompanied' : 'joined.alone',
        participants: roster.participants,
        idleDeadline: accompanied ? null : (model.idleDeadline ?? idleFrom(model)),
        // A countdown that runs on keeps its warning; a fresh one has none.
        idleWarned: accompanied || model.idleDeadline === null ? false : model.idleWarned,
      };
      return { model: next, callbacks: ['onConnectionRestored', ...roster.callbacks], accepted: true };
    }

    case 'connection.closed':
      if (!connected) return IGNORED(model);
      return { model: end(model, 'closed', 'server'), callbacks: ['onConnectionClosed'], accepted: true };

    case 'idle.extend':
      // SPEC §6: taken exactly while an idle countdown runs; "Stay" restarts it at the
      // full period from now, clears the warning, and fires no callback.
      if (!idleCountdownRuns(model)) return IGNORED(model);
      return { model: { ...model, idleDeadline: idleFrom(model), idleWarned: false }, callbacks: [], accepted: true };
  }
}

function idleCountdownRuns(model: OracleModel): boolean {
  return (model.state === 'joined.alone' || model.state === 'reconnecting') && model.idleDeadline !== null;
}

/**
 * Moves time on by `ms`. A deadline is due when now >= deadline; due timers fire in
 * deadline order, the idle countdown first on a tie with the reconnect bound. Either
 * one ends the session, so at most one fires. Before it, the idle warning fires once
 * per countdown when `idleWarningPeriod` seconds are left (SPEC §6), unless the session
 * ends at that very instant or earlier.
 */
export function advance(model: OracleModel, ms: number): { model: OracleModel; callbacks: readonly string[] } {
  const now = model.now + ms;
  const idle = idleCountdownRuns(model) ? model.idleDeadline! : Infinity;
  const reconnect =
    model.state === 'reconnecting' && model.reconnectDeadline !== null ? model.reconnectDeadline : Infinity;
  const warningSeconds = model.settings.idleWarningPeriod ?? 0;
  const warning =
    idle !== Infinity && warningSeconds > 0 && !model.idleWarned ? idle - warningSeconds * 1000 : Infinity;
  const callbacks: string[] = [];
  let current = model;
  if (warning <= now && warning < idle && warning < reconnect) {
    const firedAt = Math.max(warning, model.now);
    callbacks.push(`onIdleTimeoutWarning:${Math.ceil((idle - firedAt) / 1000)}`);
    current = { ...current, idleWarned: true };
  }
  if (idle <= now && idle <= reconnect) {
    return {
      model: { ...end(current, 'timedOut', 'idleTimeout'), now },
      callbacks: [...callbacks, 'onSessionTimedOut'],
    };
  }
  if (reconnect <= now) {
    return {
      model: { ...end(current, 'closed', 'reconnectTimeout'), now },
      callbacks: [...callbacks, 'onConnectionClosed'],
    };
  }
  return { model: { ...current, now }, callbacks };
}
