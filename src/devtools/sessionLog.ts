import type { InspectionEvent } from 'xstate';
import type { CallSessionEvent, SessionSettings } from '../../machines/callSession.types.js';
import { createCallSession, type CallSession, type SessionClock } from '../session/callSession.js';
import { parseEvent } from '../core/events.js';
import { checkSettings } from '../../machines/settings.js';
import { TimerHeap } from '../core/timerHeap.js';
import { createTraceInspector } from './trace.js';

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
/** The latest time whose milliseconds a number holds exactly (about 285,000 years). */
const MAX_AT_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parses a whole log before anything runs, so a bad line stops the replay before its first event. */
export function parseSessionLog(text: string): SessionLog {
  let settings: SessionSettings | undefined;
  const entries: LogEntry[] = [];
  let previousAt = 0;
  let seenContent = false;
  // A UTF-8 byte-order mark, as Windows editors write it, is no content.
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
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
      if (unknown.length)
        throw new LogFormatError(line, `unknown field ${JSON.stringify(unknown[0])} (expected at, event, session)`);
      const at = record.at;
      if (typeof at !== 'number' || !(at >= 0 && at <= MAX_AT_SECONDS)) {
        throw new LogFormatError(
          line,
          `"at" must be a number of seconds from 0 to ${MAX_AT_SECONDS}; got ${typeof at === 'number' ? String(at) : JSON.stringify(at)}`,
        );
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

/** A pending replay timer: its callback, and its handle in the heap while it is pending. */
interface ReplayTimer {
  readonly callback: () => void;
  handle: number;
}

/**
 * A simulated clock for replays, with its pending timers in the package's one timer heap
 * (src/core/timerHeap.ts, the fleet's), so that time stops at each due time in order:
 * every timer fires, and is traced, at its own time rather than at the end of a larger
 * step; timers due at one instant fire in the order set. xstate's `SimulatedClock`
 * sorts every pending timer on each step, which made a replay of n sessions O(n²).
 */
export class ReplayClock implements SessionClock {
  #now = 0;
  readonly #heap = new TimerHeap();
  /** The pending timers by heap handle; a handle is reused once its timer fired or was cleared. */
  readonly #timers: (ReplayTimer | undefined)[] = [];
  readonly #freeHandles: number[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#freeHandles.pop() ?? this.#timers.length;
    const timer: ReplayTimer = { callback, handle };
    this.#timers[handle] = timer;
    this.#heap.set(handle, this.#now + Math.max(0, ms));
    return timer;
  }

  clearTimeout(id: unknown): void {
    const timer = id as ReplayTimer;
    if (timer.handle < 0 || this.#timers[timer.handle] !== timer) return;
    this.#heap.delete(timer.handle);
    this.#release(timer);
  }

  now(): number {
    return this.#now;
  }

  /** Moves time to `target`, firing every timer due by then (timers set on the way included) at its due time. */
  advanceTo(target: number): void {
    const heap = this.#heap;
    while (heap.peekDue() <= target) {
      this.#now = Math.max(this.#now, heap.peekDue());
      const timer = this.#timers[heap.pop()]!;
      this.#release(timer);
      timer.callback();
    }
    this.#now = Math.max(this.#now, target);
  }

  #release(timer: ReplayTimer): void {
    this.#timers[timer.handle] = undefined;
    this.#freeHandles.push(timer.handle);
    timer.handle = -1;
  }
}

/** Names are padded to line up up to this width; a longer name is shown whole and pads nothing. */
export const NAME_COLUMN_MAX = 24;

/**
 * The column the session names take: the longest name, up to {@link NAME_COLUMN_MAX}, so
 * that one long name does not widen every line of every other session. A loop, not
 * `Math.max(...names)`: a spread of 150,000 arguments overflows the stack.
 */
function nameColumnWidth(names: Iterable<string>): number {
  let width = 0;
  for (const name of names) if (name.length > width) width = Math.min(name.length, NAME_COLUMN_MAX);
  return width;
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
  const clock = new ReplayClock();
  const sessions = new Map<string, CallSession>();
  // A line that only lets time pass names no session, even if it says one.
  const names = new Set(log.entries.filter((entry) => entry.event).map((entry) => entry.session));
  const width = nameColumnWidth(names);
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
