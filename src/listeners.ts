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
 * during a dispatch waits for the next event, and one removed during it is skipped.
 */
export class ListenerRegistry<L extends object> {
  #members: readonly L[] = [];

  get members(): readonly L[] {
    return this.#members;
  }

  add(listener: L): () => void {
    if (typeof listener !== 'object' || listener === null) {
      throw new TypeError(`A listener must be an object with callbacks; got ${listener === null ? 'null' : typeof listener}`);
    }
    if (!this.#members.includes(listener)) this.#members = [...this.#members, listener];
    return () => this.remove(listener);
  }

  remove(listener: L): void {
    if (this.#members.includes(listener)) this.#members = this.#members.filter((member) => member !== listener);
  }

  clear(): void {
    this.#members = [];
  }

  /** Whether `listener`, taken from `started` (the members when a dispatch began), is still registered. */
  isStillMember(listener: L, started: readonly L[]): boolean {
    return this.#members === started || this.#members.includes(listener);
  }
}
