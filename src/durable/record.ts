import type { AnyActorScope } from 'xstate';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionEvent, SessionSettings } from '../../machines/callSession.types.js';
import { pendingDelays, pureTransitionScope } from '../../machines/xstateInternals.js';
import { persistSnapshot, restorableSnapshot, type PersistedCallSession } from '../persistence/restore.js';
import { callbacksBetween, sessionStateOf, type CallSessionSnapshot, type SessionCallback } from '../core/sessionView.js';

/**
 * A session as Redis holds it, and one update of it: the pure part of the durable
 * runtime, with no Redis in it. The stored value is `<version> <json>`, the version in
 * front so that the compare-and-set script reads it without parsing JSON.
 */

/** Every delayed event of the chart (`xstate.after.<delay>.<state id>`), read from the chart itself. */
export const TIMER_EVENT_TYPES: readonly string[] = (() => {
  const types: string[] = [];
  const nodes = [callSessionMachine.root];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    for (const transition of node.after) if (!types.includes(transition.eventType)) types.push(transition.eventType);
    nodes.push(...Object.values(node.states));
  }
  return types;
})();

const TIMER_INDEX = new Map(TIMER_EVENT_TYPES.map((type, index) => [type, index]));
/** The event a due timer sends, as XState's scheduler sends it. */
const TIMER_EVENTS = TIMER_EVENT_TYPES.map((type) => Object.freeze({ type }) as unknown as CallSessionEvent);

/** `idle-alone`, `warning-reconnecting`, …: a timer's name in job ids, readable in Redis. */
export const TIMER_NAMES: readonly string[] = TIMER_EVENT_TYPES.map((type) => {
  const parts = type.split('.');
  const delay = parts[2] === 'idleWarningPeriod' ? 'warning' : parts[2] === 'idleTimeoutPeriod' ? 'idle' : 'reconnect';
  return `${delay}-${parts[parts.length - 1]}`;
});

export function timerIndex(eventType: string): number {
  const index = TIMER_INDEX.get(eventType);
  if (index === undefined) throw new Error(`unreachable: ${eventType} is not a delayed event of the chart`);
  return index;
}

/** One pending timer: which (`k`, an index of TIMER_EVENT_TYPES), when, and the version that set it. */
export interface StoredTimer {
  readonly k: number;
  readonly due: number;
  readonly v: number;
}

/** What the JSON part of a stored value holds. */
interface StoredJson {
  /** The clock time of the transition that stored it. */
  a: number;
  /** Pending timers: `[k, due, v]`, in the order they were set. */
  t: [number, number, number][];
  /** The session, in the `getPersistedSnapshot` format. */
  s: PersistedCallSession;
}

/** A stored session, parsed. */
export interface SessionRecord {
  readonly version: number;
  readonly at: number;
  readonly timers: readonly StoredTimer[];
  readonly persisted: PersistedCallSession;
}

export function versionOf(raw: string): number {
  return Number(raw.slice(0, raw.indexOf(' ')));
}

export function parseRecord(raw: string): SessionRecord {
  const space = raw.indexOf(' ');
  const version = Number(raw.slice(0, space));
  const json = JSON.parse(raw.slice(space + 1)) as StoredJson;
  if (!Number.isSafeInteger(version) || typeof json !== 'object' || json === null || !Array.isArray(json.t)) {
    throw new TypeError('Not a stored durable call session');
  }
  return {
    version,
    at: json.a,
    timers: json.t.map(([k, due, v]) => ({ k, due, v })),
    persisted: json.s,
  };
}

export function serializeRecord(
  version: number,
  at: number,
  timers: readonly StoredTimer[],
  persisted: PersistedCallSession,
): string {
  const json: StoredJson = { a: at, t: timers.map(({ k, due, v }) => [k, due, v]), s: persisted };
  return `${version} ${JSON.stringify(json)}`;
}

/** A session ready to move on: its chart snapshot and pending timers at a version. */
export interface LiveSession {
  readonly version: number;
  readonly at: number;
  readonly snapshot: CallSessionSnapshot;
  readonly timers: readonly StoredTimer[];
}

/** A parsed record as a chart snapshot: restored on the time it was stored at, so nothing in it has passed yet. */
export function liveSessionOf(record: SessionRecord): LiveSession {
  return {
    version: record.version,
    at: record.at,
    snapshot: restorableSnapshot(record.persisted, record.at),
    timers: record.timers,
  };
}

/** The callbacks one transition fires, captured as it ran. */
export type Fired = readonly SessionCallback[];

/** What one update did, for the runtime to store, schedule and report. */
export interface UpdateResult {
  readonly version: number;
  readonly at: number;
  readonly snapshot: CallSessionSnapshot;
  readonly timers: readonly StoredTimer[];
  /** Timers set by this update: their jobs are added before it is stored. */
  readonly added: readonly StoredTimer[];
  /** Timers gone in this update (fired or cancelled): their jobs are removed after it is stored. */
  readonly removed: readonly StoredTimer[];
  /** The callbacks of each transition, in order. */
  readonly callbacks: readonly Fired[];
  /** Whether anything changed: `false` when nothing was due and the event was ignored. */
  readonly changed: boolean;
}

