// npm run soak:server: 10,000 LiveKit rooms with random joins and leaves (recorders, lost
// and duplicated webhooks) as signed webhooks through one server on loopback, checked
// against the reference of test/server/soakRun.ts. ROOMS and SEED override the defaults.
import { runServerSoak } from '../test/server/soakRun.js';

const rooms = Number(process.env.ROOMS ?? 10_000);
const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
console.log(`server soak: ${rooms} rooms, seed ${seed} (SEED=${seed} repeats it)`);
const result = await runServerSoak({
  rooms,
  // Long enough periods that the outcome never hangs on how busy the machine is: no step
  // within 10 s of a deadline (the driver, the server and the LiveKit stand-in share this
  // process), 55,000 webhooks over about four minutes.
  idleSeconds: 30,
  shortMs: 3000,
  longMs: 40_000,
  marginMs: 10_000,
  stepsPerRoom: 5,
  spreadMs: 120_000,
  seed,
  toleranceMs: 8000,
});
const pick = (q: number) =>
  result.lateness[Math.min(result.lateness.length - 1, Math.floor(q * result.lateness.length))] ?? NaN;
console.log(
  `${result.webhooks} signed webhooks in ${result.seconds.toFixed(1)} s; ${result.expectedEnds} calls to end, ${result.actualEnds} DeleteRoom calls`,
);
console.log(
  `${result.ambiguous} rooms left unchecked (a step answered too late to tell whether it came before a deadline)`,
);
console.log(
  `end lateness vs the reference deadline: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${result.lateness.at(-1)} ms`,
);
if (result.mismatches.length) {
  const kinds = new Map<string, number>();
  for (const m of result.mismatches) {
    const kind = m.replace(/^soak-\d+: /, '').replace(/-?\d+ (ms|times)/, 'N $1');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  console.error([...kinds].map(([kind, n]) => `  ${n} × ${kind}`).join('\n'));
  console.error(`${result.mismatches.length} mismatches (first 20):\n${result.mismatches.slice(0, 20).join('\n')}`);
  process.exit(1);
}
console.log('every end matches the reference: once each, on time');
