/**
 * `npm run bench`: node --expose-gc --import tsx bench/run.ts
 * Prints the benchmark table (bench/suite.ts). `BENCH_QUICK=1` for a smoke run of a few
 * seconds. Exits 0 whatever the figures: benchmarks report, they do not assert.
 */
import { performance } from 'node:perf_hooks';
import { formatReport, runBench } from './suite.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('note: run with node --expose-gc for steadier heap figures (gc is being enabled at run time)');
}
const start = performance.now();
const report = await runBench({
  log: (line) => console.error(`[${((performance.now() - start) / 1000).toFixed(1)} s] ${line}`),
});
console.log(formatReport(report));
