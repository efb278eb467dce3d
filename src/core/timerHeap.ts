/**
 * An indexed binary min-heap of timers: the fleet's (behind its one real timer) and the
 * session log's replay clock. Each timer is a
 * non-negative integer `handle` (the fleet uses `slot * timersPerSession + timer`); its key
 * is `(due, seq)`: the due time, then the order it was set in, so timers due at the same
 * instant fire in the order they were set, as `setTimeout`'s do.
 *
 * Invariants:
 * - positions `0 … size - 1` of `#handles`, `#due` and `#seq` hold the heap; every
 *   parent's key is ≤ its children's;
 * - `#position[handle]` is the heap position of a handle that is set, else `-1` (or
 *   past the end of the array), so `set` and `delete` of any handle are O(log n) with no
 *   lazy deletion: the heap never holds a cancelled timer;
 * - all storage is typed arrays that double when full: no object per timer, nothing
 *   for the garbage collector to trace.
 */
export class TimerHeap {
  #handles = new Int32Array(1024);
  #due = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #position = new Int32Array(1024).fill(-1);
  #size = 0;
  #nextSeq = 0;

  /** How many timers are set. */
  get size(): number {
    return this.#size;
  }

  /** The due time of the earliest timer; `Infinity` when none is set. */
  peekDue(): number {
    return this.#size === 0 ? Infinity : this.#due[0]!;
  }

  /** Whether `handle` is set. */
  has(handle: number): boolean {
    return handle < this.#position.length && this.#position[handle]! >= 0;
  }

  /** The due time of `handle`; `undefined` when it is not set. */
  dueOf(handle: number): number | undefined {
    return this.has(handle) ? this.#due[this.#position[handle]!] : undefined;
  }

  /** Sets `handle` to fire at `due`, after every timer already due then; replaces its old due time. */
  set(handle: number, due: number): void {
    if (!Number.isInteger(handle) || handle < 0) throw new RangeError(`a timer handle is a non-negative integer`);
    this.#ensureHandle(handle);
    let at = this.#position[handle]!;
    if (at < 0) {
      this.#ensureCapacity(this.#size + 1);
      at = this.#size++;
      this.#handles[at] = handle;
      this.#position[handle] = at;
    }
    this.#due[at] = due;
    this.#seq[at] = this.#nextSeq++;
    this.#restore(at);
  }

  /** Cancels `handle`; returns whether it was set. */
  delete(handle: number): boolean {
    if (!this.has(handle)) return false;
    const at = this.#position[handle]!;
    this.#position[handle] = -1;
    const last = --this.#size;
    if (at !== last) {
      this.#move(last, at);
      this.#restore(at);
    }
    return true;
  }

  /** Removes the earliest timer and returns its handle; `-1` when none is set. */
  pop(): number {
    if (this.#size === 0) return -1;
    const handle = this.#handles[0]!;
    this.delete(handle);
    return handle;
  }

  /** Cancels every timer. */
  clear(): void {
    for (let i = 0; i < this.#size; i++) this.#position[this.#handles[i]!] = -1;
    this.#size = 0;
  }

  #less(a: number, b: number): boolean {
    const dueA = this.#due[a]!;
    const dueB = this.#due[b]!;
    return dueA < dueB || (dueA === dueB && this.#seq[a]! < this.#seq[b]!);
  }

  /** Moves the entry at `from` to position `to` (overwriting what was there). */
  #move(from: number, to: number): void {
    const handle = this.#handles[from]!;
    this.#handles[to] = handle;
    this.#due[to] = this.#due[from]!;
    this.#seq[to] = this.#seq[from]!;
    this.#position[handle] = to;
  }

  #swap(a: number, b: number): void {
    const handle = this.#handles[a]!;
    const due = this.#due[a]!;
    const seq = this.#seq[a]!;
    this.#move(b, a);
    this.#handles[b] = handle;
    this.#due[b] = due;
    this.#seq[b] = seq;
    this.#position[handle] = b;
  }

  /** Sifts the entry at `at` up or down until the heap order holds again. */
  #restore(at: number): void {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
    if (i !== at) return;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.#size) return;
      const right = left + 1;
      const child = right < this.#size && this.#less(right, left) ? right : left;
      if (!this.#less(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }

  #ensureCapacity(size: number): void {
    if (size <= this.#handles.length) return;
    const capacity = Math.max(size, this.#handles.length * 2);
    this.#handles = grow(this.#handles, new Int32Array(capacity));
    this.#due = grow(this.#due, new Float64Array(capacity));
    this.#seq = grow(this.#seq, new Float64Array(capacity));
  }

  #ensureHandle(handle: number): void {
    if (handle < this.#position.length) return;
    const next = new Int32Array(Math.max(handle + 1, this.#position.length * 2)).fill(-1);
    next.set(this.#position);
    this.#position = next;
  }
}

function grow<A extends Int32Array | Float64Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
