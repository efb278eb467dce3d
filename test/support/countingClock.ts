import { SimulatedClock } from 'xstate';
import type { SessionClock } from '../../src/index.js';

/**
 * A `SimulatedClock` that counts what goes through it, so a test can tell whether any
 * timer is still pending anywhere, without reading XState's internals: `balance` is
 * setTimeout − clearTimeout − fired (arithmetic), `pending` the ids set and neither
 * cleared nor fired (a set, so a double clear or a clear of a fired timer shows as a
 * difference between the two).
 */
export class CountingClock implements SessionClock {
  readonly inner: SimulatedClock;
  setCount = 0;
  clearCount = 0;
  firedCount = 0;
  readonly #pending = new Set<unknown>();

  constructor(inner: SimulatedClock = new SimulatedClock()) {
    this.inner = inner;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    this.setCount++;
    const id: unknown = this.inner.setTimeout(() => {
      this.firedCount++;
      this.#pending.delete(id);
      callback();
    }, ms);
    this.#pending.add(id);
    return id;
  }

  clearTimeout(id: unknown): void {
    this.clearCount++;
    this.#pending.delete(id);
    this.inner.clearTimeout(id as number);
  }

  now(): number {
    return this.inner.now();
  }

  /** Moves time on by `ms`, firing the timers due by then (`increment(0)`: the ones due now). */
  increment(ms: number): void {
    this.inner.increment(ms);
  }

  /** Sets the time; it cannot go back. */
  set(ms: number): void {
    this.inner.set(ms);
  }

  /** setTimeout − clearTimeout − fired. */
  get balance(): number {
    return this.setCount - this.clearCount - this.firedCount;
  }

  /** Timers set and neither cleared nor fired. */
  get pending(): number {
    return this.#pending.size;
  }
}
