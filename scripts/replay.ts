/**
 * `npm start [-- path/to/log.jsonl]`: replays a session log (docs/session-log.md) on
 * real sessions with a simulated clock and prints the timeline, as
 * `call-session-machine replay` does. Without a path it replays the bundled demo,
 * examples/demo.jsonl.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSessionLog } from '../src/devtools/sessionLog.js';
import { printReplay } from '../src/cli/main.js';

const demo = fileURLToPath(new URL('../examples/demo.jsonl', import.meta.url));
const path = process.argv[2] ?? demo;

try {
  const log = parseSessionLog(readFileSync(path, 'utf8'));
  printReplay(log, path === demo ? 'the bundled demo (examples/demo.jsonl)' : path, console.log);
  const shown = path === demo ? 'examples/demo.jsonl' : path;
  console.log(`\nSee it in the inspector: npm run inspect -- ${shown}  (or --out report.html for one offline file)`);
} catch (error) {
  // A LogFormatError names the line; anything else (a missing file) speaks for itself.
  console.error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
