import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CallSessionEvent, SessionSettings } from '../../machines/callSession.types.js';
import { DEFAULT_SESSION_SETTINGS } from '../../machines/callSession.types.js';
import { checkSettings } from '../../machines/settings.js';
import { parseEvent } from '../core/events.js';
import type { FleetParticipantListener, FleetStatusListener } from '../fleet/fleet.js';
import type { ListenerOptions } from '../core/listeners.js';
import { SessionCore } from '../core/sessionCore.js';
import type { PersistedCallSession } from '../persistence/restore.js';
import type { CallSessionState } from '../core/sessionView.js';
import {
  deadlineOfJobId,
  jobIdOf,
  newIncarnation,
  liveSessionOf,
  parseRecord,
  persistedOf,
  serializeRecord,
  SessionStepper,
  versionOf,
  type DeadlineJobData,
  type LiveSession,
  type StoredTimer,
  type UpdateResult,
} from './record.js';

/** Redis connection options, as ioredis's `RedisOptions` takes them (`host`, `port`, `db`, `password`, `tls`, …). */
export interface DurableRedisOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  /** The database number; default 0. */
  db?: number;
  /** For Redis ACLs. */
  username?: string;
  /** `AUTH` password. */
  password?: string;
  /** Any other ioredis option (`tls`, `connectTimeout`, …). */
  [option: string]: unknown;
}

/** What `createDurableFleet` takes. Only `connection` is required. */
export interface DurableFleetOptions {
  /** Redis: a URL (`redis://127.0.0.1:6379/0`) or ioredis connection options. */
  connection: string | DurableRedisOptions;
  /**
   * The prefix of every key, default `csm`: a session is `<prefix>:s:<id>`, and the
   * deadline jobs are BullMQ's queue `deadlines` under the same prefix. On a Redis
   * Cluster give a hash tag, `{csm}`, so that all of them share one slot.
   */
  prefix?: string;
  /** The settings sessions are added with when `add` is given none; default 300 s idle, 60 s reconnect bound. */
  settings?: SessionSettings;
  /** Whether this process runs a BullMQ worker for due deadlines; default `true`. `false`: it only sends events. */
  worker?: boolean;
  /** How many deadline jobs this process handles at once, over up to 8 BullMQ workers of 8 each; default 16. */
  concurrency?: number;
  /** `true`: a session that reaches a final state is deleted from Redis in the same step, after… its callbacks still run. Default `false`. */
  removeOnEnd?: boolean;
  /** Told of every error a listener throws; default `console.error`. */
  onListenerError?: (error: unknown) => void;
  /** Told of errors in the background (a deadline job that failed, the Redis connection); default `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * How long `createDurableFleet` waits for Redis before it rejects, naming the last
   * connection error; default 10,000 ms. Until then the connection's retries are not
   * reported one by one.
   */
  connectTimeoutMs?: number;
  /**
   * Called after every stored transition of a session (events and deadlines alike),
   * in the process that stored it, before its callbacks: the new version and the
   * session. For mirroring the state elsewhere (a cache, a push to clients).
   */
  onStored?: (id: string, version: number, session: PersistedCallSession) => void;
  /**
   * The time deadlines are computed on; default `Date.now()`. Every process on one
   * Redis must read the same time (BullMQ waits real milliseconds until `due - now()`).
   * For tests.
   */
  clock?: {
    /** The time now, in ms. */
    now(): number;
  };
}

/** What `fleet.add(id, options)` takes. */
export interface DurableSessionOptions {
  /** The session's settings; default the fleet's. With `snapshot`: the settings for countdowns started from now on. */
  settings?: SessionSettings;
  /** A session saved by `getPersistedSnapshot` (of a `CallSession`, a fleet or this) to restore, its countdowns scheduled. */
  snapshot?: PersistedCallSession;
}

/** A session as Redis holds it. */
export interface DurableSession {
  /** The session id. */
  readonly id: string;
  /** Bumped by every stored transition; 1 when added. */
  readonly version: number;
  /** The session in the `getPersistedSnapshot` format. */
  readonly session: PersistedCallSession;
}

