import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionEvent, EndReason, Participant, SessionSettings } from '../../machines/callSession.types.js';
import { DEFAULT_SESSION_SETTINGS } from '../../machines/callSession.types.js';
import { expected } from '../../machines/participants.js';
import { checkSettings } from '../../machines/settings.js';
import { createPureTransition, type DelayedEventAction } from '../../machines/xstateInternals.js';
import { parseEvent } from '../core/events.js';
import type { ListenerOptions, ParticipantEventListener, SessionStatusListener, WithId } from '../core/listeners.js';
import {
  canTake,
  checkClock,
  checkListenerErrorHandler,
  deadlinesOf,
  NO_DEADLINES,
  SessionCore,
  type SessionClock,
  type SessionDeadlines,
} from '../core/sessionCore.js';
import {
  callbacksBetween,
  sessionStateOf,
  type CallSessionSnapshot,
  type CallSessionState,
} from '../core/sessionView.js';
import { persistSnapshot, restorableSnapshot, type PersistedCallSession } from '../persistence/restore.js';
import { TimerHeap } from '../core/timerHeap.js';

/**
 * A `CallSession`'s status callbacks (`SessionStatusListener`: the six status callbacks
 * and the idle warning), each with the id of the fleet session it is about as its first
 * argument. Any subset may be given. Inside a callback, `fleet.state(id)` is already the
 * new state.
 */
export type FleetStatusListener = WithId<SessionStatusListener>;

/**
 * A `CallSession`'s participant callbacks (`ParticipantEventListener`), each with the
 * session id first; `onParticipantListChanged`'s list is `fleet.participants(id)`. Any
 * subset may be given.
 */
export type FleetParticipantListener = WithId<ParticipantEventListener>;

/** What `createCallSessionFleet` takes; every field is optional. */
export interface CallSessionFleetOptions {
  /** The settings sessions are added with when `add` is given none; default 300 s idle, 60 s reconnect bound. */
  settings?: SessionSettings;
  /**
   * Where the fleet's one timer runs and what time it reads: default the global
   * `setTimeout`/`clearTimeout` (vitest's fake timers work) and `Date.now()`, with the
   * timers kept on `performance.now()` so that a step of the wall clock moves none;
   * xstate's `SimulatedClock` fits. Without `now()`, `Date.now()` is read.
   */
  clock?: SessionClock;
  /** Told of every error a listener throws; default `console.error`. */
  onListenerError?: (error: unknown) => void;
  /**
   * `true`: a session that reaches a final state (`left`, `timedOut`, `closed`) is removed
   * right after its terminal callbacks have run (inside them it is still there). Default
   * `false`: it stays, readable, until `remove(id)`.
   */
  removeOnEnd?: boolean;
  /**
   * At most this many due timers fire in one wake-up of the fleet's timer; then the fleet
   * yields to the event loop (`setImmediate` on the default clock, `clock.setTimeout(…, 0)`
   * on another) before it fires the next batch. Default 1,000.
   */
  timerBatchSize?: number;
}

/** What `fleet.add(id, options)` takes. */
export interface FleetSessionOptions {
  /**
   * The session's settings; default the fleet's. With `snapshot`: the settings for
   * countdowns started from now on (a running one keeps the period it started with).
   */
  settings?: SessionSettings;
  /**
   * A session saved by `getPersistedSnapshot` (of a fleet or of a `CallSession`) to
   * restore, with its running countdowns re-armed on the fleet's clock.
   */
  snapshot?: PersistedCallSession;
}

/** A whole fleet as plain JSON: `[id, session]` pairs in the order the sessions were added. `new Map(persisted)` works. */
export type PersistedCallSessionFleet = (readonly [id: string, session: PersistedCallSession])[];

/** The longest delay a JavaScript timer holds. */
const MAX_TIMER_MS = 2_147_483_647;
const DEFAULT_BATCH = 1_000;

