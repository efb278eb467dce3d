/**
 * The server's state on Redis (`serve --redis URL`): the sessions and their deadlines in
 * call-session-machine/durable (SPEC §11: a compare-and-set per update, one BullMQ job
 * per deadline), the rooms and the event ids seen in plain Redis keys beside them. Any
 * number of `serve` processes share one Redis; a webhook may reach any of them.
 */
import type { Participant, SessionSettings } from '../index.js';
import { createDurableFleet, type DurableCallSessionFleet } from '../durable/index.js';
import type { SessionServerOptions } from './server.js';
import type { MemberRecord, RoomRecord, ServerStore, SessionEvents } from './store.js';
import type { ProviderName } from './types.js';

/** The few ioredis commands used here. */
interface RedisLike {
  set(key: string, value: string, ...args: (string | number)[]): Promise<string | null>;
  get(key: string): Promise<string | null>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  quit(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

const EVENT_MEMORY_SECONDS = 24 * 3600;
const ROOM_MEMORY_SECONDS = 24 * 3600;
const EMPTY_ROOM_SECONDS = 600;
/** A room's work (read, change, write) holds this lock; it expires on its own if the process dies holding it. */
const LOCK_MS = 30_000;
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

interface StoredRoom {
  roomSid?: string;
  members: [string, MemberRecord][];
  gone: [string, number][];
  finishedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RedisStore implements ServerStore {
  readonly #fleet: DurableCallSessionFleet;
  readonly #redis: RedisLike;
  readonly #prefix: string;

  constructor(fleet: DurableCallSessionFleet, redis: RedisLike, prefix: string, events: SessionEvents) {
    this.#fleet = fleet;
    this.#redis = redis;
    this.#prefix = prefix;
    fleet.addSessionStatusListener({
      onIdleTimeoutWarning: (key, secondsLeft) => {
        void fleet.get(key).then(
          (stored) =>
            events.onWarning(key, secondsLeft, stored?.session.idleDeadline ?? Date.now() + secondsLeft * 1000),
          () => events.onWarning(key, secondsLeft, Date.now() + secondsLeft * 1000),
        );
      },
      onSessionTimedOut: (key) => events.onTimedOut(key, Date.now()),
    });
  }

  async firstSighting(eventId: string): Promise<boolean> {
    return (await this.#redis.set(`${this.#prefix}:ev:${eventId}`, '1', 'EX', EVENT_MEMORY_SECONDS, 'NX')) === 'OK';
  }

  async withRoom<T>(room: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.#prefix}:lock:${room}`;
    const token = `${process.pid}:${Math.random()}`;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      if ((await this.#redis.set(key, token, 'PX', LOCK_MS, 'NX')) === 'OK') break;
      await sleep(wait);
    }
    try {
      return await work();
    } finally {
      await this.#redis.eval(UNLOCK, 1, key, token).catch(() => undefined);
    }
  }

  async getRoom(room: string): Promise<RoomRecord | undefined> {
    const raw = await this.#redis.get(`${this.#prefix}:room:${room}`);
    if (raw === null) return undefined;
    const stored = JSON.parse(raw) as StoredRoom;
    return {
      ...(stored.roomSid ? { roomSid: stored.roomSid } : {}),
      members: new Map(stored.members),
      gone: new Map(stored.gone),
      finishedAt: stored.finishedAt,
    };
  }

  async putRoom(room: string, record: RoomRecord): Promise<void> {
    const stored: StoredRoom = {
      ...(record.roomSid ? { roomSid: record.roomSid } : {}),
      members: [...record.members],
      gone: [...record.gone],
      finishedAt: record.finishedAt,
    };
    const ttl = record.members.size > 0 ? ROOM_MEMORY_SECONDS : EMPTY_ROOM_SECONDS;
    await this.#redis.set(`${this.#prefix}:room:${room}`, JSON.stringify(stored), 'EX', ttl);
  }

  async converge(key: string, others: readonly Participant[]): Promise<void> {
    const fleet = this.#fleet;
    let stored = await fleet.get(key);
    if (stored && !stored.session.state.startsWith('joined')) {
      await fleet.remove(key);
      stored = undefined;
    }
    if (!stored) {
      try {
        await fleet.add(key);
      } catch (error) {
        // Another process added it first: converge on what it stored.
        if (!(error instanceof RangeError)) throw error;
        return this.converge(key, others);
      }
      await fleet.join(key);
      await fleet.send(key, { type: 'session.joined', participants: [...others] });
      return;
    }
    const wanted = new Set(others.map((p) => p.pid));
    let present = stored.session.participants;
    for (const participant of present) {
      if (!wanted.has(participant.pid)) {
        present = (await fleet.send(key, { type: 'participant.left', participant })).session.participants;
      }
    }
    const have = new Set(present.map((p) => p.pid));
    for (const participant of others) {
      if (!have.has(participant.pid)) await fleet.send(key, { type: 'participant.joined', participant });
    }
  }

  async remove(key: string): Promise<void> {
    await this.#fleet.remove(key);
  }

  async extend(key: string): Promise<number | null> {
    const stored = await this.#fleet.get(key);
    if (!stored || stored.session.idleDeadline === null) return null;
    const result = await this.#fleet.extendIdleTimeout(key);
    return result.changed ? result.session.idleDeadline : null;
  }

  async idleDeadline(key: string): Promise<number | null> {
    return (await this.#fleet.get(key))?.session.idleDeadline ?? null;
  }

  async sessionCount(): Promise<number> {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${this.#prefix}:s:*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  async close(): Promise<void> {
    await this.#fleet.close();
    await this.#redis.quit().catch(() => undefined);
  }
}

/**
 * Connects to Redis for `serve --redis URL`: the durable fleet (its worker in this
 * process) and one connection for the rooms. Rejects when bullmq or ioredis is missing
 * or Redis cannot be reached.
 */
export async function connectRedisStore(
  url: string,
  provider: ProviderName,
  settings: SessionSettings,
): Promise<{ factory: NonNullable<SessionServerOptions['store']>; quit(): Promise<void> }> {
  const prefix = `csm:${provider}`;
  let reportError: (error: unknown) => void = () => {};
  const fleet = await createDurableFleet({
    connection: url,
    prefix,
    settings,
    onError: (error) => reportError(error),
    onListenerError: (error) => reportError(error),
  });
  const { Redis } = (await import('ioredis')) as unknown as { Redis: new (url: string) => RedisLike };
  const redis = new Redis(url);
  redis.on('error', (error) => reportError(error));
  let store: RedisStore | undefined;
  return {
    factory: (events, _settings, report) => {
      reportError = report;
      store = new RedisStore(fleet, redis, prefix, events);
      return store;
    },
    async quit() {
      if (!store) {
        await fleet.close();
        await redis.quit().catch(() => undefined);
      }
    },
  };
}
