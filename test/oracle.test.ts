// The session against an independent reference model of SPEC §2 (test/oracle.ts):
// random sequences of all ten events, clock moves around the deadlines, listener
// changes and persist/restore round trips, compared after every step (state,
// endReason, participants, deadlines, can(), and the exact callback sequence each
// listener receives). The generator and runner are shared with scripts/soak.ts.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  formatInterleaving,
  formatSequence,
  interleavingArb,
  newStats,
  runInterleaved,
  runSequence,
  sequenceArb,
  type Sequence,
} from './oracleRun.js';

const RUNS = Number(process.env.ORACLE_RUNS ?? 2000);

test(`the session agrees with the SPEC §2 oracle on ${RUNS} random sequences`, () => {
  const stats = newStats();
  fc.assert(
    fc.property(sequenceArb, (sequence) => {
      const divergence = runSequence(sequence, stats);
      if (divergence !== null) expect(divergence, formatSequence(sequence)).toBeNull();
    }),
    { numRuns: RUNS },
  );
  console.info(`oracle: ${stats.sequences} sequences, ${stats.events} events and time advances (${stats.steps} steps)`);
});

test('CallSessions interleaved on one clock agree with their oracles too (the harness both runtimes run on)', () => {
  const stats = newStats();
  fc.assert(
    fc.property(interleavingArb(4), (interleaving) => {
      const divergence = runInterleaved(interleaving, 'session', stats);
      if (divergence !== null) expect(divergence, formatInterleaving(interleaving)).toBeNull();
    }),
    { numRuns: 150 },
  );
  expect(stats.sequences).toBeGreaterThan(150);
});

// Found by the soak (scripts/soak.ts), shrunk. The resync list names Ana twice; the
// later entry wins, so the list it yields is the current one, field for field. SPEC §3:
// the participants array is "a new array when the list changes, the same one
// otherwise", and SPEC §2 (brief): nothing participant-related fires when the list
// equals the current one. A plain [Ana B.] resync fires nothing; this one must not either.
test('a resync list that names one participant twice and yields the current list changes nothing', () => {
  const anaB = { uid: 'ana', name: 'Ana B.', avatar: 'ana.png' };
  const sequence: Sequence = {
    idle: 0,
    reconnect: 0,
    warning: 0,
    steps: [
      { kind: 'event', event: { type: 'session.join', sessionId: 's1' } },
      { kind: 'event', event: { type: 'session.joined', participants: [anaB] } },
      { kind: 'event', event: { type: 'connection.lost' } },
      { kind: 'event', event: { type: 'connection.restored', participants: [{ uid: 'ana', name: 'Ana' }, anaB] } },
    ],
  };
  expect(runSequence(sequence)).toBeNull();
});