/** Every delayed event of the chart (`xstate.after.<delay>.<state id>`), read from the chart itself. */
const TIMER_EVENT_TYPES: readonly string[] = (() => {
  const types: string[] = [];
  const nodes = [callSessionMachine.root];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    for (const transition of node.after) if (!types.includes(transition.eventType)) types.push(transition.eventType);
    nodes.push(...Object.values(node.states));
  }
  return types;
})();
/** A session's timers are the handles `slot * TIMERS + k`, k indexing TIMER_EVENT_TYPES. */
const TIMERS = TIMER_EVENT_TYPES.length;
const TIMER_INDEX = new Map(TIMER_EVENT_TYPES.map((type, index) => [type, index]));
/** The event a due timer sends, as XState's scheduler sends it: `{ type }`, one shared object per timer. */
const TIMER_EVENTS = TIMER_EVENT_TYPES.map((type) => Object.freeze({ type }) as unknown as CallSessionEvent);

interface FleetClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  /** The time the chart reads: its deadlines are absolute on it. */
  now(): number;
  /**
   * The time the timers run on, which the timer heap is kept in: a monotonic clock when
   * there is one (the default clock's `performance.now()`, which vitest's fake timers move
   * with their timers and not with `vi.setSystemTime`), else `now()`.
   */
  elapsed(): number;
  /** The default clock yields with `setImmediate`; another with its own `setTimeout(…, 0)`. */
  readonly immediate: boolean;
}

/** Read from the global object at each call, so that fake timers installed later are used. */
const GLOBAL_CLOCK: FleetClock = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
  elapsed: () => globalThis.performance.now(),
  immediate: true,
};

/**
 * How far before its time a real timer may run by rounding alone (libuv counts whole
 * milliseconds): less than that is not taken for a clock set back.
 */
const TIMER_ROUNDING_MS = 2;

/** What the real timer is: none, a `setTimeout`, or a `setImmediate` (a yield on the default clock). */
const TimerKind = { None: 0, Timeout: 1, Immediate: 2 } as const;

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(expected('A fleet session id must be a non-empty string', id));
  }
  return id;
}

function checkFleetOptions(options: unknown): CallSessionFleetOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(expected('createCallSessionFleet options must be an object', options));
  }
  const { clock, onListenerError, removeOnEnd, timerBatchSize } = options as CallSessionFleetOptions;
  checkClock(clock);
  checkListenerErrorHandler(onListenerError);
  if (removeOnEnd !== undefined && typeof removeOnEnd !== 'boolean') {
    throw new TypeError(expected('removeOnEnd must be a boolean', removeOnEnd));
  }
  if (timerBatchSize !== undefined) {
    if (typeof timerBatchSize !== 'number') {
      throw new TypeError(expected('timerBatchSize must be a number', timerBatchSize));
    }
    if (!Number.isInteger(timerBatchSize) || timerBatchSize < 1) {
      throw new RangeError(expected('timerBatchSize must be an integer of at least 1', timerBatchSize));
    }
  }
  return options as CallSessionFleetOptions;
}

function checkSessionOptions(options: unknown): FleetSessionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(expected('fleet.add options must be an object like { settings, snapshot }', options));
  }
  return options as FleetSessionOptions;
}

function settingsKey(settings: SessionSettings): string {
  return `${settings.idleTimeoutPeriod}/${settings.reconnectTimeoutPeriod}/${settings.idleWarningPeriod}/${settings.type}`;
}

/**
 * Many call sessions in one process, keyed by id, all on the same `callSessionMachine`
 * but with no actor each: a session is its snapshot, moved on by the machine's pure
 * transition (`machine.transition(snapshot, event, scope)`, one reusable scope whose
 * clock reads the fleet's time), and every deadline of every session is one entry of
 * one timer heap behind one real timer. Callbacks are a `CallSession`'s, in the same
 * order, with the session id first. Create one with `createCallSessionFleet`.
 */
