import { SimulatedClock, type InspectionEvent } from 'xstate';
import type { CallSessionEvent, SessionSettings } from '../../machines/callSession.types.js';
import { createCallSession, type CallSession, type SessionClock } from '../callSession.js';
import { parseEvent } from '../events.js';
import { checkSettings } from '../settings.js';
import { createTraceInspector } from '../trace.js';

/** One timed line of a session log (docs/session-log.md). */
export interface LogEntry {
  readonly line: number;
  /** Seconds from the start of the log. */
  readonly at: number;
  /** Which session the event goes to; logs of one session leave it out. */
  readonly session: string;
  /** Absent: only let time pass until `at`. */
  readonly event?: CallSessionEvent;
}

export interface SessionLog {
  readonly settings?: SessionSettings;
  readonly entries: readonly LogEntry[];
}

/** A log line that is not what docs/session-log.md describes. */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const ENTRY_FIELDS = new Set(['at', 'event', 'session']);
const DEFAULT_SESSION = 'main';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parses a whole log before anything runs, so a bad line stops the replay before its first event. */
export function parseSessionLog(text: string): SessionLog {
  let settings: SessionSettings | undefined;
  const entries: LogEntry[] = [];
  let previousAt = 0;
  let seenContent = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new LogFormatError(line, `not valid JSON (${messageOf(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new LogFormatError(line, 'each line must be a JSON object');
    }
    const record = value as Record<string, unknown>;
    const firstContent = !seenContent;
    seenContent = true;
    if ('settings' in record) {
      if (!firstContent) throw new LogFormatError(line, 'settings may only be given on the first line');
      if (Object.keys(record).length !== 1) throw new LogFormatError(line, 'a settings line holds only "settings"');
      try {
        settings = checkSettings(record.settings);
      } catch (error) {
        throw new LogFormatError(line, `settings: ${messageOf(error)}`);
      }
      return;
    }
    const unknown = Object.keys(record).filter((key) => !ENTRY_FIELDS.has(key));
    if (unknown.length) throw new LogFormatError(line, `unknown field ${JSON.stringify(unknown[0])} (expected at, event, session)`);
    const at = record.at;
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) {
      throw new LogFormatError(line, `"at" must be a number of seconds, 0 or more; got ${JSON.stringify(at)}`);
    }
    if (at < previousAt) throw new LogFormatError(line, `"at" goes back in time (${at} s after ${previousAt} s)`);
    previousAt = at;
    const session = record.session ?? DEFAULT_SESSION;
    if (typeof session !== 'string' || session === '') {
      throw new LogFormatError(line, `"session" must be a non-empty string; got ${JSON.stringify(session)}`);
    }
    let event: CallSessionEvent | undefined;
    if (record.event !== undefined) {
      try {
        event = parseEvent(record.event);
      } catch (error) {
        throw new LogFormatError(line, `event: ${messageOf(error)}`);
      }
    }
    entries.push(event ? { line, at, session, event } : { line, at, session });
  });
  return settings ? { settings, entries } : { entries };
}

/**
 * A `SimulatedClock` that knows when each pending timer is due, so that time can stop
 * at each one: every timer then fires, and is traced, at its own time rather than at
 * the end of a larger step.
 */
class SteppingClock implements SessionClock {
  readonly #inner = new SimulatedClock();
  readonly #due = new Map<unknown, number>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id: unknown = this.#inner.setTimeout(() => {
      this.#due.delete(id);
      callback();
    }, ms);
    this.#due.set(id, this.#inner.now() + ms);
    return id;
  }

  clearTimeout(id: unknown): void {
    this.#due.delete(id);
    this.#inner.clearTimeout(id as number);
  }

  now(): number {
    return this.#inner.now();
  }

  /** Moves time to `target`, stopping at every due time on the way (timers set on the way included). */
  advanceTo(target: number): void {
    for (;;) {
      let next = target;
      for (const due of this.#due.values()) if (due < next) next = due;
      this.#inner.set(Math.max(next, this.#inner.now()));
      if (next >= target) return;
    }
  }
}

/**
 * Replays a parsed log on real sessions sharing one simulated clock, writing the trace
 * of every session (prefixed by its name when the log has several). `inspect`, if given,
 * makes a second inspection observer for each session, by name (the inspector page
 * records its steps so).
 */
export function replaySessionLog(
  log: SessionLog,
  write: (line: string) => void,
  inspect?: (name: string) => (event: InspectionEvent) => void,
): Map<string, CallSession> {
  const clock = new SteppingClock();
  const sessions = new Map<string, CallSession>();
  // A line that only lets time pass names no session, even if it says one.
  const names = new Set(log.entries.filter((entry) => entry.event).map((entry) => entry.session));
  const width = Math.max(0, ...[...names].map((name) => name.length));
  const sessionNamed = (name: string): CallSession => {
    let session = sessions.get(name);
    if (!session) {
      const prefix = names.size > 1 ? `${name.padEnd(width)} ` : '';
      const trace = createTraceInspector((line) => write(prefix + line));
      const also = inspect?.(name);
      session = createCallSession({
        clock,
        ...(log.settings && { settings: log.settings }),
        inspect: also
          ? (event: InspectionEvent) => {
              trace(event);
              also(event);
            }
          : trace,
      });
      sessions.set(name, session);
    }
    return session;
  };
  for (const entry of log.entries) {
    clock.advanceTo(Math.round(entry.at * 1000));
    if (entry.event) sessionNamed(entry.session).send(entry.event);
  }
  return sessions;
}
