/** `call-session-machine replay FILE`: a session log's timeline on a simulated clock, as `npm start` prints it. */
import { readFileSync } from 'node:fs';
import { DEFAULT_SESSION_SETTINGS } from '../../machines/callSession.types.js';
import { parseSessionLog, replaySessionLog, type SessionLog } from '../devtools/sessionLog.js';
import { CliError, codeOf, EXIT, messageOf, type Subcommand } from './command.js';
import { printable } from './terminal.js';

/** Reads and parses a log; a {@link CliError} naming the file (and, for a malformed log, the line). */
export function readLog(path: string): { log: SessionLog; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`${path}: cannot read it (${codeOf(error)})`, EXIT.badInput);
  }
  try {
    return { log: parseSessionLog(text), text };
  } catch (error) {
    // A LogFormatError names the line.
    throw new CliError(`${path}: ${messageOf(error)}`, EXIT.badInput);
  }
}

/**
 * The text timeline, exactly as `npm start` prints it. Every line goes through
 * {@link printable}: what the log holds is shown, never acted on by the terminal.
 */
export function printReplay(log: SessionLog, shownAs: string, write: (line: string) => void): void {
  const out = (line: string) => write(printable(line));
  const settings = log.settings ?? DEFAULT_SESSION_SETTINGS;
  out(`Replaying ${shownAs}`);
  out(
    `settings: idleTimeoutPeriod ${settings.idleTimeoutPeriod} s, reconnectTimeoutPeriod ${settings.reconnectTimeoutPeriod} s, type ${settings.type}\n`,
  );
  const sessions = replaySessionLog(log, out);
  out('');
  for (const [name, session] of sessions) {
    out(`${name}: ${session.state}${session.endReason ? ` (endReason ${session.endReason})` : ''}`);
  }
}

export const replayCommand: Subcommand = {
  options: {},
  usage: `  call-session-machine replay FILE
      Replays a session log (JSON Lines, one engine report a line; the format:
      https://github.com/call-session-machine/call-session-machine/blob/main/docs/session-log.md)
      on a simulated clock and prints its timeline: states, callbacks, timers.
`,
  run({ files, line }) {
    if (files.length !== 1) throw new CliError('replay takes one FILE', EXIT.badInput);
    const path = files[0]!;
    printReplay(readLog(path).log, path, line);
    return Promise.resolve(EXIT.ok);
  },
};
