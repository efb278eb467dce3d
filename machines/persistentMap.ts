/**
 * A persistent (immutable, structurally shared) string-keyed map: a hash array mapped
 * trie with 32-way branches.
 *
 * Why not a `Map` in the chart's context: a snapshot must never change once taken
 * (graph tools and inspectors keep old snapshots and transition from them), so a
 * mutable map would have to be copied on every participant event, which makes a join
 * storm of n participants cost O(n²). Here an insert or a removal copies only the
 * branches on one path, O(log₃₂ n): three 32-slot arrays at 10,000 entries.
 *
 * Invariants:
 * - a node is never mutated after it is returned; every update returns a new root and
 *   shares every untouched branch with the old one;
 * - an update that changes nothing returns the very same root, so `===` tells change;
 * - a branch never holds a single leaf and nothing else (it collapses into that leaf),
 *   so equal key sets have equal shapes;
 * - keys whose 32-bit hashes are equal share one leaf chain (`next`).
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
    readonly next: Leaf<V> | undefined,
  ) {}
}

class Branch<V> {
  constructor(readonly slots: ReadonlyArray<Node<V> | undefined>) {}
}

type Node<V> = Leaf<V> | Branch<V>;

/** FNV-1a over UTF-16 code units: cheap, and spreads short ids well. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

function slotOf(hash: number, shift: number): number {
  return (hash >>> shift) & MASK;
}

function chainGet<V>(leaf: Leaf<V> | undefined, key: string): V | undefined {
  for (let at = leaf; at; at = at.next) if (at.key === key) return at.value;
  return undefined;
}

function chainSet<V>(leaf: Leaf<V>, key: string, value: V): Leaf<V> {
  if (leaf.key === key) return new Leaf(leaf.hash, key, value, leaf.next);
  const next = leaf.next ? chainSet(leaf.next, key, value) : new Leaf(leaf.hash, key, value, undefined);
  return new Leaf(leaf.hash, leaf.key, leaf.value, next);
}

function chainDelete<V>(leaf: Leaf<V> | undefined, key: string): Leaf<V> | undefined {
  if (!leaf) return undefined;
  if (leaf.key === key) return leaf.next;
  const next = chainDelete(leaf.next, key);
  return next === leaf.next ? leaf : new Leaf(leaf.hash, leaf.key, leaf.value, next);
}

function withSlot<V>(slots: ReadonlyArray<Node<V> | undefined>, at: number, node: Node<V> | undefined) {
  const copy = slots.slice();
  copy[at] = node;
  return copy;
}

/** Two leaves with different hashes, placed as deep as their hashes first differ. */
function split<V>(a: Leaf<V>, b: Leaf<V>, shift: number): Node<V> {
  const slots = new Array<Node<V> | undefined>(WIDTH);
  const at = slotOf(a.hash, shift);
  const bt = slotOf(b.hash, shift);
  if (at === bt) slots[at] = split(a, b, shift + BITS);
  else {
    slots[at] = a;
    slots[bt] = b;
  }
  return new Branch(slots);
}

function insert<V>(node: Node<V> | undefined, hash: number, key: string, value: V, shift: number): Node<V> {
  if (!node) return new Leaf(hash, key, value, undefined);
  if (node instanceof Leaf) {
    if (node.hash === hash) return chainSet(node, key, value);
    return split(node, new Leaf(hash, key, value, undefined), shift);
  }
  const at = slotOf(hash, shift);
  return new Branch(withSlot(node.slots, at, insert(node.slots[at], hash, key, value, shift + BITS)));
}

function remove<V>(node: Node<V> | undefined, hash: number, key: string, shift: number): Node<V> | undefined {
  if (!node) return undefined;
  if (node instanceof Leaf) return node.hash === hash ? chainDelete(node, key) : node;
  const at = slotOf(hash, shift);
  const child = node.slots[at];
  const nextChild = remove(child, hash, key, shift + BITS);
  if (nextChild === child) return node;
  const slots = withSlot(node.slots, at, nextChild);
  let only: Node<V> | undefined;
  let count = 0;
  for (const slot of slots) {
    if (slot) {
      only = slot;
      count++;
    }
  }
  if (count === 0) return undefined;
  if (count === 1 && only instanceof Leaf) return only;
  return new Branch(slots);
}

function collect<V>(node: Node<V> | undefined, into: V[]): void {
  if (!node) return;
  if (node instanceof Leaf) {
    for (let at: Leaf<V> | undefined = node; at; at = at.next) into.push(at.value);
    return;
  }
  for (const slot of node.slots) collect(slot, into);
}

export class PersistentMap<V extends object> {
  static empty<V extends object>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0);
  }

  private constructor(
    private readonly root: Node<V> | undefined,
    readonly size: number,
  ) {}

  get(key: string): V | undefined {
    const hash = hashOf(key);
    let node = this.root;
    for (let shift = 0; node instanceof Branch; shift += BITS) node = node.slots[slotOf(hash, shift)];
    return node && node.hash === hash ? chainGet(node, key) : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    const present = this.has(key);
    return new PersistentMap(insert(this.root, hashOf(key), key, value, 0), present ? this.size : this.size + 1);
  }

  delete(key: string): PersistentMap<V> {
    if (!this.has(key)) return this;
    return new PersistentMap(remove(this.root, hashOf(key), key, 0), this.size - 1);
  }

  /** Values in hash order (not insertion order), in O(n). */
  values(): V[] {
    const into: V[] = [];
    collect(this.root, into);
    return into;
  }
}
