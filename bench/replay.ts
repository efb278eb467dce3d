/**
 * `npm run bench:replay`: how the log replay (`npm start -- log.jsonl`) scales with the
 * number of sessions in one log. Each session is four lines (join, joined alone,
 * connection lost, restored), and every idle countdown is still pending until a last
 * time-only line lets them all run out, so the pending timers grow with the sessions: a
 * replay that scans or sorts every pending timer per step is quadratic here.
 */
import { parseSessionLog, replaySessionLog } from '../src/devtools/sessionLog.js';

function logOf(lines: number): string {
  const sessions = lines / 4;
  const out: string[] = ['{"settings": {"idleTimeoutPeriod": 120, "reconnectTimeoutPeriod": 30}}'];
  for (let i = 0; i < sessions; i++) {
    const at = i * 0.01;
    const session = `s${i}`;
    out.push(JSON.stringify({ at, session, event: { type: 'session.join', sessionId: session } }));
    out.push(JSON.stringify({ at, session, event: { type: 'session.joined' } }));
    out.push(JSON.stringify({ at, session, event: { type: 'connection.lost' } }));
    out.push(JSON.stringify({ at, session, event: { type: 'connection.restored' } }));
  }
  out.push('{"at": 100000}');
  return out.join('\n');
}

const sizes = (process.env.REPLAY_LINES ?? '10000,40000,200000').split(',').map(Number);
console.log('lines    sessions   parse ms   replay ms   trace lines   µs/line');
for (const lines of sizes) {
  const text = logOf(lines);
  const started = performance.now();
  const log = parseSessionLog(text);
  const parsed = performance.now();
  let traced = 0;
  replaySessionLog(log, () => traced++);
  const replayed = performance.now();
  const perLine = ((replayed - started) * 1000) / lines;
  console.log(
    `${String(lines).padEnd(8)} ${String(lines / 4).padEnd(10)} ${(parsed - started).toFixed(0).padStart(8)}   ${(replayed - parsed).toFixed(0).padStart(9)}   ${String(traced).padStart(11)}   ${perLine.toFixed(1).padStart(7)}`,
  );
}