export class CallSessionFleet implements Iterable<string> {
  readonly #clock: FleetClock;
  readonly #defaultSettings: SessionSettings;
  readonly #core: SessionCore<FleetStatusListener, FleetParticipantListener>;
  readonly #removeOnEnd: boolean;
  readonly #batch: number;
  readonly #chart = createPureTransition(callSessionMachine);

  // Sessions, as columns indexed by slot: no object per session besides its snapshot.
  readonly #slotOf = new Map<string, number>();
  readonly #ids: (string | undefined)[] = [];
  readonly #snapshots: (CallSessionSnapshot | undefined)[] = [];
  readonly #deadlines: (SessionDeadlines | undefined)[] = [];
  /** Bumped when a slot's session is removed, so that queued work for it is dropped. */
  readonly #generations: number[] = [];
  readonly #freeSlots: number[] = [];

  /** One initial snapshot per settings value, shared by every session added with it. */
  readonly #initialSnapshots = new Map<string, CallSessionSnapshot>();
  readonly #sharedSettings = new Map<string, SessionSettings>();
  #lastSettings: SessionSettings | undefined;
  #lastGiven: SessionSettings | undefined;
  #lastChecked: SessionSettings | undefined;
  #lastInitial: CallSessionSnapshot | undefined;

  /** Every pending timer of every session, by due time on the fleet's time (`#read`). */
  readonly #heap = new TimerHeap();
  /** The clock's `now()` at the fleet's last reading: what the chart reads (the scope's clock). */
  #now = 0;
  /** The fleet's time at its last reading: `clock.elapsed()` + `#offset`, never going back. */
  #time = -Infinity;
  #offset = 0;
  /** The delayed events the transition under way set or cancelled. */
  readonly #delayed: DelayedEventAction[] = [];
  #timer: unknown = undefined;
  #timerKind: number = TimerKind.None;
  #timerAt = Infinity;
  readonly #wake = () => this.#onTimer();

  /** In a wake-up's loop: the real timer is set once, when the batch ends. */
  #firing = false;
  /** The slot whose callbacks run, or -1. */
  #dispatchingSlot = -1;
  #wakeDuringDispatch = false;
  /** Events sent from inside callbacks: `slot, generation, event` triples. */
  readonly #queue: (number | CallSessionEvent)[] = [];
  #disposed = false;

