/**
 * The server soak, CI-sized (`npm run soak:server` runs 10,000 rooms): random joins and
 * leaves as signed LiveKit webhooks, every end checked against the reference of soakRun.ts.
 */
import { describe, expect, it } from 'vitest';
import { runServerSoak } from './soakRun.js';

describe('server soak (CI size)', () => {
  it('ends exactly the calls the reference ends, once each, on time', async () => {
    const result = await runServerSoak({
      rooms: 200,
      idleSeconds: 2,
      shortMs: 250,
      longMs: 3200,
      marginMs: 900,
      stepsPerRoom: 4,
      spreadMs: 1000,
      seed: Number(process.env.SOAK_SEED ?? 20),
      toleranceMs: 900,
    });
    expect(result.mismatches).toEqual([]);
    // A busy machine may leave a few rooms undecidable; most must be checked.
    expect(result.ambiguous).toBeLessThan(20);
    // The run is worth something only if it ended some calls and spared others.
    expect(result.expectedEnds).toBeGreaterThan(15);
    expect(result.expectedEnds).toBeLessThan(200);
    expect(result.actualEnds).toBe(result.expectedEnds);
  });
});
