import { copyParticipant, identityOf, isRemote, sameParticipant, type Participant } from './participants.js';
import { PersistentMap } from './persistentMap.js';

interface Entry {
  readonly participant: Participant;
  /** Join order, so that the list reads in the order people arrived. */
  readonly order: number;
}

const NOBODY: readonly Participant[] = Object.freeze([]);

/**
 * `list` with `out` replaced by `into` (`out` absent: `into` appended; `into` absent:
 * `out` removed). A plain loop: V8 copies frozen arrays slowly with `slice`/`concat`.
 */
function derivedList(base: { list: readonly Participant[]; out?: Participant; into?: Participant }): Participant[] {
  const { list, out, into } = base;
  const length = list.length + (out ? (into ? 0 : -1) : 1);
  const derived = new Array<Participant>(length);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const participant = list[i]!;
    if (participant !== out) derived[at++] = participant;
    else if (into) derived[at++] = into;
  }
  if (!out && into) derived[at] = into;
  return derived;
}

/**
 * The remote participants of a session: an immutable value, so every chart snapshot
 * keeps the roster it had. Each roster also records what the step that produced it
 * changed (`joined`, `left`), which is what the adapter turns into participant
 * callbacks; a step that changes nothing returns the same roster, so `===` tells
 * whether the list changed.
 */
export class ParticipantRoster {
  static readonly empty = new ParticipantRoster(PersistentMap.empty<Entry>(), 0, NOBODY, NOBODY);

  private listCache: readonly Participant[] | undefined;

  private constructor(
    private readonly entries: PersistentMap<Entry>,
    private readonly nextOrder: number,
    /** Who the step that produced this roster added, in arrival order. */
    readonly joined: readonly Participant[],
    /** Who the step that produced this roster removed. */
    readonly left: readonly Participant[],
    /**
     * The list of the roster this one came from, when that was already built, and the
     * one change between them: the list is then derived by one copy instead of a sort.
     * Dropped once used, and never chained, so at most one older list is kept alive.
     */
    private base?: { readonly list: readonly Participant[]; readonly out?: Participant; readonly into?: Participant },
  ) {}

  /** A roster one change away from this one; `out` is replaced by `into` (either may be absent). */
  private next(
    entries: PersistentMap<Entry>,
    nextOrder: number,
    joined: readonly Participant[],
    left: readonly Participant[],
    out: Participant | undefined,
    into: Participant | undefined,
  ): ParticipantRoster {
    const list = this.listCache;
    return new ParticipantRoster(entries, nextOrder, joined, left, list && { list, out, into });
  }

  /** How many remote participants are present. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether a participant with the identity of `participant` is present. */
  has(participant: Participant): boolean {
    return this.entries.has(identityOf(participant));
  }

  /** Adds a remote participant, or replaces the entry with the same identity in place. */
  join(participant: Participant): ParticipantRoster {
    const key = identityOf(participant);
    const present = this.entries.get(key);
    const copy = copyParticipant(participant);
    if (present) {
      const entries = this.entries.set(key, { participant: copy, order: present.order });
      return this.next(entries, this.nextOrder, NOBODY, NOBODY, present.participant, copy);
    }
    const entries = this.entries.set(key, { participant: copy, order: this.nextOrder });
    return this.next(entries, this.nextOrder + 1, [copy], NOBODY, undefined, copy);
  }

  /** Removes the entry with the identity of `participant`; the same roster if there is none. */
  leave(participant: Participant): ParticipantRoster {
    const key = identityOf(participant);
    const present = this.entries.get(key);
    if (!present) return this;
    return this.next(
      this.entries.delete(key),
      this.nextOrder,
      NOBODY,
      [present.participant],
      present.participant,
      undefined,
    );
  }

  /**
   * The roster a full list from the server describes: who is missing left, who is new
   * joined (in list order), who stayed keeps their place. Local participants are
   * dropped; a repeated identity updates the earlier entry.
   */
  resync(list: readonly Participant[]): ParticipantRoster {
    // The last entry for an identity wins; it takes the place of the first.
    const listed = new Map<string, Participant>();
    for (const participant of list) if (isRemote(participant)) listed.set(identityOf(participant), participant);
    let entries = this.entries;
    let nextOrder = this.nextOrder;
    let changed = false;
    const joined: Participant[] = [];
    for (const [key, participant] of listed) {
      const present = entries.get(key);
      if (present && sameParticipant(present.participant, participant)) continue;
      const copy = copyParticipant(participant);
      changed = true;
      if (present) {
        entries = entries.set(key, { participant: copy, order: present.order });
      } else {
        entries = entries.set(key, { participant: copy, order: nextOrder++ });
        joined.push(copy);
      }
    }
    const left: Participant[] = [];
    for (const participant of this.list) {
      const key = identityOf(participant);
      if (listed.has(key)) continue;
      entries = entries.delete(key);
      left.push(participant);
    }
    if (!changed && left.length === 0) return this;
    return new ParticipantRoster(entries, nextOrder, joined.length ? joined : NOBODY, left.length ? left : NOBODY);
  }

  /** The participants in arrival order: a frozen array, built once per roster, on demand. */
  get list(): readonly Participant[] {
    if (!this.listCache) {
      this.listCache = Object.freeze(this.base ? derivedList(this.base) : this.sortedList());
      this.base = undefined;
    }
    return this.listCache;
  }

  private sortedList(): Participant[] {
    const entries = this.entries.values();
    entries.sort((a, b) => a.order - b.order);
    return entries.map((entry) => entry.participant);
  }

  /**
   * The roster's JSON form is its list: inspectors and `JSON.stringify` show the
   * participants, not the trie behind them, and `ParticipantRoster.fromList`
   * turns the list back into a roster.
   */
  toJSON(): readonly Participant[] {
    return this.list;
  }

  /** A roster holding `list` in its order, with no changes recorded; `list` must not repeat an identity. */
  static fromList(list: readonly Participant[]): ParticipantRoster {
    let entries = PersistentMap.empty<Entry>();
    const copies = new Array<Participant>(list.length);
    for (let order = 0; order < list.length; order++) {
      const copy = copyParticipant(list[order]!);
      copies[order] = copy;
      entries = entries.set(identityOf(copy), { participant: copy, order });
    }
    const roster = new ParticipantRoster(entries, list.length, NOBODY, NOBODY);
    roster.listCache = Object.freeze(copies);
    return roster;
  }
}