  /** @internal Use `createCallSessionFleet`. */
  constructor(options?: CallSessionFleetOptions) {
    const { settings, clock, onListenerError, removeOnEnd, timerBatchSize } = checkFleetOptions(options);
    this.#defaultSettings = settings === undefined ? DEFAULT_SESSION_SETTINGS : checkSettings(settings);
    if (clock) {
      const now = clock.now ? () => clock.now!() : () => Date.now();
      this.#clock = {
        setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
        clearTimeout: (id) => clock.clearTimeout(id),
        now,
        elapsed: now,
        immediate: false,
      };
    } else {
      this.#clock = GLOBAL_CLOCK;
    }
    this.#core = new SessionCore(onListenerError);
    this.#removeOnEnd = removeOnEnd ?? false;
    this.#batch = timerBatchSize ?? DEFAULT_BATCH;
  }

  /** How many sessions the fleet holds (final ones included until removed). */
  get size(): number {
    return this.#slotOf.size;
  }

  /** Whether the fleet holds a session `id`. */
  has(id: string): boolean {
    return this.#slotOf.has(id);
  }

  /** The session ids, in the order they were added. */
  ids(): IterableIterator<string> {
    return this.#slotOf.keys();
  }

  /** The session ids, in the order they were added (as `ids()`). */
  [Symbol.iterator](): IterableIterator<string> {
    return this.#slotOf.keys();
  }

  /**
   * Adds session `id` in `idle`, or restored from `options.snapshot` with its countdowns
   * re-armed (a deadline that passed while stored fires on the next tick, after any
   * listener added synchronously). Fires no callback. Throws a `TypeError` for a bad id,
   * settings or snapshot, and a `RangeError` when the fleet already holds `id`; nothing
   * changes then.
   */
  add(id: string, options?: FleetSessionOptions): void {
    if (this.#disposed) return;
    checkId(id);
    if (this.#slotOf.has(id)) throw new RangeError(`The fleet already holds a session ${JSON.stringify(id)}`);
    const { settings, snapshot } = checkSessionOptions(options);
    if (snapshot === undefined) {
      this.#insert(id, this.#initialSnapshot(this.#checkedSettings(settings)));
      return;
    }
    const checked = settings === undefined ? undefined : this.#share(checkSettings(settings));
    this.#read();
    const restored = this.#restorable(snapshot, this.#now, checked);
    this.#arm(this.#insert(id, restored), restored, this.#read());
    this.#armTimer(this.#time);
  }

  /** Sends `session.join` to session `id`, with `sessionId` (default: the fleet id). */
  join(id: string, sessionId: string = id): void {
    this.send(id, { type: 'session.join', sessionId });
  }

  /** Sends `session.leave` to session `id`. */
  leave(id: string): void {
    this.send(id, { type: 'session.leave' });
  }

  /** Sends `idle.extend` ("Stay") to session `id`. */
  extendIdleTimeout(id: string): void {
    this.send(id, { type: 'idle.extend' });
  }

  /**
   * Sends any event of SPEC §2 to session `id`, as `session.send` does: a malformed event
   * is a `TypeError`, an unknown id a `RangeError`, and nothing changes; an event the
   * state does not take, or any event to a session in a final state, is ignored. Sent
   * from inside a callback (for this session or another), it is handled once the
   * current dispatch ends, in the order sent. After `dispose()` it is ignored.
   */
  send(id: string, event: CallSessionEvent): void {
    if (this.#disposed) return;
    const slot = this.#slotFor(id);
    const parsed = parseEvent(event);
    if (this.#core.dispatching) {
      this.#queue.push(slot, this.#generations[slot]!, parsed);
      return;
    }
    this.#transition(slot, parsed);
    this.#drain();
  }

  /** Whether session `id` would take `event` now. Never throws: false for an unknown id, a malformed event, or after `dispose()`. */
  can(id: string, event: CallSessionEvent): boolean {
    if (this.#disposed) return false;
    const slot = this.#slotOf.get(id);
    return slot !== undefined && canTake(this.#snapshots[slot]!, event);
  }

  /** Session `id`'s state, one of the values of SPEC §2. Throws a `RangeError` for an unknown id. */
  state(id: string): CallSessionState {
    return sessionStateOf(this.#snapshotOf(id));
  }

  /** Session `id`'s remote participants in arrival order: frozen, and the same array until its list changes. */
  participants(id: string): readonly Participant[] {
    return this.#snapshotOf(id).context.roster.list;
  }

  /** Why session `id` ended; `null` until it reaches `left`, `timedOut` or `closed`. */
  endReason(id: string): EndReason | null {
    return this.#snapshotOf(id).context.endReason;
  }

  /** Whether session `id`'s idle warning has fired for the countdown that runs (SPEC §6). */
  idleWarningActive(id: string): boolean {
    return this.#snapshotOf(id).context.idleWarningAt !== null;
  }

  /**
   * When session `id`'s countdowns end, as absolute times on the fleet's clock; `null`
   * where none runs. Frozen, and the same object until one of them changes.
   */
  deadlines(id: string): SessionDeadlines {
    const slot = this.#slotFor(id);
    return (this.#deadlines[slot] = deadlinesOf(this.#snapshots[slot]!, this.#deadlines[slot] ?? NO_DEADLINES));
  }

  /** Session `id` as plain JSON, in the format of `session.getPersistedSnapshot()`. */
  getPersistedSnapshot(id: string): PersistedCallSession {
    const snapshot = this.#snapshotOf(id);
    return persistSnapshot(snapshot, sessionStateOf(snapshot));
  }

  /** Every session as plain JSON, `[id, session]` in the order added: for `restore` here or in another process. */
  persist(): PersistedCallSessionFleet {
    const persisted: PersistedCallSessionFleet = [];
    for (const [id, slot] of this.#slotOf) {
      const snapshot = this.#snapshots[slot]!;
      persisted.push([id, persistSnapshot(snapshot, sessionStateOf(snapshot))]);
    }
    return persisted;
  }

  /**
   * Adds every session of `persisted` (what `persist()` returned, a `Map`, or any
   * iterable of `[id, session]`), re-arming each running countdown on the fleet's clock;
   * `options.settings` apply to countdowns started from now on. All are checked before
   * any is added: a malformed entry is a `TypeError`, an id given twice or already held
   * a `RangeError`, and then nothing changes. The timers are set from a reading of the
   * clock taken after the checks, so however long they take, each countdown ends at its
   * deadline. Returns how many were added.
   */
  restore(
    persisted: Iterable<readonly [string, PersistedCallSession]>,
    options?: { settings?: SessionSettings },
  ): number {
    if (this.#disposed) return 0;
    if (typeof (persisted as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(expected('restore takes an iterable of [id, session] pairs', persisted));
    }
    const { settings } = checkSessionOptions(options);
    const override = settings === undefined ? undefined : this.#share(checkSettings(settings));
    this.#read();
    // The checks read the clock once; the timers are armed from a reading taken after them.
    const now = this.#now;
    const ids = new Set<string>();
    const restored: CallSessionSnapshot[] = [];
    let index = 0;
    for (const entry of persisted) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new TypeError(expected(`restore: entry ${index} must be an [id, session] pair`, entry));
      }
      const id = entry[0] as unknown;
      try {
        checkId(id);
      } catch (error) {
        throw new TypeError(`restore: entry ${index}: ${(error as Error).message}`, { cause: error });
      }
      if (ids.has(id as string) || this.#slotOf.has(id as string)) {
        throw new RangeError(`restore: entry ${index}: the session id ${JSON.stringify(id)} is already taken`);
      }
      try {
        restored.push(this.#restorable(entry[1], now, override));
      } catch (error) {
        throw new TypeError(`restore: entry ${index} (${JSON.stringify(id)}): ${(error as Error).message}`, {
          cause: error,
        });
      }
      ids.add(id as string);
      index++;
    }
    let at = 0;
    const time = this.#read();
    for (const id of ids) {
      const snapshot = restored[at++]!;
      this.#arm(this.#insert(id, snapshot), snapshot, time);
    }
    this.#armTimer(this.#read());
    return restored.length;
  }

  /**
   * Removes session `id`: its timers are cancelled and no callback fires. Inside one of
   * its callbacks, the rest of that dispatch is skipped and events queued for it are
   * dropped. Returns whether the fleet held it.
   */
  remove(id: string): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined || this.#disposed) return false;
    this.#removeSlot(slot);
    this.#armTimer(this.#read());
    return true;
  }

  /**
   * Adds a status listener for every session of the fleet, on a session's rules: the
   * same object added twice is registered once, listeners are called in the order
   * added, one added during a dispatch is first called for the next event. Returns a
   * function that removes it.
   */
  addSessionStatusListener(listener: FleetStatusListener, options?: ListenerOptions): () => void {
    return this.#core.addStatusListener(listener, options);
  }

  /** Removes a status listener; one removed during a dispatch is not called again, even later in it. */
  removeSessionStatusListener(listener: FleetStatusListener): void {
    this.#core.removeStatusListener(listener);
  }

  /** Adds a participant listener, on the rules of `addSessionStatusListener`. Returns a function that removes it. */
  addParticipantEventListener(listener: FleetParticipantListener, options?: ListenerOptions): () => void {
    return this.#core.addParticipantListener(listener, options);
  }

  /** Removes a participant listener; one removed during a dispatch is not called again, even later in it. */
  removeParticipantEventListener(listener: FleetParticipantListener): void {
    this.#core.removeParticipantListener(listener);
  }

  /**
   * Stops the fleet: its timer is cancelled, listeners are dropped and no callback fires
   * again, not even the rest of a dispatch under way. The sessions stay readable
   * (`state`, `persist`, …) as they were, so a server can `dispose()` and then save them.
   * Afterwards, as for a disposed `CallSession`, nothing throws and nothing changes:
   * `send` (even a malformed event), `add`, `restore` (which returns 0) and `remove` (false)
   * are ignored, `can` is false, and a listener added is never called.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#cancelTimer();
    this.#heap.clear();
    this.#queue.length = 0;
    this.#core.clear();
  }

  // ---------------------------------------------------------------------------------

  #slotFor(id: string): number {
    const slot = this.#slotOf.get(id);
    if (slot !== undefined) return slot;
    checkId(id);
    throw new RangeError(`The fleet holds no session ${JSON.stringify(id)}`);
  }

  #snapshotOf(id: string): CallSessionSnapshot {
    return this.#snapshots[this.#slotFor(id)]!;
  }

  /** One frozen settings object per value: a million restored sessions share a few. */
  #share(settings: SessionSettings): SessionSettings {
    const key = settingsKey(settings);
    const shared = this.#sharedSettings.get(key);
    if (shared) return shared;
    this.#sharedSettings.set(key, settings);
    return settings;
  }

  /**
   * `settings` checked (a frozen copy). The builder's settings are frozen, so the same
   * object given again (the common case: one constant for every session) is not checked
   * again.
   */
  #checkedSettings(settings: SessionSettings | undefined): SessionSettings {
    if (settings === undefined) return this.#defaultSettings;
    if (settings === this.#lastGiven) return this.#lastChecked!;
    const checked = checkSettings(settings);
    if (Object.isFrozen(settings)) {
      this.#lastGiven = settings;
      this.#lastChecked = checked;
    }
    return checked;
  }

  #initialSnapshot(settings: SessionSettings): CallSessionSnapshot {
    // The same settings object as last time (the fleet's default, or the app's one
    // constant): no key to build.
    if (settings === this.#lastSettings) return this.#lastInitial!;
    const key = settingsKey(settings);
    let snapshot = this.#initialSnapshots.get(key);
    if (!snapshot) {
      snapshot = this.#chart.initialSnapshot({ settings: this.#share(settings) }, this.#now);
      this.#initialSnapshots.set(key, snapshot);
    }
    this.#lastSettings = settings;
    this.#lastInitial = snapshot;
    return snapshot;
  }

  #restorable(persisted: unknown, now: number, settings: SessionSettings | undefined): CallSessionSnapshot {
    let override = settings;
    if (override === undefined && typeof persisted === 'object' && persisted !== null) {
      // The saved settings, shared: the same values, so the same session.
      try {
        override = this.#share(checkSettings((persisted as { settings?: unknown }).settings));
      } catch {
        // restorableSnapshot reports it
      }
    }
    return restorableSnapshot(persisted, now, override);
  }

  #insert(id: string, snapshot: CallSessionSnapshot): number {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) {
      this.#ids.push(id);
      this.#snapshots.push(snapshot);
      this.#deadlines.push(undefined);
      this.#generations.push(0);
      this.#slotOf.set(id, this.#ids.length - 1);
      return this.#ids.length - 1;
    }
    this.#ids[slot] = id;
    this.#snapshots[slot] = snapshot;
    this.#slotOf.set(id, slot);
    return slot;
  }

  #removeSlot(slot: number): void {
    const base = slot * TIMERS;
    for (let k = 0; k < TIMERS; k++) this.#heap.delete(base + k);
    this.#slotOf.delete(this.#ids[slot]!);
    this.#ids[slot] = undefined;
    this.#snapshots[slot] = undefined;
    this.#deadlines[slot] = undefined;
    this.#generations[slot]!++;
    this.#freeSlots.push(slot);
    // Removed from inside its own callbacks: the rest of that dispatch is skipped.
    if (slot === this.#dispatchingSlot) this.#core.abortDispatch();
  }

  /**
   * Re-arms a restored session's timers, as `rearmDelayedTransitions` does for an actor:
   * each delay computed by the chart at the clock's `#now`, due that long after `time`,
   * both read when the timers are armed.
   */
  #arm(slot: number, snapshot: CallSessionSnapshot, time: number): void {
    for (const { eventType, delay } of this.#chart.pendingDelays(snapshot, this.#now)) {
      this.#heap.set(slot * TIMERS + timerIndex(eventType), time + delay!);
    }
  }

  /**
   * Reads the clock: `#now` (what the chart reads) and the fleet's time, which it returns.
   * The rule (docs/semantics.md, "One rule for time"): a timer counts the time that
   * passes, as an actor's `setTimeout` does, so a step of the wall clock moves no pending
   * timer; only the chart, when it computes a delay from a deadline, reads the wall clock.
   * On the default clock the fleet's time is `performance.now()`. On a clock of the app's,
   * which has nothing but `now()`, a reading that went back is taken as no time passing
   * (the fleet's time stands still), and a wake-up of the real timer as at least the
   * delay it was set for (`#onTimer`).
   */
  #read(): number {
    const clock = this.#clock;
    this.#now = clock.now();
    const time = clock.elapsed() + this.#offset;
    if (time >= this.#time) return (this.#time = time);
    this.#offset += this.#time - time;
    return this.#time;
  }

  /** One event through the chart's pure transition, its timers into the heap, then its callbacks. */
  #transition(slot: number, event: CallSessionEvent, at?: number): void {
    const previous = this.#snapshots[slot]!;
    // A final session ignores everything.
    if (previous.status !== 'active') return;
    const now = at ?? this.#read();
    const delayed = this.#delayed;
    delayed.length = 0;
    const next = this.#chart.transition(previous, event, this.#now, delayed);
    const base = slot * TIMERS;
    const heap = this.#heap;
    for (let i = 0; i < delayed.length; i++) {
      const { eventType, delay } = delayed[i]!;
      if (delay === null) heap.delete(base + timerIndex(eventType));
      else heap.set(base + timerIndex(eventType), now + delay);
    }
    this.#armTimer(now);
    if (next === previous) return;
    this.#snapshots[slot] = next;
    this.#dispatch(slot, previous, next);
    if (this.#removeOnEnd && next.status !== 'active' && this.#snapshots[slot] === next) {
      this.#removeSlot(slot);
      this.#armTimer(now);
    }
  }

  /** Handles the events sent from inside callbacks, in order, then a timer that came due during them. */
  #drain(): void {
    const queue = this.#queue;
    for (let head = 0; head < queue.length; head += 3) {
      const slot = queue[head] as number;
      if (!this.#disposed && this.#generations[slot] === queue[head + 1]) {
        this.#transition(slot, queue[head + 2] as CallSessionEvent);
      }
    }
    queue.length = 0;
    if (this.#wakeDuringDispatch) {
      this.#wakeDuringDispatch = false;
      this.#onTimer();
    }
  }

  #dispatch(slot: number, previous: CallSessionSnapshot, next: CallSessionSnapshot): void {
    const callbacks = callbacksBetween(previous, next);
    if (callbacks.length === 0) return;
    this.#dispatchingSlot = slot;
    try {
      this.#core.dispatch(callbacks, this.#ids[slot]!);
    } finally {
      this.#dispatchingSlot = -1;
    }
  }

  // ---------------------------------------------------------------------------------
  // The one real timer.

  /** Makes sure the real timer runs by the earliest due time; stops it when no timer is set. */
  #armTimer(now: number): void {
    if (this.#disposed || this.#firing) return;
    const due = this.#heap.peekDue();
    if (due === Infinity) {
      // Nothing to wait for: a pending timer would keep the process alive for nothing.
      this.#cancelTimer();
      return;
    }
    // The timer set runs early enough, unless the clock has passed the time it was set
    // for (a clock stepped forwards, whose timer still waits the old duration; or a
    // busy event loop): then it is set again, at most once per millisecond.
    if (this.#timerKind !== TimerKind.None && this.#timerAt <= due && now <= this.#timerAt) return;
    this.#cancelTimer();
    const delay = due - now;
    if (delay <= 0) {
      this.#yieldNow(now);
      return;
    }
    const ms = Math.min(delay, MAX_TIMER_MS);
    this.#timer = this.#clock.setTimeout(this.#wake, ms);
    this.#timerKind = TimerKind.Timeout;
    this.#timerAt = now + ms;
  }

  /** Runs the next wake-up as soon as the event loop has turned once. */
  #yieldNow(now: number): void {
    if (this.#clock.immediate) {
      this.#timer = globalThis.setImmediate(this.#wake);
      this.#timerKind = TimerKind.Immediate;
    } else {
      this.#timer = this.#clock.setTimeout(this.#wake, 0);
      this.#timerKind = TimerKind.Timeout;
    }
    this.#timerAt = now;
  }

  #cancelTimer(): void {
    if (this.#timerKind === TimerKind.Timeout) this.#clock.clearTimeout(this.#timer);
    else if (this.#timerKind === TimerKind.Immediate) globalThis.clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
    this.#timerKind = TimerKind.None;
    this.#timerAt = Infinity;
  }

  /** A wake-up: fires at most one batch of due timers, in due order, then waits or yields. */
  #onTimer(): void {
    if (this.#disposed) return;
    let now = this.#read();
    // The real timer waited the whole delay it was set for: a fleet's time that says less
    // has a clock set back meanwhile under it (a clock of the app's, or fake timers that
    // do not move performance.now()). It is at least the time the timer was set for.
    if (this.#timerKind === TimerKind.Timeout && now < this.#timerAt - TIMER_ROUNDING_MS) {
      this.#offset += this.#timerAt - now;
      now = this.#time = this.#timerAt;
    }
    this.#timer = undefined;
    this.#timerKind = TimerKind.None;
    this.#timerAt = Infinity;
    // The clock was moved from inside a callback: the timers fire once the dispatch ends.
    if (this.#core.dispatching) {
      this.#wakeDuringDispatch = true;
      return;
    }
    const heap = this.#heap;
    this.#firing = true;
    try {
      for (let fired = 0; fired < this.#batch && heap.peekDue() <= now; fired++) {
        const handle = heap.pop();
        const slot = (handle / TIMERS) | 0;
        this.#transition(slot, TIMER_EVENTS[handle - slot * TIMERS]!, now);
        this.#drain();
        if (this.#disposed) return;
        now = this.#read();
      }
    } finally {
      this.#firing = false;
    }
    this.#armTimer(now);
  }
}

function timerIndex(eventType: string): number {
  const index = TIMER_INDEX.get(eventType);
  if (index === undefined) throw new Error(`unreachable: ${eventType} is not a delayed event of the chart`);
  return index;
}

/**
 * Creates an empty fleet of call sessions (see `CallSessionFleet`).
 *
 * @example
 * ```ts
 * import { SessionSettingsBuilder } from 'call-session-machine';
 * import { createCallSessionFleet } from 'call-session-machine/fleet';
 *
 * const fleet = createCallSessionFleet({
 *   settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(120).build(),
 * });
 * fleet.addSessionStatusListener({ onSessionTimedOut: (room) => console.log(`${room}: alone too long`) });
 * fleet.add('room-42');
 * fleet.join('room-42');
 * fleet.send('room-42', { type: 'session.joined' }); // alone: the 120 s countdown starts
 * ```
 */
export function createCallSessionFleet(options?: CallSessionFleetOptions): CallSessionFleet {
  return new CallSessionFleet(options);
}
