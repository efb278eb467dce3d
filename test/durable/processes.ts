// The parent's side of test/durable/child.ts: real child processes, each with its own
// DurableCallSessionFleet on one Redis, driven over IPC, killed with SIGKILL on demand.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DurableSendResult, DurableSession } from '../../src/durable/index.js';
import type { ChildCallback, ChildInit, ChildRequest } from './child.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export class FleetProcess {
  readonly name: string;
  readonly callbacks: ChildCallback[] = [];
  readonly errors: string[] = [];
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #seq = 0;
  #exited = false;
  readonly exited: Promise<void>;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.#exited = true;
        for (const { reject } of this.#waiting.values()) reject(new Error(`${name} exited`));
        this.#waiting.clear();
        resolve();
      }),
    );
  }

  /** Starts a child process running a durable fleet, resolved once it is connected. */
  static async start(name: string, init: ChildInit): Promise<FleetProcess> {
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const process = new FleetProcess(name, child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: Record<string, unknown>) => {
        if ('ready' in message) resolve();
        else if ('fatal' in message) reject(new Error(`${name}: ${String(message.fatal)}`));
        else process.#onMessage(message);
      });
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} while starting`)));
      child.send(init);
    });
    return process;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  #onMessage(message: Record<string, unknown>): void {
    if ('callback' in message) {
      this.callbacks.push(message.callback as ChildCallback);
    } else if ('listenerError' in message || 'backgroundError' in message) {
      this.errors.push(String(message.listenerError ?? message.backgroundError));
    } else if (typeof message.seq === 'number') {
      const waiting = this.#waiting.get(message.seq);
      this.#waiting.delete(message.seq);
      if (!waiting) return;
      if (message.ok) waiting.resolve(message.result);
      else {
        const { name, message: text } = message.error as { name: string; message: string };
        const error = new Error(text);
        error.name = name;
        waiting.reject(error);
      }
    }
  }

  request(request: ChildRequest): Promise<unknown> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.#child.send({ seq, request });
    });
  }

  add(id: string, options?: object): Promise<unknown> {
    return this.request({ op: 'add', id, ...(options && { options }) });
  }

  send(id: string, event: object): Promise<DurableSendResult> {
    return this.request({ op: 'send', id, event }) as Promise<DurableSendResult>;
  }

  get(id: string): Promise<DurableSession | null> {
    return this.request({ op: 'get', id }) as Promise<DurableSession | null>;
  }

  /** Kills the process with SIGKILL: no close, no cleanup, whatever it was doing. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** Closes its fleet, then it exits. */
  async close(): Promise<void> {
    if (this.#exited) return;
    await this.request({ op: 'close' }).catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
