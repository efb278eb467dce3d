// The persistent hash trie behind the roster (machines/persistentMap.ts), against a
// plain Map, with keys whose 32-bit FNV-1a hashes really collide, so that the leaf
// chains for equal hashes are built, updated, shortened and collapsed.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PersistentMap } from '../machines/persistentMap.js';

/** Pairs of identities with equal FNV-1a hashes (found by search; `u:579599` and `u:762382` hash to 1727893506). */
const COLLIDING = [
  ['u:579599', 'u:762382'],
  ['u:579598', 'u:762383'],
  ['u:579593', 'u:762388'],
  ['u:579592', 'u:762389'],
  ['u:579199', 'u:762782'],
  ['u:579198', 'u:762783'],
];
const KEYS = [...COLLIDING.flat(), ...Array.from({ length: 40 }, (_, i) => `p:${i}`)];

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...KEYS), value: fc.nat(1000) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
);

function agrees(map: PersistentMap<{ v: number }>, reference: ReadonlyMap<string, number>): void {
  expect(map.size).toBe(reference.size);
  for (const key of KEYS) {
    expect(map.get(key)?.v).toBe(reference.get(key));
    expect(map.has(key)).toBe(reference.has(key));
  }
  expect(
    map
      .values()
      .map((entry) => entry.v)
      .sort((a, b) => a - b),
  ).toEqual([...reference.values()].sort((a, b) => a - b));
}

describe('PersistentMap', () => {
  test('colliding keys are stored apart, found, updated and removed in either order', () => {
    for (const [first, second] of COLLIDING) {
      const one = PersistentMap.empty<{ v: number }>().set(first!, { v: 1 });
      const both = one.set(second!, { v: 2 });
      expect([both.get(first!)?.v, both.get(second!)?.v, both.size]).toEqual([1, 2, 2]);
      const updated = both.set(second!, { v: 3 }).set(first!, { v: 4 });
      expect([updated.get(first!)?.v, updated.get(second!)?.v, updated.size]).toEqual([4, 3, 2]);
      expect(updated.delete(first!).get(second!)?.v).toBe(3);
      expect(updated.delete(second!).get(first!)?.v).toBe(4);
      expect(updated.delete(first!).delete(second!).size).toBe(0);
      // The older versions are untouched.
      expect([both.get(first!)?.v, both.get(second!)?.v, one.has(second!)]).toEqual([1, 2, false]);
    }
  });

  test('a chain of colliding keys beside a branch collapses when the branch empties', () => {
    const [first, second] = COLLIDING[0]!;
    let map = PersistentMap.empty<{ v: number }>().set(first!, { v: 1 }).set(second!, { v: 2 });
    for (let i = 0; i < 40; i++) map = map.set(`p:${i}`, { v: 100 + i });
    for (let i = 0; i < 40; i++) map = map.delete(`p:${i}`);
    expect(map.size).toBe(2);
    expect(
      map
        .values()
        .map((entry) => entry.v)
        .sort(),
    ).toEqual([1, 2]);
    expect(map.delete(second!).delete(first!).values()).toEqual([]);
  });

  test('deleting a missing key returns the same map', () => {
    const [first, second] = COLLIDING[1]!;
    const map = PersistentMap.empty<{ v: number }>().set(first!, { v: 1 });
    expect(map.delete(second!)).toBe(map);
    expect(map.delete('p:nobody')).toBe(map);
  });

  test('random sets and deletes agree with a Map, and every older version keeps its contents', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        let map = PersistentMap.empty<{ v: number }>();
        const reference = new Map<string, number>();
        const versions: [PersistentMap<{ v: number }>, Map<string, number>][] = [];
        for (const step of ops) {
          if (step.kind === 'set') {
            map = map.set(step.key, { v: step.value });
            reference.set(step.key, step.value);
          } else {
            map = map.delete(step.key);
            reference.delete(step.key);
          }
          versions.push([map, new Map(reference)]);
        }
        agrees(map, reference);
        for (const [version, contents] of versions) agrees(version, contents);
      }),
      { numRuns: 300 },
    );
  });
});
