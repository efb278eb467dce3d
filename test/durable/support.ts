// Shared by the durable tests: the parent's own view of Redis (the stored records and
// BullMQ's jobs), read directly, and the callbacks of many processes in stored order.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { jobIdOf, parseRecord, type SessionRecord } from '../../src/durable/record.js';
import { SessionSettingsBuilder, type SessionSettings } from '../../src/index.js';
import type { ChildCallback } from './child.js';
import type { FleetProcess } from './processes.js';

export function settingsOf(idle: number, reconnect: number, warning = 0): SessionSettings {
  return new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idle)
    .setReconnectTimeoutPeriod(reconnect)
    .setIdleWarningPeriod(warning)
    .build();
}

/** A Redis connection and the deadline queue, as an operator would inspect them. */
export class RedisView {
  readonly redis: Redis;
  readonly queue: Queue;
  readonly prefix: string;

  constructor(url: string, prefix: string) {
    this.prefix = prefix;
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.queue = new Queue('deadlines', { connection: this.redis, prefix });
  }

  async record(id: string): Promise<SessionRecord | null> {
    const raw = await this.redis.get(`${this.prefix}:s:${id}`);
    return raw === null ? null : parseRecord(raw);
  }

  /** The BullMQ state of the job of each pending timer of `id` (`delayed`, `waiting`, …, `unknown` when there is none). */
  async timerJobStates(id: string): Promise<string[]> {
    const record = await this.record(id);
    if (!record) return [];
    return Promise.all(record.timers.map((timer) => this.queue.getJobState(jobIdOf(id, timer))));
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.redis.quit();
  }
}

/** The callbacks for `id` that every process reported, in the order their transitions were stored. */
export function callbacksOf(processes: readonly FleetProcess[], id: string): ChildCallback[] {
  return processes
    .flatMap((process) => process.callbacks.filter((callback) => callback.id === id))
    .sort((a, b) => a.version - b.version || a.order - b.order);
}
