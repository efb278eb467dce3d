/**
 * The server: webhooks become session events, a session's warning and timeout become
 * provider calls, and the chart decides in between. One session per counted participant,
 * keyed by room and identity; its remote participants are the others counted in its room.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionSettingsBuilder, type Participant } from '../index.js';
import { TokenError } from './jwt.js';
import { createDailyAdapter, type DailyCredentials } from './providers/daily.js';
import { createLiveKitAdapter, type LiveKitCredentials } from './providers/livekit.js';
import { createTwilioAdapter, type TwilioCredentials } from './providers/twilio.js';
import { Limiter, nodeHttpFetch, type FetchLike, type RestOptions } from './rest.js';
import {
  MemoryStore,
  parseSessionKey,
  sessionKey,
  type MemberRecord,
  type RoomRecord,
  type ServerStore,
  type SessionEvents,
} from './store.js';
import {
  HttpError,
  type IdleEnd,
  type IdleWarning,
  type ProviderAdapter,
  type ProviderName,
  type RawRequest,
  type RoomMember,
  type TimeoutAction,
  type Webhook,
} from './types.js';

/** The largest body the server reads (SPEC §12: over it, 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The LiveKit kinds counted by default (SPEC §12): a recorder (EGRESS) or a stream input (INGRESS) is not company. */
export const DEFAULT_COUNTED_KINDS: readonly string[] = Object.freeze(['STANDARD', 'SIP', 'AGENT']);

/** One structured log line (written as JSON); never holds a secret or a token. */
export type LogLine = Record<string, unknown> & {
  /** What happened: `warning`, `end`, `resync`, `stay`, `refused`, `stale`, `room.finished`, `error`, … */
  readonly event: string;
};

/** What `onWarning` and `onEnd` get besides the warning or the end: the default action, to call or not. */
export interface DefaultAction {
  /** Does what the server would have done (SendData / send-app-message; delete the room / remove the participant). */
  run(): Promise<void>;
}

/** What `createSessionServer` takes. */
export interface SessionServerOptions {
  /** Whose webhooks it takes. */
  readonly provider: ProviderName;
  /** For LiveKit; `fromEnvironment` reads the credentials from the environment variables of SPEC §12. */
  readonly livekit?: LiveKitCredentials;
  /** For Daily. */
  readonly daily?: DailyCredentials;
  /** For Twilio. */
  readonly twilio?: TwilioCredentials;
  /** Seconds alone before the end; default 300. */
  readonly idle?: number;
  /** Seconds before the end that the warning goes out; default 60; 0: no warning. */
  readonly warning?: number;
  /** Default `delete-room`. */
  readonly onTimeout?: TimeoutAction;
  /** The LiveKit participant kinds that count as company; default STANDARD, SIP, AGENT. */
  readonly countedKinds?: readonly string[];
  /**
   * Replaces the default warning delivery. Called once per countdown; `action.run()` does
   * the default. May throw or reject: it is logged and the server goes on.
   */
  readonly onWarning?: (warning: IdleWarning, action: DefaultAction) => void | Promise<void>;
  /**
   * Replaces the default end (after the re-read found the person still alone). Called once
   * per countdown; `action.run()` does the default. May throw or reject: it is logged.
   */
  readonly onEnd?: (end: IdleEnd, action: DefaultAction) => void | Promise<void>;
  /** Where the JSON log lines go; default one line each on stdout. */
  readonly log?: (line: LogLine) => void;
  /** How long one request to the provider's REST API may take; default 5 s. */
  readonly providerTimeoutMs?: number;
  /** At most this many requests to the provider's REST API at once; default 32. */
  readonly providerConcurrency?: number;
  /** The `fetch` the REST calls use; default node:http(s) with keep-alive. */
  readonly fetch?: FetchLike;
  /** @internal The state behind the server; default the in-memory fleet. */
  readonly store?: (
    events: SessionEvents,
    settings: ReturnType<SessionSettingsBuilder['build']>,
    reportError: (error: unknown) => void,
  ) => ServerStore;
}

