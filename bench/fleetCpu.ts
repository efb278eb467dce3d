/**
 * `node --import tsx bench/fleetCpu.ts [tree]`: the fleet's CPU cost per call and per
 * timeout on a SimulatedClock, which no other process on the machine skews (CPU time,
 * not wall time): N sessions (default 50,000; `N=…`) added, joined and joined alone,
 * then all their idle timeouts fired in one clock step; medians of 7 rounds. `tree` is
 * the root of a checkout to measure (default this one), so that two versions can be
 * compared with the same script.
 */
import { SimulatedClock } from 'xstate';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
const { createCallSessionFleet } = (await import(
  `${root}/src/fleet/index.ts`
)) as typeof import('../src/fleet/index.js');
const { SessionSettingsBuilder } = (await import(`${root}/src/index.ts`)) as typeof import('../src/index.js');
const N = Number(process.env.N ?? 50_000);
const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).build();

const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

function round(): { fire: number; call: number } {
  const clock = new SimulatedClock();
  const fleet = createCallSessionFleet({ clock, settings, removeOnEnd: true, timerBatchSize: 1_000_000 });
  let fired = 0;
  fleet.addSessionStatusListener({ onSessionTimedOut: () => fired++ });
  const start = cpuUs();
  for (let i = 0; i < N; i++) {
    const id = `s${i}`;
    fleet.add(id);
    fleet.join(id);
    fleet.send(id, { type: 'session.joined' });
  }
  const created = cpuUs();
  clock.increment(10_000);
  const done = cpuUs();
  if (fired !== N) throw new Error(`fleetCpu: ${fired} of ${N} timeouts fired`);
  return { call: (created - start) / (3 * N), fire: (done - created) / N };
}

const fires: number[] = [];
const calls: number[] = [];
for (let r = 0; r < 7; r++) {
  const { fire, call } = round();
  fires.push(fire);
  calls.push(call);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log(
  `${root}: ${median(fires).toFixed(2)} µs of CPU per timeout, ${median(calls).toFixed(2)} µs per add/join/send ` +
    `(${N.toLocaleString('en-US')} sessions, medians of 7 rounds; timeouts by round: ${fires.map((f) => f.toFixed(1)).join(' ')})`,
);
