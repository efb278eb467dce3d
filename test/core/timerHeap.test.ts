// The one timer heap (src/core/timerHeap.ts) of the fleet and the session log's replay
// clock: (due, order set) order under any sequence of operations, against a sorted list.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TimerHeap } from '../../src/core/timerHeap.js';

describe('TimerHeap', () => {
  type Op = { kind: 'set'; handle: number; due: number } | { kind: 'delete'; handle: number } | { kind: 'pop' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        handle: fc.integer({ min: 0, max: 40 }),
        due: fc.integer({ min: 0, max: 20 }),
      }),
      weight: 5,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('delete' as const), handle: fc.integer({ min: 0, max: 40 }) }),
      weight: 2,
    },
    { arbitrary: fc.constant<Op>({ kind: 'pop' }), weight: 2 },
  );

  test('pops in (due, order set) order under any sequence of set, delete and pop, against a sorted list', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new TimerHeap();
        // The reference: a plain list of [handle, due, seq], the minimum found by scanning.
        let reference: [number, number, number][] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'set') {
            heap.set(o.handle, o.due);
            reference = reference.filter(([h]) => h !== o.handle);
            reference.push([o.handle, o.due, seq++]);
          } else if (o.kind === 'delete') {
            expect(heap.delete(o.handle)).toBe(reference.some(([h]) => h === o.handle));
            reference = reference.filter(([h]) => h !== o.handle);
          } else {
            const first = [...reference].sort((a, b) => a[1] - b[1] || a[2] - b[2])[0];
            expect(heap.pop()).toBe(first ? first[0] : -1);
            reference = reference.filter((entry) => entry !== first);
          }
          expect(heap.size).toBe(reference.length);
          expect(heap.peekDue()).toBe(reference.length ? Math.min(...reference.map(([, due]) => due)) : Infinity);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('grows past its initial capacity and to handles far apart', () => {
    const heap = new TimerHeap();
    for (let i = 0; i < 5000; i++) heap.set(i * 7 + 100_000, 5000 - i);
    expect(heap.size).toBe(5000);
    expect(heap.dueOf(100_000)).toBe(5000);
    const order: number[] = [];
    while (heap.size) order.push(heap.pop());
    expect(order[0]).toBe(4999 * 7 + 100_000);
    expect(order.at(-1)).toBe(100_000);
    expect(heap.has(100_000)).toBe(false);
    expect(() => heap.set(-1, 0)).toThrow(RangeError);
  });

  test('clear cancels everything; handles can be set again', () => {
    const heap = new TimerHeap();
    heap.set(3, 1);
    heap.set(4, 2);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.has(3)).toBe(false);
    heap.set(4, 9);
    expect(heap.pop()).toBe(4);
  });
});
