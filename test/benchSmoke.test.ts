import { expect, test } from 'vitest';
import { formatReport, runBench } from '../bench/suite.js';

// Every row the benchmark prints, quick or full. The figures of a smoke run mean
// nothing (a few thousand events on a shared CI machine): only their presence and
// finiteness are checked, never their size.
const ROWS = [
  'throughput.session',
  'throughput.actor',
  'throughput.switch',
  'throughput.ratio.session',
  'throughput.ratio.switch',
  'heap.session',
  'heap.actor',
  'heap.ratio',
  'heap.listened',
  'heap.listened.ratio',
  'create.join',
  'pair.noListener.0',
  'pair.noListener.1',
  'pair.noListener.2',
  'pair.ratio',
  'pair.listener.0',
  'pair.listener.1',
  'pair.listener.2',
  'storm.noListener',
  'storm.listener',
  'lateness',
  'bundle.min',
  'bundle.whole.gzip',
  'bundle.app.min',
  'bundle.gzip',
];

test('the quick benchmark produces every row with finite figures', async () => {
  const report = await runBench({ quick: true });
  expect(report.environment.quick).toBe(true);
  expect(report.rows.map((row) => row.id)).toEqual(ROWS);
  for (const row of report.rows) {
    expect(Number.isFinite(row.median), `${row.id} median ${row.median}`).toBe(true);
    if (row.spread) {
      expect(Number.isFinite(row.spread.low), `${row.id} spread low`).toBe(true);
      expect(Number.isFinite(row.spread.high), `${row.id} spread high`).toBe(true);
    }
  }
  const table = formatReport(report);
  for (const row of report.rows) expect(table).toContain(row.measure);
});
