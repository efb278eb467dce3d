/**
 * Where the server keeps its state, behind one small interface so that the in-memory
 * fleet (the default) and the durable runtime on Redis (`--redis`) both fit: the rooms
 * (who is in them, and when each was last heard of) and one call session per counted
 * participant.
 */
import type { Participant, SessionSettings } from '../index.js';
import { createCallSessionFleet, type CallSessionFleet } from '../fleet/index.js';
import type { RoomMember } from './types.js';

/** One participant of a room as the server remembers it. */
export interface MemberRecord extends RoomMember {
  /** When the last event applied to this participant happened (provider time, epoch ms); 0 when unknown. */
  readonly at: number;
}

/** One room as the server remembers it. */
export interface RoomRecord {
  /** The provider's room id (Twilio's `RoomSid` names the room in its REST paths). */
  roomSid?: string;
  /** Who is in the room now. */
  readonly members: Map<string, MemberRecord>;
  /** Who has left, and when: an older event about them is ignored. */
  readonly gone: Map<string, number>;
  /** When `room_finished` came; older events of the room are ignored. */
  finishedAt: number;
}

/** What a session's countdown told the server. */
export interface SessionEvents {
  onWarning(key: string, secondsLeft: number, deadline: number): void;
  onTimedOut(key: string, deadline: number): void;
}

/** The state behind the server; every method may be asynchronous (Redis). */
export interface ServerStore {
  /**
   * Runs `work` with the room to itself across processes (Redis); in one process the
   * server's own queue per room is enough and this is left out.
   */
  withRoom?<T>(room: string, work: () => Promise<T>): Promise<T>;
  /** Marks a webhook's event id as seen; `false` when it was seen before (a replay). */
  firstSighting(eventId: string): Promise<boolean>;
  /** The room, or `undefined` when the server knows nothing of it. */
  getRoom(room: string): Promise<RoomRecord | undefined>;
  /** Stores the room (an empty record with nothing to remember is dropped). */
  putRoom(room: string, record: RoomRecord): Promise<void>;
  /**
   * Makes session `key` a joined session whose remote participants are exactly `others`:
   * created and joined when missing (or ended), else sent the `participant.joined` /
   * `participant.left` events that make its list `others`. The chart decides the rest
   * (alone: its countdown runs; accompanied: it stops).
   */
  converge(key: string, others: readonly Participant[]): Promise<void>;
  /** Forgets session `key`, with no callback. */
  remove(key: string): Promise<void>;
  /** "Stay": restarts session `key`'s idle countdown; the new deadline, or `null` when no countdown runs. */
  extend(key: string): Promise<number | null>;
  /** Session `key`'s idle deadline, or `null`. */
  idleDeadline(key: string): Promise<number | null>;
  /** How many sessions are held. */
  sessionCount(): Promise<number>;
  /** Stops the timers; pending work is dropped. */
  close(): Promise<void>;
}

/** A session key: the room and the identity, unambiguously (`<room length>:<room><identity>`). */
export function sessionKey(room: string, identity: string): string {
  return `${room.length}:${room}${identity}`;
}

/** The room and identity of a session key. */
export function parseSessionKey(key: string): { room: string; identity: string } {
  const colon = key.indexOf(':');
  const length = Number(key.slice(0, colon));
  return { room: key.slice(colon + 1, colon + 1 + length), identity: key.slice(colon + 1 + length) };
}

/** How many event ids are remembered for replays, and how long an empty room's tombstones are kept. */
const REPLAY_MEMORY = 100_000;
const ROOM_MEMORY_MS = 10 * 60_000;

/** The default store: the rooms in a `Map`, the sessions in one in-memory fleet. */
export class MemoryStore implements ServerStore {
  readonly #fleet: CallSessionFleet;
  readonly #rooms = new Map<string, RoomRecord>();
  /** Rooms with nobody in them, by when they emptied: dropped after ROOM_MEMORY_MS. */
  readonly #emptySince = new Map<string, number>();
  readonly #seen = new Set<string>();

  constructor(settings: SessionSettings, events: SessionEvents, onListenerError: (error: unknown) => void) {
    this.#fleet = createCallSessionFleet({ settings, onListenerError });
    const fleet = this.#fleet;
    fleet.addSessionStatusListener({
      onIdleTimeoutWarning(key, secondsLeft) {
        events.onWarning(key, secondsLeft, fleet.deadlines(key).idle ?? Date.now() + secondsLeft * 1000);
      },
      onSessionTimedOut(key) {
        // The deadline that passed is the context's last one; the chart clears it on the way out.
        events.onTimedOut(key, Date.now());
      },
    });
  }

  async firstSighting(eventId: string): Promise<boolean> {
    if (this.#seen.has(eventId)) return false;
    this.#seen.add(eventId);
    if (this.#seen.size > REPLAY_MEMORY) this.#seen.delete(this.#seen.values().next().value!);
    return true;
  }

  async getRoom(room: string): Promise<RoomRecord | undefined> {
    return this.#rooms.get(room);
  }

  async putRoom(room: string, record: RoomRecord): Promise<void> {
    this.#rooms.set(room, record);
    const now = Date.now();
    if (record.members.size > 0) this.#emptySince.delete(room);
    else if (!this.#emptySince.has(room)) this.#emptySince.set(room, now);
    for (const [name, since] of this.#emptySince) {
      if (now - since < ROOM_MEMORY_MS) break;
      this.#emptySince.delete(name);
      if (this.#rooms.get(name)?.members.size === 0) this.#rooms.delete(name);
    }
  }

  async converge(key: string, others: readonly Participant[]): Promise<void> {
    const fleet = this.#fleet;
    if (fleet.has(key) && !fleet.state(key).startsWith('joined')) fleet.remove(key);
    if (!fleet.has(key)) {
      fleet.add(key);
      fleet.join(key);
      fleet.send(key, { type: 'session.joined', participants: [...others] });
      return;
    }
    const wanted = new Set(others.map((p) => p.pid));
    for (const present of fleet.participants(key)) {
      if (!wanted.has(present.pid)) fleet.send(key, { type: 'participant.left', participant: present });
    }
    const have = new Set(fleet.participants(key).map((p) => p.pid));
    for (const participant of others) {
      if (!have.has(participant.pid)) fleet.send(key, { type: 'participant.joined', participant });
    }
  }

  async remove(key: string): Promise<void> {
    this.#fleet.remove(key);
  }

  async extend(key: string): Promise<number | null> {
    const fleet = this.#fleet;
    if (!fleet.has(key) || !fleet.can(key, { type: 'idle.extend' })) return null;
    fleet.extendIdleTimeout(key);
    return fleet.deadlines(key).idle;
  }

  async idleDeadline(key: string): Promise<number | null> {
    return this.#fleet.has(key) ? this.#fleet.deadlines(key).idle : null;
  }

  async sessionCount(): Promise<number> {
    return this.#fleet.size;
  }

  async close(): Promise<void> {
    this.#fleet.dispose();
  }
}