/** An answer to a request. */
export interface ServerAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The JSON body. */
  readonly body: Record<string, unknown>;
  /** Headers to send besides `content-type` (CORS on `/extend`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * `/extend` is called from the participant's page, on another origin: it is authorised
 * by the Bearer token alone (no cookie), so any origin may call it.
 */
const CORS_HEADERS = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
});

function writeLogLine(line: LogLine): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function participantOf(member: RoomMember): Participant {
  return member.name === undefined ? { pid: member.identity } : { pid: member.identity, name: member.name };
}

function emptyRoom(): RoomRecord {
  return { members: new Map(), gone: new Map(), finishedAt: 0 };
}

/** Read a request body up to MAX_BODY_BYTES; `null` when it is larger. */
function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const given = (request as IncomingMessage & { body?: unknown }).body;
  // Under Express (express.raw) or Fastify the body may already have been read.
  if (Buffer.isBuffer(given)) return Promise.resolve(given.length > MAX_BODY_BYTES ? null : given);
  if (typeof given === 'string') {
    const bytes = Buffer.from(given);
    return Promise.resolve(bytes.length > MAX_BODY_BYTES ? null : bytes);
  }
  // Parsed already (express.json): the signature covers the exact bytes, which are gone.
  if (given !== undefined) return Promise.reject(new HttpError(400, 'the body was parsed before: give the raw body'));
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/**
 * The server as a library: `listener` is a `node:http` request listener (mount it in an
 * existing server; under Express give it the raw body, `express.raw({ type: '*\/*' })`),
 * `handle` answers a request already read. Create one with `createSessionServer`.
 */
export class SessionServer {
  readonly #provider: ProviderAdapter;
  readonly #store: ServerStore;
  readonly #options: SessionServerOptions;
  readonly #counted: ReadonlySet<string>;
  readonly #action: TimeoutAction;
  readonly #log: (line: LogLine) => void;
  /** Work on one room runs in order: a webhook, a timeout's re-read, a stay. */
  readonly #roomQueues = new Map<string, Promise<unknown>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing = false;

