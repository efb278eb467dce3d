/** Small helpers shared by bench/suite.ts and bench/scale.ts: gc, clocks, statistics, formatting. */
import { setFlagsFromString } from 'node:v8';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { runInNewContext } from 'node:vm';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * `global.gc`, which `node --expose-gc` provides; elsewhere (vitest workers) the flag is
 * switched on at run time and a fresh context hands the function out.
 */
export function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The q-quantile (0..1) of ascending `sorted`, linearly interpolated. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const at = (n - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(n - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function median(values: ArrayLike<number>): number {
  return quantileOfSorted(sortedCopy(values), 0.5);
}

export function minMax(values: ArrayLike<number>): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]!);
    high = Math.max(high, values[i]!);
  }
  return { low, high };
}

/** Three significant figures or so, with thousands separators: 812,345 · 41.2 · 0.937. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${formatNumber(bytes / 1024 ** 3)} GiB`;
  if (bytes >= 1024 ** 2) return `${formatNumber(bytes / 1024 ** 2)} MiB`;
  return `${formatNumber(bytes)} B`;
}

/** Resolves on the next turn of the event loop, after pending I/O and timers. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits for `promise`, or `ms` at most; the fallback timer is cleared either way, so it never holds the process open. */
export async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Heap in use and memory outside the JS heap (typed arrays, buffers), in bytes. */
export function heapNow(): { heap: number; external: number } {
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}

/** GC pauses from perf_hooks' `gc` entries while it runs: count, total and longest, and the mark-compact ones. */
export class GcTally {
  count = 0;
  totalMs = 0;
  maxMs = 0;
  majorCount = 0;
  majorMs = 0;
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
        this.count++;
        this.totalMs += entry.duration;
        this.maxMs = Math.max(this.maxMs, entry.duration);
        if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          this.majorCount++;
          this.majorMs += entry.duration;
        }
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops observing, after the entries still queued have arrived (they come on a later turn). */
  async stop(): Promise<{ count: number; totalMs: number; maxMs: number; majorCount: number; majorMs: number }> {
    await nextTurn();
    await nextTurn();
    this.#observer.disconnect();
    const { count, totalMs, maxMs, majorCount, majorMs } = this;
    return { count, totalMs, maxMs, majorCount, majorMs };
  }
}
