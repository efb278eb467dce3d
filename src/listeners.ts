import type { Participant } from '../machines/callSession.types.js';

/** The six session status callbacks of CometChat Calls v5; any subset may be given. */
export interface SessionStatusListener {
  onSessionJoined?(): void;
  onSessionLeft?(): void;
  onSessionTimedOut?(): void;
  onConnectionLost?(): void;
  onConnectionRestored?(): void;
  onConnectionClosed?(): void;
}

/** Participant callbacks; any subset may be given. Lists are frozen. */
export interface ParticipantEventListener {
  onParticipantJoined?(participant: Participant): void;
  onParticipantLeft?(participant: Participant): void;
  onParticipantListChanged?(participants: readonly Participant[]): void;
}

/**
 * Listeners in the order they were added, each once. The member array is replaced,
 * never mutated, so a dispatch can hold the array it started with: a listener added
 * during a dispatch waits for the next event, and one removed during it is skipped,
 * even if it is added back before the dispatch ends.
 */
export class ListenerRegistry<L extends object> {
  #members: readonly L[] = [];
  /** When each member was (last) added, on a counter of additions. */
  readonly #addedAt = new Map<L, number>();
  #additions = 0;

  get members(): readonly L[] {
    return this.#members;
  }

  /** A mark to give `isStillMember`, taken when a dispatch starts. */
  get mark(): number {
    return this.#additions;
  }

  add(listener: L): () => void {
    if (typeof listener !== 'object' || listener === null) {
      throw new TypeError(`A listener must be an object with callbacks; got ${listener === null ? 'null' : typeof listener}`);
    }
    if (!this.#addedAt.has(listener)) {
      this.#addedAt.set(listener, ++this.#additions);
      this.#members = [...this.#members, listener];
    }
    return () => this.remove(listener);
  }

  remove(listener: L): void {
    if (this.#addedAt.delete(listener)) this.#members = this.#members.filter((member) => member !== listener);
  }

  clear(): void {
    this.#addedAt.clear();
    this.#members = [];
  }

  /**
   * Whether `listener`, taken from `started` (the members when a dispatch began, at
   * `mark`), is still to be called in that dispatch: not removed since, nor re-added.
   */
  isStillMember(listener: L, started: readonly L[], mark: number): boolean {
    if (this.#members === started) return true;
    const addedAt = this.#addedAt.get(listener);
    return addedAt !== undefined && addedAt <= mark;
  }
}