  /** @internal Use `createSessionServer`. */
  constructor(options: SessionServerOptions) {
    this.#options = options;
    const concurrency = options.providerConcurrency ?? 32;
    const rest = {
      fetch: options.fetch ?? nodeHttpFetch(concurrency),
      limiter: new Limiter(concurrency),
      ...(options.providerTimeoutMs !== undefined ? { timeoutMs: options.providerTimeoutMs } : {}),
    };
    this.#provider = adapterFor(options, rest);
    const idle = options.idle ?? 300;
    const warning = options.warning ?? 60;
    const settings = new SessionSettingsBuilder()
      .setIdleTimeoutPeriod(idle)
      .setIdleWarningPeriod(warning)
      .setReconnectTimeoutPeriod(0)
      .build();
    this.#counted = new Set((options.countedKinds ?? DEFAULT_COUNTED_KINDS).map((kind) => kind.toUpperCase()));
    this.#action = options.onTimeout ?? 'delete-room';
    const log = options.log ?? writeLogLine;
    this.#log = (line) => {
      try {
        log(line);
      } catch {
        // A log sink that throws must not take a webhook down.
      }
    };
    const events: SessionEvents = {
      onWarning: (key, secondsLeft, deadline) => this.#track(this.#warn(key, secondsLeft, deadline)),
      onTimedOut: (key, deadline) => this.#track(this.#timedOut(key, deadline)),
    };
    const onListenerError = (error: unknown) =>
      this.#log({ event: 'error', where: 'session listener', error: String(error) });
    this.#store = options.store
      ? options.store(events, settings, onListenerError)
      : new MemoryStore(settings, events, onListenerError);
  }

  /** A `node:http` request listener for every endpoint of SPEC §12. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    const work = this.#serve(request, response);
    this.#track(work);
  };

  /** Answers one request whose body has been read. Never throws. */
  async handle(request: RawRequest): Promise<ServerAnswer> {
    try {
      return await this.#route(request);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'internal error';
      const path = request.url.split('?')[0];
      this.#log({ event: 'refused', status, method: request.method, path, reason: message });
      if (!(error instanceof HttpError)) this.#log({ event: 'error', where: path, error: String(error) });
      return { status, body: { ok: false, error: message }, ...(path === '/extend' ? { headers: CORS_HEADERS } : {}) };
    }
  }

  /** The provider this server takes webhooks from. */
  get provider(): ProviderName {
    return this.#provider.name;
  }

  /** How many sessions the server holds. */
  sessionCount(): Promise<number> {
    return this.#store.sessionCount();
  }

  /** The idle deadline of a participant's countdown (epoch ms), or `null` when none runs. */
  idleDeadline(room: string, identity: string): Promise<number | null> {
    return this.#store.idleDeadline(sessionKey(room, identity));
  }

  /** Stops taking requests (503), waits for the work under way, then stops the timers. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#store.close();
  }

  // ---------------------------------------------------------------------------------

  #track(work: Promise<unknown>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: ServerAnswer;
    try {
      const body =
        request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS'
          ? Buffer.alloc(0)
          : await readBody(request);
      if (body === null) {
        response.setHeader('connection', 'close');
        this.#log({ event: 'refused', status: 413, method: request.method, path: request.url?.split('?')[0] });
        answer = { status: 413, body: { ok: false, error: `the body is over ${MAX_BODY_BYTES} bytes` } };
      } else {
        answer = await this.handle({
          method: request.method ?? 'GET',
          url: request.url ?? '/',
          headers: request.headers,
          body,
        });
      }
    } catch (error) {
      const message = error instanceof HttpError ? error.message : 'the request could not be read';
      this.#log({
        event: 'refused',
        status: 400,
        method: request.method,
        path: request.url?.split('?')[0],
        reason: message,
      });
      answer = { status: 400, body: { ok: false, error: message } };
    }
    if (response.headersSent || response.destroyed) return;
    const text = answer.status === 204 ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...answer.headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
    // A body over the limit is not read: close rather than drain it.
    if (answer.status === 413) request.resume();
  }

  async #route(request: RawRequest): Promise<ServerAnswer> {
    const path = request.url.split('?')[0];
    if (path === '/healthz') {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'GET /healthz');
      return {
        status: this.#closing ? 503 : 200,
        body: { ok: !this.#closing, provider: this.#provider.name, sessions: await this.#store.sessionCount() },
      };
    }
    if (this.#closing) throw new HttpError(503, 'the server is shutting down');
    if (path === `/webhooks/${this.#provider.name}`) {
      if (request.method !== 'POST') throw new HttpError(405, `POST ${path}`);
      return this.#webhook(request);
    }
    if (path === '/extend') {
      if (request.method === 'OPTIONS') return { status: 204, body: {}, headers: CORS_HEADERS };
      if (request.method !== 'POST') throw new HttpError(405, 'POST /extend');
      return this.#extend(request);
    }
    if (path === '/webhooks/livekit' || path === '/webhooks/daily' || path === '/webhooks/twilio') {
      throw new HttpError(404, `this server runs for ${this.#provider.name}, not ${path.slice(10)}`);
    }
    throw new HttpError(404, `no endpoint ${path}`);
  }

  async #webhook(request: RawRequest): Promise<ServerAnswer> {
    const webhook = this.#provider.parseWebhook(request);
    const { change } = webhook;
    if (change.type === 'ignored') return { status: 200, body: { ok: true, applied: false, ignored: change.what } };
    return this.#inRoom(change.room, async () => {
      if (webhook.id !== undefined && !(await this.#store.firstSighting(webhook.id))) {
        return { status: 200, body: { ok: true, applied: false, replay: true } };
      }
      const applied = await this.#apply(webhook);
      return { status: 200, body: { ok: true, applied } };
    });
  }

  /** Applies a verified webhook to its room; whether it changed anything. */
  async #apply({ change, at = 0 }: Webhook): Promise<boolean> {
    if (change.type === 'ignored') return false;
    const record = (await this.#store.getRoom(change.room)) ?? emptyRoom();
    if (at !== 0 && at < record.finishedAt) return false;
    if (change.type === 'roomFinished') {
      record.finishedAt = Math.max(record.finishedAt, at);
      const ended = [...record.members.keys()];
      for (const identity of ended) {
        record.gone.set(identity, Math.max(at, record.members.get(identity)!.at));
        await this.#store.remove(sessionKey(change.room, identity));
      }
      record.members.clear();
      await this.#store.putRoom(change.room, record);
      if (ended.length) this.#log({ event: 'room.finished', room: change.room, sessions: ended.length });
      return true;
    }
    const identity = change.type === 'joined' ? change.member.identity : change.identity;
    const last = record.members.get(identity)?.at ?? record.gone.get(identity) ?? 0;
    if (at !== 0 && at < last) {
      this.#log({ event: 'stale', room: change.room, identity, change: change.type });
      return false;
    }
    if (change.roomSid) record.roomSid = change.roomSid;
    if (change.type === 'joined') {
      record.gone.delete(identity);
      record.members.set(identity, { ...change.member, at });
    } else {
      if (!record.members.has(identity)) {
        record.gone.set(identity, Math.max(at, record.gone.get(identity) ?? 0));
        await this.#store.putRoom(change.room, record);
        return false;
      }
      record.members.delete(identity);
      record.gone.set(identity, at);
      await this.#store.remove(sessionKey(change.room, identity));
    }
    await this.#store.putRoom(change.room, record);
    await this.#convergeRoom(change.room, record);
    return true;
  }

  /** Brings every counted participant's session of the room in line with the room's members. */
  async #convergeRoom(room: string, record: RoomRecord): Promise<void> {
    const counted: MemberRecord[] = [];
    for (const member of record.members.values()) if (this.#counted.has(member.kind)) counted.push(member);
    const participants = counted.map(participantOf);
    for (let i = 0; i < counted.length; i++) {
      const others = participants.length === 1 ? [] : participants.filter((_, j) => j !== i);
      await this.#store.converge(sessionKey(room, counted[i]!.identity), others);
    }
  }

  #inRoom<T>(room: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#roomQueues.get(room) ?? Promise.resolve();
    const store = this.#store;
    const run = store.withRoom ? () => store.withRoom!(room, work) : work;
    const next = previous.then(run, run);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#roomQueues.set(room, settled);
    void settled.then(() => {
      if (this.#roomQueues.get(room) === settled) this.#roomQueues.delete(room);
    });
    return next;
  }

  async #extend(request: RawRequest): Promise<ServerAnswer> {
    const authorization = header(request.headers.authorization);
    if (!authorization?.startsWith('Bearer ')) throw new HttpError(401, 'Authorization: Bearer <token> is needed');
    let body: { room?: unknown; identity?: unknown };
    try {
      body = JSON.parse(request.body.toString('utf8')) as typeof body;
    } catch {
      throw new HttpError(400, 'the body is not JSON');
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof body.room !== 'string' ||
      typeof body.identity !== 'string'
    ) {
      throw new HttpError(400, 'the body must be {"room": string, "identity": string}');
    }
    const { room, identity } = body as { room: string; identity: string };
    try {
      this.#provider.verifyStay(authorization.slice(7), room, identity);
    } catch (error) {
      throw new HttpError(401, error instanceof TokenError ? error.message : 'the token is invalid');
    }
    return this.#inRoom(room, async () => {
      const deadline = await this.#store.extend(sessionKey(room, identity));
      if (deadline === null) throw new HttpError(404, 'that participant has no countdown running');
      this.#log({ event: 'stay', room, identity, deadline });
      return { status: 200, body: { ok: true, room, identity, deadline }, headers: CORS_HEADERS };
    });
  }

  async #warn(key: string, secondsLeft: number, deadline: number): Promise<void> {
    const { room, identity } = parseSessionKey(key);
    const warning: IdleWarning = { type: 'idle.warning', room, identity, secondsLeft, deadline };
    const record = await this.#store.getRoom(room);
    const member = record?.members.get(identity) ?? { identity, kind: 'STANDARD' };
    const roomSid = record?.roomSid;
    const run = () =>
      this.#provider.deliversWarning ? this.#provider.sendWarning(warning, member, roomSid) : Promise.resolve();
    try {
      if (this.#options.onWarning) await this.#options.onWarning(warning, { run });
      else await run();
      this.#log({ event: 'warning', room, identity, secondsLeft, deadline, delivered: this.#provider.deliversWarning });
    } catch (error) {
      this.#log({ event: 'warning.failed', room, identity, error: String((error as Error)?.message ?? error) });
    }
  }

  async #timedOut(key: string, deadline: number): Promise<void> {
    const { room, identity } = parseSessionKey(key);
    await this.#inRoom(room, async () => {
      const record = (await this.#store.getRoom(room)) ?? emptyRoom();
      let listed: RoomMember[];
      try {
        listed = await this.#provider.listParticipants(room, record.roomSid);
      } catch (error) {
        // Not knowing who is there, end nobody: a fresh countdown tries again later.
        this.#log({ event: 'end.skipped', room, identity, reason: String((error as Error).message) });
        await this.#convergeRoom(room, record);
        return;
      }
      const self = listed.find((member) => member.identity === identity);
      const company = listed.filter((member) => member.identity !== identity && this.#counted.has(member.kind));
      if (!self || company.length > 0) {
        const before = [...record.members.keys(), identity];
        this.#resync(record, listed);
        for (const known of before) if (!record.members.has(known)) await this.#store.remove(sessionKey(room, known));
        await this.#store.putRoom(room, record);
        await this.#convergeRoom(room, record);
        this.#log({
          event: 'resync',
          room,
          identity,
          reason: self ? 'not alone' : 'not in the room',
          participants: listed.length,
        });
        return;
      }
      const end: IdleEnd = { room, identity, action: this.#action, deadline };
      const run = () => this.#provider.end(this.#action, room, self, record.roomSid);
      try {
        if (this.#options.onEnd) await this.#options.onEnd(end, { run });
        else await run();
        this.#log({ event: 'end', room, identity, action: this.#action });
      } catch (error) {
        this.#log({
          event: 'end.failed',
          room,
          identity,
          action: this.#action,
          error: String((error as Error)?.message ?? error),
        });
      }
      await this.#store.remove(key);
      if (this.#action === 'delete-room') {
        for (const other of record.members.keys()) await this.#store.remove(sessionKey(room, other));
        record.members.clear();
      } else {
        record.members.delete(identity);
      }
      await this.#store.putRoom(room, record);
    });
  }

  /** The room's members become the provider's list (the re-read is the truth). */
  #resync(record: RoomRecord, listed: readonly RoomMember[]): void {
    const previous = new Map(record.members);
    record.members.clear();
    for (const member of listed) {
      record.members.set(member.identity, { ...member, at: previous.get(member.identity)?.at ?? 0 });
    }
  }
}

function adapterFor(options: SessionServerOptions, rest: RestOptions): ProviderAdapter {
  switch (options.provider) {
    case 'livekit':
      if (!options.livekit) throw new TypeError('provider livekit needs the livekit credentials');
      return createLiveKitAdapter(options.livekit, rest);
    case 'daily':
      if (!options.daily) throw new TypeError('provider daily needs the daily credentials');
      return createDailyAdapter(options.daily, rest);
    case 'twilio':
      if (!options.twilio) throw new TypeError('provider twilio needs the twilio credentials');
      return createTwilioAdapter(options.twilio, rest);
    default:
      throw new TypeError(`provider must be livekit, daily or twilio; got ${String(options.provider)}`);
  }
}

/** Creates the server of SPEC §12 for one provider, on the in-memory fleet. */
export function createSessionServer(options: SessionServerOptions): SessionServer {
  return new SessionServer(options);
}
