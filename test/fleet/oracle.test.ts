// The fleet against the independent SPEC §2 oracle (test/oracle.ts): random sequences
// of all the events, clock moves, listener changes and restores (one session, or the
// whole fleet through JSON), many sequences interleaved in one fleet on one clock,
// each session compared with its own oracle after every step (test/oracleRun.ts, the one
// harness both runtimes run on).
// The same generator drives test/oracle.test.ts against a CallSession, so both agree
// with the same reference; scripts/soak.ts (FLEET=1) runs this for many more.
import fc from 'fast-check';
import { expect, test, vi } from 'vitest';
import { CallSessionFleet } from '../../src/fleet/index.js';
import { formatInterleaving, interleavingArb, newStats, runInterleaved, type Sequence } from '../oracleRun.js';

const RUNS = Number(process.env.FLEET_ORACLE_RUNS ?? 400);

test(`fleet sessions agree with the SPEC §2 oracle: ${RUNS} runs of up to 6 sequences interleaved in one fleet`, () => {
  const stats = newStats();
  fc.assert(
    fc.property(interleavingArb(6), (interleaving) => {
      const divergence = runInterleaved(interleaving, 'fleet', stats);
      if (divergence !== null) expect(divergence, formatInterleaving(interleaving)).toBeNull();
    }),
    { numRuns: RUNS },
  );
  console.info(
    `fleet oracle: ${stats.sequences} sequences, ${stats.events} events and time advances (${stats.steps} steps)`,
  );
});

test('one sequence alone in a fleet is the session runner’s case, and a seeded divergence is caught', () => {
  const sequence: Sequence = {
    idle: 2,
    reconnect: 1,
    warning: 1,
    steps: [
      { kind: 'event', event: { type: 'session.join', sessionId: 's1' } },
      { kind: 'event', event: { type: 'session.joined' } },
      { kind: 'advance', ms: 1000 },
      { kind: 'event', event: { type: 'connection.lost' } },
      { kind: 'restore' },
      { kind: 'advance', ms: 999 },
      { kind: 'advance', ms: 1 },
    ],
  };
  expect(runInterleaved({ sequences: [sequence], picks: [] })).toBeNull();
  expect(runInterleaved({ sequences: [sequence, sequence, sequence], picks: [2, 0, 1, 1] })).toBeNull();
  // The runner can fail: a fleet that drops connection.lost is caught at that step.
  const send = CallSessionFleet.prototype.send;
  const spy = vi.spyOn(CallSessionFleet.prototype, 'send').mockImplementation(function (
    this: CallSessionFleet,
    id,
    event,
  ) {
    if (event.type !== 'connection.lost') send.call(this, id, event);
  });
  try {
    expect(runInterleaved({ sequences: [sequence], picks: [] })).toMatch(
      /q0 step 3 .*connection\.lost[\s\S]*state: fleet joined\.alone, oracle reconnecting/,
    );
  } finally {
    spy.mockRestore();
  }
});
