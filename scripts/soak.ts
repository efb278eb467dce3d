/**
 * `npm run soak`: the comparison of test/oracle.test.ts (a real session against the
 * SPEC §2 oracle, test/oracle.ts) outside vitest, for many more sequences.
 *
 *   SOAK_SEQUENCES=60000 npx tsx scripts/soak.ts     (default 10000)
 *   SOAK_SEED=1234 …                                   (to replay a run)
 *
 * `npm run soak:fleet` (FLEET=1): the same for the fleet (test/fleet/oracle.test.ts):
 * each run is up to 6 sequences interleaved in one fleet on one clock, every session
 * compared with its own oracle after every step; SOAK_SEQUENCES then counts runs.
 *
 * Prints sequences, events (events sent plus time advances), divergences and elapsed
 * seconds; on a divergence, the first one shrunk to a minimal sequence, and exits 1.
 */
import fc from 'fast-check';
import {
  formatInterleaving,
  formatSequence,
  interleavingArb,
  newStats,
  runInterleaved,
  runSequence,
  sequenceArb,
  type Interleaving,
  type Sequence,
} from '../test/oracleRun.js';

const FLEET = process.env.FLEET === '1';
const sequences = Number(process.env.SOAK_SEQUENCES ?? 10_000);
const seed = process.env.SOAK_SEED === undefined ? Date.now() | 0 : Number(process.env.SOAK_SEED);
if (!Number.isInteger(sequences) || sequences < 1) {
  console.error(`SOAK_SEQUENCES must be a positive integer; got ${process.env.SOAK_SEQUENCES}`);
  process.exit(2);
}

/** What one soak runs: a sequence on a CallSession, or an interleaving on a fleet. */
type Case = Sequence | Interleaving;
const caseArb: fc.Arbitrary<Case> = FLEET ? interleavingArb(6) : sequenceArb;
const run = (c: Case, stats?: ReturnType<typeof newStats>): string | null =>
  FLEET ? runInterleaved(c as Interleaving, 'fleet', stats) : runSequence(c as Sequence, stats);
const format = (c: Case): string => (FLEET ? formatInterleaving(c as Interleaving) : formatSequence(c as Sequence));

const stats = newStats();
let divergences = 0;
let first: { index: number; divergence: string; sequence: Case } | null = null;
let index = 0;
const started = performance.now();

// Every sequence runs (the property never fails), so that all divergences are counted;
// the first one is shrunk afterwards by replaying its run.
fc.check(
  fc.property(caseArb, (sequence) => {
    const divergence = run(sequence, stats);
    if (divergence !== null) {
      divergences++;
      first ??= { index, divergence, sequence };
    }
    index++;
    if (index % 10_000 === 0) console.error(`… ${index} ${FLEET ? 'runs' : 'sequences'}`);
    return true;
  }),
  { numRuns: sequences, seed },
);
const elapsed = (performance.now() - started) / 1000;

console.log(`${FLEET ? 'fleet (up to 6 sequences interleaved in one fleet per run)' : 'CallSession'} · seed ${seed}`);
if (FLEET) console.log(`runs: ${index}`);
console.log(`sequences: ${stats.sequences}`);
console.log(
  `events: ${stats.events} (events sent and time advances; ${stats.steps} steps with listener changes and restores)`,
);
console.log(`divergences: ${divergences}`);
console.log(`elapsed: ${elapsed.toFixed(1)} s`);

if (first !== null) {
  const { index: at, divergence, sequence } = first as { index: number; divergence: string; sequence: Case };
  console.log(`\nfirst divergence (case ${at}):\n${format(sequence)}\n${divergence}`);
  const shrunk = fc.check(
    fc.property(caseArb, (s) => run(s) === null),
    { seed, path: String(at) },
  );
  if (shrunk.failed && shrunk.counterexample) {
    const [minimal] = shrunk.counterexample;
    console.log(`\nshrunk (${shrunk.numShrinks} shrinks):\n${format(minimal)}\n${run(minimal) ?? ''}`);
  }
  process.exit(1);
}