/**
 * Runs the chart's pure transitions of one update on a reusable scope: first every
 * timer due by `now`, in due order, each at its own due time (a deadline is what
 * happened at its time, however late a worker delivers it, and before any later event);
 * then `event`, if any, at `now`. The timer requests of each transition (XState's
 * delayed raise and cancel actions, through the scope's sink) become the new timers.
 */
export class SessionStepper {
  #now = 0;
  readonly #requests: number[] = [];
  readonly #scope: AnyActorScope;

  constructor() {
    const requests = this.#requests;
    this.#scope = pureTransitionScope(() => this.#now, {
      schedule(eventType, delay) {
        requests.push(timerIndex(eventType), delay);
      },
      cancel(eventType) {
        requests.push(~timerIndex(eventType), 0);
      },
    });
  }

  /** The initial snapshot of a new session on `settings`. */
  initial(settings: SessionSettings): CallSessionSnapshot {
    return callSessionMachine.getInitialSnapshot(this.#scope, { settings });
  }

  /** A persisted session restored at `now`, with the timers its active states run (as the fleet re-arms them). */
  restore(
    persisted: unknown,
    now: number,
    settings: SessionSettings | undefined,
  ): { snapshot: CallSessionSnapshot; timers: StoredTimer[] } {
    const snapshot = restorableSnapshot(persisted, now, settings);
    this.#now = now;
    const timers = pendingDelays(callSessionMachine, snapshot, this.#scope).map(({ eventType, delay }) => ({
      k: timerIndex(eventType),
      due: now + delay,
      v: 1,
    }));
    return { snapshot, timers };
  }

  /** The due timers first (see the class), then `event`. */
  update(session: LiveSession, event: CallSessionEvent | null, now: number): UpdateResult {
    const version = session.version + 1;
    // A clock behind the one that stored the session must not move time back for it.
    const at = Math.max(now, session.at);
    let snapshot = session.snapshot;
    let timers = session.timers.slice();
    const removed: StoredTimer[] = [];
    const added: StoredTimer[] = [];
    const callbacks: Fired[] = [];
    let changed = false;

    const run = (input: CallSessionEvent, time: number): void => {
      this.#now = time;
      const requests = this.#requests;
      requests.length = 0;
      const next = callSessionMachine.transition(snapshot, input, this.#scope);
      for (let i = 0; i < requests.length; i += 2) {
        const k = requests[i]!;
        const kind = k < 0 ? ~k : k;
        const at = timers.findIndex((timer) => timer.k === kind);
        if (at >= 0) {
          removed.push(timers[at]!);
          timers.splice(at, 1);
        }
        if (k >= 0) {
          const timer = { k, due: time + requests[i + 1]!, v: version };
          timers.push(timer);
          added.push(timer);
        }
      }
      if (next !== snapshot) {
        const fired = callbacksBetween(snapshot, next);
        if (fired.length > 0) callbacks.push(fired);
        snapshot = next;
        changed = true;
      }
    };

    for (;;) {
      if (snapshot.status !== 'active') break;
      const due = earliestDue(timers, at);
      if (due === undefined) break;
      // A timer fires once: it leaves the pending set, as XState's scheduler drops it.
      timers = timers.filter((timer) => timer !== due);
      removed.push(due);
      changed = true;
      run(TIMER_EVENTS[due.k]!, due.due);
    }
    if (event !== null && snapshot.status === 'active') run(event, at);
    // A timer set and gone in this same update needs no job.
    const addedNow = added.filter((timer) => timers.includes(timer));
    const removedNow = removed.filter((timer) => timer.v !== version);
    return { version, at, snapshot, timers, added: addedNow, removed: removedNow, callbacks, changed };
  }
}

/** The timer to fire first among those due by `now`: by due time, then the order set. */
function earliestDue(timers: readonly StoredTimer[], now: number): StoredTimer | undefined {
  let first: StoredTimer | undefined;
  for (const timer of timers) {
    if (timer.due > now) continue;
    if (first === undefined || timer.due < first.due || (timer.due === first.due && timer.v < first.v)) first = timer;
  }
  return first;
}

/** A session as `getPersistedSnapshot` returns it. */
export function persistedOf(snapshot: CallSessionSnapshot): PersistedCallSession {
  return persistSnapshot(snapshot, sessionStateOf(snapshot));
}

/** `%` and `:` escaped: BullMQ refuses a custom job id with a `:` in it. */
function escapeId(id: string): string {
  return id.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

/**
 * A timer's BullMQ job id: the session, the timer, the version that set it and its due
 * time, e.g. `room-42.idle-alone.7.1764780000000`. Deterministic, so a retried add is
 * ignored by BullMQ, and never reused for another deadline.
 */
export function jobIdOf(id: string, timer: StoredTimer): string {
  return `${escapeId(id)}.${TIMER_NAMES[timer.k]}.${timer.v}.${timer.due}`;
}

/** What a deadline job carries: the session id, and which timer at which version and time. */
export interface DeadlineJobData {
  readonly i: string;
  readonly k: number;
  readonly v: number;
  readonly d: number;
}