/** What `send` resolves with: the session as stored after the event. */
export interface DurableSendResult extends DurableSession {
  /** Whether the event (or a deadline due before it) changed the session; `false`: ignored, nothing written. */
  readonly changed: boolean;
}

interface Peers {
  Queue: typeof Queue;
  Worker: typeof Worker;
  DelayedError: new (message?: string) => Error;
  Redis: typeof Redis;
}

async function loadPeers(): Promise<Peers> {
  try {
    const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
    return { Queue: bullmq.Queue, Worker: bullmq.Worker, DelayedError: bullmq.DelayedError, Redis: ioredis.Redis };
  } catch (error) {
    throw new Error(
      'call-session-machine/durable runs on its optional peers bullmq and ioredis: npm install bullmq ioredis',
      { cause: error },
    );
  }
}

/**
 * Compare-and-set on the version in front of the stored value: stores ARGV[2] (or
 * deletes the key when it is empty) only if the version is still ARGV[1]. Returns 1
 * when stored, 0 on a conflict, -1 when the session is gone.
 */
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if string.sub(current, 1, string.find(current, ' ', 1, true) - 1) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
`;

type CasRedis = Redis & { csmCas(key: string, version: string, value: string): Promise<number> };

const QUEUE_NAME = 'deadlines';
const JOB_NAME = 'd';
/** A job whose handling failed (Redis unreachable mid-update) is tried again, 1 s apart, for about 10 minutes. */
const MAX_ATTEMPTS = 600;
const BACKOFF = { type: 'fixed', delay: 1000 };
/** The jobs one BullMQ worker handles at once; `concurrency` is split over this many per worker, at most MAX_WORKERS. */
const JOBS_PER_WORKER = 8;
const MAX_WORKERS = 8;
/** Kept small: nothing of the package reads BullMQ's event stream. */
const EVENTS_MAX_LEN = 1000;

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(`A durable session id must be a non-empty string; got ${describe(id)}`);
  }
  return id;
}

/** Where Redis's and BullMQ's own errors go without `onError`: they are not a listener's. */
function logInfrastructureError(error: unknown): void {
  console.error('call-session-machine/durable:', error);
}

function checkOptions(options: unknown): DurableFleetOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createDurableFleet takes an options object with a connection; got ${describe(options)}`);
  }
  const { connection, prefix, worker, concurrency, removeOnEnd, onListenerError, onError, onStored, clock } =
    options as DurableFleetOptions;
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
    throw new TypeError(`connection must be a Redis URL or ioredis options; got ${describe(connection)}`);
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || prefix.includes(' '))) {
    throw new TypeError(`prefix must be a non-empty string without spaces; got ${describe(prefix)}`);
  }
  if (worker !== undefined && typeof worker !== 'boolean') throw new TypeError('worker must be a boolean');
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new RangeError(`concurrency must be an integer of at least 1; got ${String(concurrency)}`);
  }
  if (removeOnEnd !== undefined && typeof removeOnEnd !== 'boolean')
    throw new TypeError('removeOnEnd must be a boolean');
  for (const [name, value] of [
    ['onListenerError', onListenerError],
    ['onError', onError],
    ['onStored', onStored],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function`);
  }
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw new TypeError('clock must have a now() function');
  }
  const { connectTimeoutMs } = options as DurableFleetOptions;
  if (
    connectTimeoutMs !== undefined &&
    (typeof connectTimeoutMs !== 'number' || !Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0)
  ) {
    throw new RangeError(
      `connectTimeoutMs must be a positive number of milliseconds; got ${describe(connectTimeoutMs)}`,
    );
  }
  return options as DurableFleetOptions;
}

/** One update's outcome for the caller: stored, ignored (nothing changed), or a job that is not due yet. */
type Outcome =
  | { kind: 'stored' | 'unchanged'; session: DurableSession }
  /** A deadline job to hand back to BullMQ for `wait` ms: not due yet, or its session not stored yet. */
  | { kind: 'later'; wait: number }
  | null;

/** A deadline job as the worker received it: its data, and how long ago (real ms) it was added. */
interface DeliveredJob {
  readonly data: DeadlineJobData;
  readonly age: number;
}

/**
 * The jobs of a transition are added before it is stored, so a job due at once can
 * reach a worker before its session holds it. Such a job is handed back for this long
 * and looked at again; one still not stored after ORPHAN_AGE_MS belongs to a transition
 * that never was (its process died, or lost the compare-and-set) and does nothing.
 */
const NOT_YET_STORED_WAIT_MS = 25;
const ORPHAN_AGE_MS = 30_000;

/**
 * Call sessions whose truth lives in Redis, shared by any number of processes (SPEC
 * §11). Each session is its persisted snapshot with a version; an event reads it, runs
 * the chart's pure transition and stores the result by compare-and-set on the version,
 * retrying on a conflict. Every running deadline is one BullMQ delayed job, and the
 * worker that receives it re-reads the session first. Callbacks are a fleet's, with the
 * session id first, run in the process that stored the transition, after it is stored.
 * Create one with `createDurableFleet`.
 */
export class DurableCallSessionFleet {
  readonly #redis: CasRedis;
  readonly #queue: Queue;
  readonly #workers: Worker[] = [];
  readonly #workerRedis: Redis[] = [];
  readonly #DelayedError: Peers['DelayedError'];
  readonly #prefix: string;
  readonly #defaultSettings: SessionSettings;
  readonly #removeOnEnd: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #onStored: DurableFleetOptions['onStored'];
  readonly #now: () => number;
  readonly #stepper = new SessionStepper();
  readonly #core: SessionCore<FleetStatusListener, FleetParticipantListener>;
  /**
   * The last value this process read or stored of each session, and its parse: a value
   * unchanged byte for byte is not parsed again. (Not the version alone: a session
   * removed and added again starts at version 1 again.)
   */
  readonly #cache = new Map<string, { raw: string; live: LiveSession }>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  /** @internal Use `createDurableFleet`. */
  constructor(peers: Peers, options: DurableFleetOptions) {
    const {
      connection,
      prefix,
      settings,
      worker,
      concurrency,
      removeOnEnd,
      onListenerError,
      onError,
      onStored,
      clock,
    } = options;
    this.#prefix = prefix ?? 'csm';
    this.#defaultSettings = settings === undefined ? DEFAULT_SESSION_SETTINGS : checkSettings(settings);
    this.#removeOnEnd = removeOnEnd ?? false;
    this.#core = new SessionCore(onListenerError);
    this.#onError = onError ?? logInfrastructureError;
    this.#onStored = onStored;
    this.#now = clock ? () => clock.now() : Date.now;
    this.#DelayedError = peers.DelayedError;
    // Every connection (and BullMQ's duplicates of them, which copy the options) stops
    // retrying once the fleet is abandoned: a fleet that never connected must not keep
    // the process alive.
    const ownRetry =
      typeof connection === 'object' ? (connection as { retryStrategy?: unknown }).retryStrategy : undefined;
    const retryStrategy = (times: number): number | null =>
      this.#abandoned
        ? null
        : typeof ownRetry === 'function'
          ? (ownRetry as (times: number) => number | null)(times)
          : Math.min(times * 50, 2_000);
    const redisOf = (extra: object): Redis =>
      typeof connection === 'string'
        ? new peers.Redis(connection, { retryStrategy, ...extra })
        : new peers.Redis({ ...(connection as object), retryStrategy, ...extra });
    this.#redis = redisOf({}) as CasRedis;
    this.#redis.defineCommand('csmCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    this.#redis.on('error', (error: unknown) => this.#report(error));
    this.#queue = new peers.Queue(QUEUE_NAME, {
      connection: this.#redis,
      prefix: this.#prefix,
      streams: { events: { maxLen: EVENTS_MAX_LEN } },
    });
    this.#queue.on('error', (error: unknown) => this.#report(error));
    if (worker ?? true) {
      // A BullMQ worker fetches its jobs one after another, each fetch a write that waits
      // for Redis's fsync; several workers fetch side by side. Each blocks on its own
      // connection, retrying forever.
      const total = concurrency ?? 16;
      const count = Math.min(MAX_WORKERS, Math.ceil(total / JOBS_PER_WORKER));
      for (let i = 0; i < count; i++) {
        const connection = redisOf({ maxRetriesPerRequest: null });
        connection.on('error', (error: unknown) => this.#report(error));
        const bullWorker = new peers.Worker(QUEUE_NAME, (job, token) => this.#onDeadline(job, token), {
          connection,
          prefix: this.#prefix,
          concurrency: Math.ceil(total / count),
          autorun: true,
        });
        bullWorker.on('error', (error: unknown) => this.#report(error));
        bullWorker.on('failed', (_job: unknown, error: unknown) => this.#report(error));
        this.#workerRedis.push(connection);
        this.#workers.push(bullWorker);
      }
    }
  }

  /** @internal Resolves once the connections (and the worker) are up. */
  async ready(): Promise<void> {
    await this.#queue.waitUntilReady();
    await Promise.all(this.#workers.map((bullWorker) => bullWorker.waitUntilReady()));
  }

  /**
   * Adds session `id` in `idle`, or restored from `options.snapshot` with its running
   * countdowns scheduled (a deadline that passed while stored is applied by the next
   * worker or event). Fires no callback. Rejects with a `RangeError` when Redis already
   * holds `id`, a `TypeError` for a bad id, settings or snapshot; nothing changes then.
   */
  add(id: string, options?: DurableSessionOptions): Promise<void> {
    return this.#track(this.#add(id, options));
  }

  async #add(id: string, options: DurableSessionOptions | undefined): Promise<void> {
    this.#checkOpen();
    checkId(id);
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`add options must be an object like { settings, snapshot }; got ${describe(options)}`);
    }
    const { settings, snapshot } = options ?? {};
    const now = this.#now();
    const incarnation = newIncarnation();
    let live: LiveSession;
    if (snapshot === undefined) {
      const checked = settings === undefined ? this.#defaultSettings : checkSettings(settings);
      live = { version: 1, incarnation, at: now, snapshot: this.#stepper.initial(checked), timers: [] };
    } else {
      const override = settings === undefined ? undefined : checkSettings(settings);
      const restored = this.#stepper.restore(snapshot, now, override);
      live = { version: 1, incarnation, at: now, ...restored };
    }
    // The jobs first: a process killed before the session is stored leaves only jobs
    // that find no session, never a session whose deadline has no job.
    await this.#addJobs(id, incarnation, live.timers);
    const value = serializeRecord(1, incarnation, now, live.timers, persistedOf(live.snapshot));
    const stored = await this.#redis.set(this.#key(id), value, 'NX');
    if (stored !== 'OK') throw new RangeError(`Redis already holds a durable session ${JSON.stringify(id)}`);
    this.#remember(id, value, live);
  }

  /** Sends `session.join` to session `id`, with `sessionId` (default: the fleet id). */
  join(id: string, sessionId: string = id): Promise<DurableSendResult> {
    return this.send(id, { type: 'session.join', sessionId });
  }

  /** Sends `session.leave` to session `id`. */
  leave(id: string): Promise<DurableSendResult> {
    return this.send(id, { type: 'session.leave' });
  }

  /** Sends `idle.extend` ("Stay") to session `id`. */
  extendIdleTimeout(id: string): Promise<DurableSendResult> {
    return this.send(id, { type: 'idle.extend' });
  }

  /**
   * Sends any event of SPEC §2 to session `id` and resolves once the result is stored
   * (and its callbacks have run), with the session as stored. Deadlines of the session
   * that are already due are applied first, in due order. An event the state does not
   * take, or any event to a session in a final state, is ignored: nothing is written.
   * Rejects with a `TypeError` for a malformed event and a `RangeError` for an unknown
   * id; nothing changes then.
   */
  send(id: string, event: CallSessionEvent): Promise<DurableSendResult> {
    return this.#track(this.#send(id, event));
  }

  async #send(id: string, event: CallSessionEvent): Promise<DurableSendResult> {
    this.#checkOpen();
    checkId(id);
    const parsed = parseEvent(event);
    const outcome = await this.#update(id, parsed, null);
    if (outcome === null) throw new RangeError(`Redis holds no durable session ${JSON.stringify(id)}`);
    if (outcome.kind === 'later') throw new Error('unreachable: an event is never handed back');
    return { ...outcome.session, changed: outcome.kind === 'stored' };
  }

  /** Session `id` as stored; `undefined` when Redis holds none. */
  async get(id: string): Promise<DurableSession | undefined> {
    checkId(id);
    const raw = await this.#redis.get(this.#key(id));
    if (raw === null) return undefined;
    return { id, version: versionOf(raw), session: parseRecord(raw).persisted };
  }

  /** Session `id`'s state; rejects with a `RangeError` when Redis holds none. */
  async state(id: string): Promise<CallSessionState> {
    const stored = await this.get(id);
    if (stored === undefined) throw new RangeError(`Redis holds no durable session ${JSON.stringify(id)}`);
    return stored.session.state;
  }

  /** Whether Redis holds session `id`. */
  async has(id: string): Promise<boolean> {
    checkId(id);
    return (await this.#redis.exists(this.#key(id))) === 1;
  }

  /** Deletes session `id` and its deadline jobs; no callback fires. Resolves with whether Redis held it. */
  remove(id: string): Promise<boolean> {
    return this.#track(this.#remove(id));
  }

  async #remove(id: string): Promise<boolean> {
    this.#checkOpen();
    checkId(id);
    for (;;) {
      const raw = await this.#redis.get(this.#key(id));
      if (raw === null) return false;
      const record = parseRecord(raw);
      const result = await this.#redis.csmCas(this.#key(id), String(record.version), '');
      if (result === 0) continue;
      this.#cache.delete(id);
      if (result === 1) await this.#removeJobs(id, record.incarnation, record.timers, undefined);
      return result === 1;
    }
  }

  /**
   * Adds a status listener for every session, on a `CallSession`'s rules (the same
   * object twice is registered once, called in the order added). It hears the
   * transitions this process stores. Returns a function that removes it.
   */
  addSessionStatusListener(listener: FleetStatusListener, options?: ListenerOptions): () => void {
    return this.#core.addStatusListener(listener, options);
  }

  /** Removes a status listener. */
  removeSessionStatusListener(listener: FleetStatusListener): void {
    this.#core.removeStatusListener(listener);
  }

  /** Adds a participant listener, on the rules of `addSessionStatusListener`. Returns a function that removes it. */
  addParticipantEventListener(listener: FleetParticipantListener, options?: ListenerOptions): () => void {
    return this.#core.addParticipantListener(listener, options);
  }

  /** Removes a participant listener. */
  removeParticipantEventListener(listener: FleetParticipantListener): void {
    this.#core.removeParticipantListener(listener);
  }

  /**
   * Resolves once no update this process started (events, `add`, `remove`, deadlines
   * its worker took) is under way: their results are stored and their callbacks have
   * run. For tests and for a graceful shutdown.
   */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Stops this process's part: the worker takes no new deadline (those under way
   * finish), updates under way finish, then the connections close and listeners are
   * dropped. The sessions and their jobs stay in Redis for the other processes.
   * Afterwards every method rejects.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((bullWorker) => bullWorker.close()));
    await Promise.allSettled([...this.#pending]);
    await this.#queue.close();
    this.#core.clear();
    await Promise.allSettled([this.#redis.quit(), ...this.#workerRedis.map((connection) => connection.quit())]);
  }

  // ---------------------------------------------------------------------------------

  #key(id: string): string {
    return `${this.#prefix}:s:${id}`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('This DurableCallSessionFleet is closed');
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked;
  }

  #remember(id: string, raw: string, live: LiveSession): void {
    const cache = this.#cache;
    cache.delete(id);
    cache.set(id, { raw, live });
    // Bounded: the oldest entry goes first.
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
  }

  /** The stored session at `raw`'s version: from the cache when this process has seen that version. */
  #live(id: string, raw: string): LiveSession {
    const cached = this.#cache.get(id);
    if (cached?.raw === raw) return cached.live;
    const live = liveSessionOf(parseRecord(raw));
    this.#remember(id, raw, live);
    return live;
  }

  /**
   * Read, transition, compare-and-set, retried until it stores or there is nothing to
   * store. `job`: a deadline delivered by BullMQ, run only if the session still has
   * that timer; `null` otherwise. Resolves `null` when the session does not exist.
   */
  async #update(id: string, event: CallSessionEvent | null, delivered: DeliveredJob | null): Promise<Outcome> {
    const key = this.#key(id);
    const job = delivered?.data ?? null;
    const young = delivered !== null && delivered.age < ORPHAN_AGE_MS;
    for (;;) {
      const raw = await this.#redis.get(key);
      if (raw === null) return young ? { kind: 'later', wait: NOT_YET_STORED_WAIT_MS } : null;
      const live = this.#live(id, raw);
      const now = this.#now();
      if (job !== null) {
        // Another incarnation: the session was removed (and maybe added again) since.
        if (job.n !== live.incarnation) return { kind: 'unchanged', session: this.#stored(id, live) };
        const timer = live.timers.find((t) => t.k === job.k && t.v === job.v && t.due === job.d);
        if (timer === undefined) {
          if (young && live.version < job.v) return { kind: 'later', wait: NOT_YET_STORED_WAIT_MS };
          // Stale: the countdown moved or stopped since the job was added.
          return { kind: 'unchanged', session: this.#stored(id, live) };
        }
        if (timer.due > now) return { kind: 'later', wait: timer.due - now };
      }
      const result = this.#stepper.update(live, event, now);
      if (!result.changed) return { kind: 'unchanged', session: this.#stored(id, live) };
      await this.#addJobs(id, live.incarnation, result.added);
      const ended = result.snapshot.status !== 'active';
      const persisted = persistedOf(result.snapshot);
      const value =
        this.#removeOnEnd && ended
          ? ''
          : serializeRecord(result.version, live.incarnation, result.at, result.timers, persisted);
      const stored = await this.#redis.csmCas(key, String(live.version), value);
      if (stored === -1) return null;
      // A conflict: the jobs just added are left to find a newer version and do nothing,
      // since one of the same id may be the winner's.
      if (stored === 0) continue;
      if (value === '') this.#cache.delete(id);
      else
        this.#remember(id, value, {
          version: result.version,
          incarnation: live.incarnation,
          at: result.at,
          snapshot: result.snapshot,
          timers: result.timers,
        });
      const session: DurableSession = { id, version: result.version, session: persisted };
      this.#afterStore(id, result, session);
      await this.#removeJobs(id, live.incarnation, result.removed, job);
      return { kind: 'stored', session };
    }
  }

  #stored(id: string, live: LiveSession): DurableSession {
    return { id, version: live.version, session: persistedOf(live.snapshot) };
  }

  async #addJobs(id: string, incarnation: string, timers: readonly StoredTimer[]): Promise<void> {
    if (timers.length === 0) return;
    const now = this.#now();
    const jobs = timers.map((timer) => ({
      name: JOB_NAME,
      data: null,
      opts: {
        jobId: jobIdOf(id, incarnation, timer),
        delay: Math.max(0, timer.due - now),
        removeOnComplete: true,
        removeOnFail: 1000,
        attempts: MAX_ATTEMPTS,
        backoff: BACKOFF,
      },
    }));
    if (jobs.length === 1) await this.#queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
    else await this.#queue.addBulk(jobs);
  }

  /** Removes the jobs of timers gone; the one being handled completes by itself, and one locked elsewhere finds nothing to do. */
  async #removeJobs(
    id: string,
    incarnation: string,
    timers: readonly StoredTimer[],
    handling: DeadlineJobData | null | undefined,
  ): Promise<void> {
    const ids: string[] = [];
    for (const timer of timers) {
      if (handling && handling.k === timer.k && handling.v === timer.v && handling.d === timer.due) continue;
      ids.push(jobIdOf(id, incarnation, timer));
    }
    if (ids.length === 0) return;
    try {
      await Promise.all(ids.map((jobId) => this.#queue.remove(jobId)));
    } catch (error) {
      // The session is stored; a job left behind is stale and will do nothing.
      this.#report(error);
    }
  }

  async #onDeadline(job: Job, token: string | undefined): Promise<void> {
    const data = deadlineOfJobId(job.id ?? '');
    if (data === undefined) {
      this.#report(new Error(`call-session-machine/durable: ${String(job.id)} is no deadline job; ignored`));
      return;
    }
    const outcome = await this.#track(this.#update(data.i, null, { data, age: Date.now() - job.timestamp }));
    if (outcome?.kind === 'later') {
      // Not due by this process's clock (clocks apart, a job promoted early), or its
      // session not stored yet: BullMQ holds it again.
      await job.moveToDelayed(Date.now() + outcome.wait, token);
      throw new this.#DelayedError();
    }
  }

  #afterStore(id: string, result: UpdateResult, session: DurableSession): void {
    if (this.#onStored) {
      try {
        this.#onStored(id, session.version, session.session);
      } catch (error) {
        this.#core.report(error);
      }
    }
    for (const callbacks of result.callbacks) this.#core.dispatch(callbacks, id);
  }

  /** While connecting, the last connection error, kept for the rejection instead of reported. */
  #connecting = true;
  #abandoned = false;
  #lastConnectError: unknown = undefined;

  /** @internal Cuts every connection at once, retries included (a fleet that never connected). */
  disconnectNow(): void {
    this.#abandoned = true;
    for (const connection of [this.#redis, ...this.#workerRedis]) connection.disconnect(false);
    // BullMQ's own connections (a worker's blocking one is a duplicate of ours).
    for (const closable of [this.#queue, ...this.#workers]) closable.disconnect().catch(() => undefined);
  }

  /** @internal The last connection error, once connecting is over (createDurableFleet names it). */
  stopConnecting(): unknown {
    this.#connecting = false;
    return this.#lastConnectError;
  }

  #report(error: unknown): void {
    if (this.#connecting) {
      this.#lastConnectError = error;
      return;
    }
    // A fleet that never connected is torn down; the rejection carries the cause.
    if (this.#abandoned) return;
    try {
      this.#onError(error);
    } catch (reportError) {
      logInfrastructureError(reportError);
    }
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Creates a durable fleet on a Redis that any number of processes share (see
 * `DurableCallSessionFleet`), and resolves once it is connected and its worker runs.
 * Rejects when bullmq or ioredis cannot be imported, and with a `TypeError` for bad
 * options.
 *
 * @example
 * ```ts
 * import { SessionSettingsBuilder } from 'call-session-machine';
 * import { createDurableFleet } from 'call-session-machine/durable';
 *
 * const fleet = await createDurableFleet({
 *   connection: 'redis://127.0.0.1:6379',
 *   settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(120).build(),
 * });
 * fleet.addSessionStatusListener({ onSessionTimedOut: (room) => console.log(`${room}: alone too long`) });
 * await fleet.add('room-42');
 * await fleet.join('room-42');
 * await fleet.send('room-42', { type: 'session.joined' }); // alone: a 120 s BullMQ delayed job
 * ```
 */
export async function createDurableFleet(options: DurableFleetOptions): Promise<DurableCallSessionFleet> {
  const checked = checkOptions(options);
  if (checked.settings !== undefined) checkSettings(checked.settings);
  const peers = await loadPeers();
  const fleet = new DurableCallSessionFleet(peers, checked);
  const timeoutMs = checked.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timedOut'>((resolve) => {
    timer = setTimeout(() => resolve('timedOut'), timeoutMs);
  });
  let failure: unknown;
  try {
    if ((await Promise.race([fleet.ready().then(() => 'ready' as const), timedOut])) === 'ready') {
      fleet.stopConnecting();
      return fleet;
    }
    const last = fleet.stopConnecting();
    failure = new Error(
      `call-session-machine/durable: Redis not reachable within ${timeoutMs} ms` +
        (last === undefined ? '' : `; last error: ${last instanceof Error ? last.message : String(last)}`),
      { cause: last },
    );
  } catch (error) {
    fleet.stopConnecting();
    failure = error;
  } finally {
    clearTimeout(timer);
  }
  // A fleet that never connected may never finish closing (its commands wait for Redis):
  // its connections are cut first, so that no retry keeps the process alive.
  fleet.disconnectNow();
  await Promise.race([fleet.close(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  throw failure;
}
