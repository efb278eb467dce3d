/**
 * `npm start [-- path/to/log.jsonl]`: replays a session log (docs/session-log.md) on
 * real sessions with a simulated clock and prints the timeline. Without a path it
 * replays the bundled demo, examples/demo.jsonl.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SESSION_SETTINGS } from '../machines/callSession.types.js';
import { parseSessionLog, replaySessionLog } from '../src/log/sessionLog.js';

const demo = fileURLToPath(new URL('../examples/demo.jsonl', import.meta.url));
const path = process.argv[2] ?? demo;

try {
  const log = parseSessionLog(readFileSync(path, 'utf8'));
  const settings = log.settings ?? DEFAULT_SESSION_SETTINGS;
  console.log(`Replaying ${path === demo ? 'the bundled demo (examples/demo.jsonl)' : path}`);
  console.log(
    `settings: idleTimeoutPeriod ${settings.idleTimeoutPeriod} s, reconnectTimeoutPeriod ${settings.reconnectTimeoutPeriod} s, type ${settings.type}\n`,
  );
  const sessions = replaySessionLog(log, console.log);
  console.log('');
  for (const [name, session] of sessions) {
    console.log(`${name}: ${session.state}${session.endReason ? ` (endReason ${session.endReason})` : ''}`);
  }
} catch (error) {
  // A LogFormatError names the line; anything else (a missing file) speaks for itself.
  console.error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
