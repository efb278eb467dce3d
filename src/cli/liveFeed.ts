/**
 * What the live server sends its pages: every message in one kept, bounded log, and each
 * page a cursor into it. A page is written to only while its unsent bytes are under its
 * bound; the rest waits in the log (one copy for every page) and goes out as the page
 * drains. A page so slow that the log dropped what it had not read yet skips to the
 * oldest kept message, and sees the gap in the steps' `seq`. So memory is the log's bound
 * plus each page's, whatever pages do.
 */
import type { ServerResponse } from 'node:http';
import type { LiveMessage } from '../inspector/pageData.js';

export interface LiveFeedBounds {
  /** At most this many messages kept. */
  readonly keep: number;
  /** At most this many characters of messages kept (plus the newest, whatever its size). */
  readonly keepBytes: number;
  /** A page is written to while fewer than this many bytes wait in its socket's buffer. */
  readonly pageBufferBytes: number;
  /** At most this many pages read at once; more are refused. */
  readonly maxPages: number;
}

interface Entry {
  readonly id: number;
  readonly text: string;
}

interface Reader {
  readonly response: ServerResponse;
  /** The id of the next message it is to get. */
  next: number;
  /** The rejected count it was last told. */
  toldRejected: number;
}

/** The kept messages and the pages reading them. */
export class LiveFeed {
  readonly #bounds: LiveFeedBounds;
  /** Kept messages, oldest first, from `#head` on (the slots before it emptied); ids are consecutive. */
  #entries: (Entry | undefined)[] = [];
  #head = 0;
  #keptBytes = 0;
  #nextId = 1;
  readonly #readers = new Set<Reader>();
  #rejected = 0;
  #lastReason = '';

  constructor(bounds: LiveFeedBounds) {
    this.#bounds = bounds;
  }

  /** Keeps `message` and sends it to every page that has room for it. */
  publish(message: LiveMessage): void {
    const entry = { id: this.#nextId++, text: `id: ${this.#nextId - 1}\ndata: ${JSON.stringify(message)}\n\n` };
    this.#entries.push(entry);
    this.#keptBytes += entry.text.length;
    for (const reader of this.#readers) this.#pump(reader);
    this.#evict();
  }

  /** Counts a message that was dropped, and tells the pages (how many, and why the last one). */
  reject(reason: string): void {
    this.#rejected++;
    this.#lastReason = reason;
    for (const reader of this.#readers) this.#pump(reader);
  }

  /** How many messages were dropped so far. */
  get rejected(): number {
    return this.#rejected;
  }

  /** As many pages as allowed are reading. */
  get full(): boolean {
    return this.#readers.size >= this.#bounds.maxPages;
  }

  /** Starts sending to a page that has the messages up to `lastEventId` (0: none); see {@link full}. */
  addPage(response: ServerResponse, lastEventId: number): void {
    const reader: Reader = { response, next: lastEventId + 1, toldRejected: 0 };
    this.#readers.add(reader);
    response.on('drain', () => this.#pump(reader));
    response.on('close', () => this.#readers.delete(reader));
    this.#pump(reader);
  }

  /** Ends every page's stream. */
  close(): void {
    for (const reader of this.#readers) reader.response.end();
    this.#readers.clear();
  }

  #pump(reader: Reader): void {
    const { response } = reader;
    const full = () => response.writableLength >= this.#bounds.pageBufferBytes || response.destroyed;
    if (reader.toldRejected !== this.#rejected && !full()) {
      reader.toldRejected = this.#rejected;
      const note = JSON.stringify({ count: this.#rejected, reason: this.#lastReason });
      response.write(`event: rejected\ndata: ${note}\n\n`);
    }
    const first = this.#entries[this.#head]?.id ?? this.#nextId;
    if (reader.next < first) reader.next = first;
    while (reader.next < this.#nextId && !full()) {
      response.write(this.#entries[this.#head + (reader.next - first)]!.text);
      reader.next++;
    }
  }

  #evict(): void {
    const { keep, keepBytes } = this.#bounds;
    while (this.#entries.length - this.#head > 1) {
      const kept = this.#entries.length - this.#head;
      if (kept <= keep && this.#keptBytes <= keepBytes) break;
      this.#keptBytes -= this.#entries[this.#head]!.text.length;
      // Emptied now: the slot itself goes at the next compaction, its message at once.
      this.#entries[this.#head++] = undefined;
    }
    if (this.#entries.length - this.#head > keep) {
      // keep is 0: not even the newest.
      this.#keptBytes = 0;
      this.#entries = [];
      this.#head = 0;
    }
    // Drop the evicted slots now and then, not on every message: amortised O(1).
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
