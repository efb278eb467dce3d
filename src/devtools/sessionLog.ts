import type { InspectionEvent } from 'xstate';
import type { CallSessionEvent, SessionSettings } from '../../machines/callSession.types.js';
import { createCallSession, type CallSession, type SessionClock } from '../session/callSession.js';
import { parseEvent } from '../core/events.js';
import { checkSettings } from '../../machines/settings.js';
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

interface ReplayTimer {
  readonly due: number;
  /** Creation order: timers due at one instant fire in the order they were set. */
  readonly order: number;
  readonly callback: () => void;
  live: boolean;
}

function runsBefore(a: ReplayTimer, b: ReplayTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}

/**
 * A simulated clock for replays, with its pending timers in a binary heap, so that time
 * stops at each due time in order: every timer fires, and is traced, at its own time
 * rather than at the end of a larger step. xstate's `SimulatedClock` sorts every
 * pending timer on each step, which made a replay of n sessions O(n²).
 */
export class ReplayClock implements SessionClock {
  #now = 0;
  #order = 0;
  readonly #heap: ReplayTimer[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: ReplayTimer = { due: this.#now + Math.max(0, ms), order: this.#order++, callback, live: true };
    const heap = this.#heap;
    let at = heap.push(timer) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!runsBefore(timer, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = timer;
    return timer;
  }

  /** A cleared timer stays in the heap, dead, until its due time comes round. */
  clearTimeout(id: unknown): void {
    (id as ReplayTimer).live = false;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time to `target`, firing every timer due by then (timers set on the way included) at its due time. */
  advanceTo(target: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.due <= target) {
      const timer = this.#pop();
      if (!timer.live) continue;
      timer.live = false;
      this.#now = Math.max(this.#now, timer.due);
      timer.callback();
    }
    this.#now = Math.max(this.#now, target);
  }

  #pop(): ReplayTimer {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && runsBefore(heap[right]!, heap[left]!) ? right : left;
      if (!runsBefore(heap[child]!, last)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = last;
    return top;
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
