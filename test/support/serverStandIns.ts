/**
 * The providers' REST APIs stood in for by loopback HTTP servers that record every call,
 * and webhooks signed by the providers' own signers: livekit-server-sdk 2.19.2's
 * `AccessToken` (with its `sha256` claim) over a body written by @livekit/protocol's own
 * `WebhookEvent`, the Daily HMAC as Daily documents it, and the twilio 6.3.1 package's own
 * `getExpectedTwilioSignature`. The LiveKit stand-in checks each call's token with the
 * SDK's `TokenVerifier` and parses each body with @livekit/protocol's request types, so a
 * call the real server would refuse is refused here too. Public SDK APIs only.
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteRoomRequest,
  ListParticipantsRequest,
  ListParticipantsResponse,
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  RoomParticipantIdentity,
  SendDataRequest,
  WebhookEvent,
  Room as RoomInfo,
} from '@livekit/protocol';
import { AccessToken, TokenVerifier, WebhookReceiver } from 'livekit-server-sdk';
import twilio from 'twilio';

export interface RecordedCall {
  /** LiveKit: the Twirp method; Daily/Twilio: `METHOD /path`. */
  readonly method: string;
  readonly body: Record<string, unknown>;
  /** LiveKit: the verified claims of the call's token. */
  readonly claims?: Record<string, unknown>;
  /** When the stand-in received it (Date.now()). */
  readonly at: number;
}

export interface StandIn {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Who is in each room, as the provider would list them. */
  readonly rooms: Map<string, { identity: string; kind?: keyof typeof ParticipantInfo_Kind; sid?: string }[]>;
  /** Calls of these methods are recorded at once and answered after that many ms (a slow provider). */
  readonly slow: Map<string, number>;
  /** Answer the next `n` calls with HTTP `status` (a failing provider). */
  failNext(n: number, status: number): void;
  /** Resolves once a call matching `predicate` has been recorded. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

function listen(handler: (request: IncomingMessage, body: string) => Promise<[number, unknown]>): Promise<{
  server: Server;
  url: string;
}> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void handler(request, Buffer.concat(chunks).toString('utf8')).then(
        ([status, body]) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(body === undefined ? '' : JSON.stringify(body));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ msg: String(error) }));
        },
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

function standIn(
  handle: (request: IncomingMessage, body: string, record: (call: RecordedCall) => void) => Promise<[number, unknown]>,
): Promise<StandIn> {
  const calls: RecordedCall[] = [];
  const rooms: StandIn['rooms'] = new Map();
  const slow: StandIn['slow'] = new Map();
  const waiters: { predicate: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = [];
  let failing = 0;
  let failStatus = 500;
  const record = (call: RecordedCall) => {
    calls.push(call);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(call)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
  };
  return listen(async (request, body) => {
    if (failing > 0) {
      failing--;
      return [failStatus, { msg: 'stand-in told to fail' }];
    }
    return handle(request, body, record);
  }).then(({ server, url }) => ({
    url,
    calls,
    rooms,
    slow,
    failNext(n, status) {
      failing = n;
      failStatus = status;
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = calls.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no matching call in ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => c.method))}`),
            ),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }));
}

// --- LiveKit ---------------------------------------------------------------------------

export const LIVEKIT_KEY = 'APItestkey';
export const LIVEKIT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

const TWIRP_REQUESTS = {
  ListParticipants: ListParticipantsRequest,
  DeleteRoom: DeleteRoomRequest,
  RemoveParticipant: RoomParticipantIdentity,
  SendData: SendDataRequest,
} as const;

/** A LiveKit room service: Twirp JSON, tokens checked by the SDK's own verifier. */
export function startLiveKitStandIn(secret = LIVEKIT_SECRET, key = LIVEKIT_KEY): Promise<StandIn> {
  const verifier = new TokenVerifier(key, secret);
  let self: StandIn;
  const promise = standIn(async (request, body, record) => {
    const match = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(request.url ?? '');
    const method = match?.[1] as keyof typeof TWIRP_REQUESTS | undefined;
    if (!method || !(method in TWIRP_REQUESTS)) return [404, { code: 'bad_route', msg: request.url }];
    let claims: Record<string, unknown>;
    try {
      claims = (await verifier.verify((request.headers.authorization ?? '').replace(/^Bearer /, ''))) as Record<
        string,
        unknown
      >;
    } catch {
      return [401, { code: 'unauthenticated', msg: 'invalid token' }];
    }
    // The request's own protobuf type reads it, as the server's Twirp handler does.
    const parsed = TWIRP_REQUESTS[method].fromJsonString(body);
    const json = parsed.toJson() as Record<string, unknown>;
    const room = String(json.room ?? '');
    const video = (claims.video ?? {}) as Record<string, unknown>;
    const allowed =
      method === 'DeleteRoom' ? video.roomCreate === true : video.roomAdmin === true && video.room === room;
    if (!allowed) return [403, { code: 'permission_denied', msg: 'no grant' }];
    record({ method, body: json, claims, at: Date.now() });
    const delay = self.slow.get(method);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const listed = self.rooms.get(room);
    if (method === 'ListParticipants') {
      if (!listed) return [404, { code: 'not_found', msg: 'room not found' }];
      const response = new ListParticipantsResponse({
        participants: listed.map(
          (p) =>
            new ParticipantInfo({
              identity: p.identity,
              sid: p.sid ?? `PA_${p.identity}`,
              state: ParticipantInfo_State.ACTIVE,
              kind: ParticipantInfo_Kind[p.kind ?? 'STANDARD'],
            }),
        ),
      });
      return [200, response.toJson()];
    }
    if (method === 'DeleteRoom') self.rooms.delete(room);
    if (method === 'RemoveParticipant' && listed) {
      self.rooms.set(
        room,
        listed.filter((p) => p.identity !== json.identity),
      );
    }
    return [200, {}];
  });
  return promise.then((s) => (self = s));
}

/** The warning a SendData call carried, decoded. */
export function sentData(call: RecordedCall): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(call.body.data), 'base64').toString('utf8')) as Record<string, unknown>;
}

export interface LiveKitEventInit {
  event:
    | 'participant_joined'
    | 'participant_left'
    | 'participant_connection_aborted'
    | 'room_finished'
    | 'room_started'
    | 'track_published';
  room: string;
  identity?: string;
  kind?: keyof typeof ParticipantInfo_Kind;
  id?: string;
  /** Seconds. */
  createdAt?: number;
}

let eventCounter = 0;

/** A webhook as the LiveKit server sends it: protojson of `WebhookEvent`, and the SDK's token with `sha256`. */
export async function liveKitWebhook(
  init: LiveKitEventInit,
  secret = LIVEKIT_SECRET,
  key = LIVEKIT_KEY,
): Promise<{ body: string; headers: Record<string, string> }> {
  const event = new WebhookEvent({
    event: init.event,
    id: init.id ?? `EV_${process.pid}_${++eventCounter}`,
    createdAt: BigInt(Math.floor(init.createdAt ?? Date.now() / 1000)),
    room: new RoomInfo({ name: init.room, sid: `RM_${init.room}` }),
    ...(init.identity
      ? {
          participant: new ParticipantInfo({
            identity: init.identity,
            sid: `PA_${init.identity}`,
            state: ParticipantInfo_State.ACTIVE,
            kind: ParticipantInfo_Kind[init.kind ?? 'STANDARD'],
          }),
        }
      : {}),
  });
  const body = event.toJsonString();
  const token = new AccessToken(key, secret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return { body, headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() } };
}

/** The SDK's own receiver, to prove a signed test webhook is one LiveKit's SDK accepts. */
export function liveKitReceiver(secret = LIVEKIT_SECRET, key = LIVEKIT_KEY): WebhookReceiver {
  return new WebhookReceiver(key, secret);
}

/** A participant's own access token, as an app's backend mints it with the SDK. */
export function liveKitParticipantToken(
  room: string,
  identity: string,
  options: { secret?: string; key?: string; ttl?: number | string; roomJoin?: boolean } = {},
): Promise<string> {
  const token = new AccessToken(options.key ?? LIVEKIT_KEY, options.secret ?? LIVEKIT_SECRET, {
    identity,
    ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
  });
  token.addGrant({ room, roomJoin: options.roomJoin ?? true });
  return token.toJwt();
}

// --- Daily ------------------------------------------------------------------------------

export const DAILY_KEY = 'daily-api-key-for-tests';
/** Daily hands out the webhook secret base64-encoded. */
export const DAILY_SECRET = Buffer.from('daily webhook secret bytes').toString('base64');

/** Daily's REST API: presence, send-app-message, eject, room delete; `Bearer <API key>` checked. */
export function startDailyStandIn(): Promise<StandIn> {
  let self: StandIn;
  return standIn(async (request, body, record) => {
    if (request.headers.authorization !== `Bearer ${DAILY_KEY}`) return [401, { error: 'authentication-error' }];
    const url = new URL(request.url ?? '/', 'http://x');
    const match = /^\/rooms\/([^/]+)(\/(presence|send-app-message|eject))?$/.exec(url.pathname);
    if (!match) return [404, { error: 'not-found' }];
    const room = decodeURIComponent(match[1]!);
    const action = match[3];
    const method = `${request.method} ${action ?? 'room'}`;
    record({ method, body: { room, ...(body ? (JSON.parse(body) as Record<string, unknown>) : {}) }, at: Date.now() });
    const listed = self.rooms.get(room);
    if (!listed) return [404, { error: 'not-found', info: `room ${room} not found` }];
    if (action === 'presence') {
      return [
        200,
        {
          total_count: listed.length,
          data: listed.map((p) => ({ room, id: p.sid ?? `s-${p.identity}`, userId: p.identity, userName: p.identity })),
        },
      ];
    }
    if (request.method === 'DELETE' && !action) self.rooms.delete(room);
    return [200, { deleted: true }];
  }).then((s) => (self = s));
}

/** Daily's signature of a body: base64(HMAC-SHA256(base64-decoded secret, timestamp + "." + body)). */
export function dailySignature(body: string, timestamp: string, secret = DAILY_SECRET): string {
  return createHmac('sha256', Buffer.from(secret, 'base64')).update(`${timestamp}.${body}`).digest('base64');
}

/** A Daily webhook: base64(HMAC-SHA256(base64-decoded secret, timestamp + "." + body)). */
export function dailyWebhook(
  type: 'participant.joined' | 'participant.left' | 'meeting.ended',
  room: string,
  userId?: string,
  options: { id?: string; eventTs?: number; secret?: string } = {},
): { body: string; headers: Record<string, string> } {
  const event = {
    version: '1.0.0',
    type,
    id: options.id ?? `ev-${process.pid}-${++eventCounter}`,
    payload: userId
      ? {
          room,
          user_id: userId,
          user_name: userId,
          session_id: `s-${userId}`,
          joined_at: Date.now() / 1000,
          owner: false,
        }
      : { room, start_ts: Date.now() / 1000 - 60, end_ts: Date.now() / 1000, meeting_id: 'm1' },
    event_ts: options.eventTs ?? Date.now() / 1000,
  };
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = dailySignature(body, timestamp, options.secret);
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-webhook-timestamp': timestamp, 'x-webhook-signature': signature },
  };
}

// --- Twilio -----------------------------------------------------------------------------

export const TWILIO_ACCOUNT = 'AC00000000000000000000000000000000';
export const TWILIO_TOKEN = 'twilio-auth-token-for-tests';
export const TWILIO_API_KEY = 'SK00000000000000000000000000000000';
export const TWILIO_API_SECRET = 'twilio-api-key-secret-for-tests';

/** Twilio's Video REST API: participants list, room and participant updates; HTTP Basic checked. */
export function startTwilioStandIn(): Promise<StandIn> {
  let self: StandIn;
  const basic = `Basic ${Buffer.from(`${TWILIO_ACCOUNT}:${TWILIO_TOKEN}`).toString('base64')}`;
  return standIn(async (request, body, record) => {
    if (request.headers.authorization !== basic) return [401, { code: 20003, message: 'Authenticate' }];
    const url = new URL(request.url ?? '/', 'http://x');
    const match = /^\/v1\/Rooms\/([^/]+)(\/Participants(\/([^/]+))?)?$/.exec(url.pathname);
    if (!match) return [404, { code: 20404 }];
    const roomRef = decodeURIComponent(match[1]!);
    const room = roomRef.replace(/^RM_/, '');
    const form = Object.fromEntries(new URLSearchParams(body));
    const method = `${request.method} ${match[4] ? 'participant' : match[2] ? 'participants' : 'room'}`;
    record({
      method,
      body: { room: roomRef, participant: match[4] ?? null, ...form, query: url.search },
      at: Date.now(),
    });
    const listed = self.rooms.get(room);
    if (!listed) return [404, { code: 20404, message: 'not found' }];
    if (method === 'GET participants') {
      return [
        200,
        {
          participants: listed.map((p) => ({
            sid: p.sid ?? `PA_${p.identity}`,
            identity: p.identity,
            status: 'connected',
          })),
          meta: { page: 0 },
        },
      ];
    }
    if (method === 'POST room' && form.Status === 'completed') self.rooms.delete(room);
    return [200, { sid: roomRef, status: form.Status }];
  }).then((s) => (self = s));
}

let twilioSequence = 0;

/** A Twilio status callback, signed by the twilio package's own signer for `url`. */
export function twilioWebhook(
  url: string,
  event: 'participant-connected' | 'participant-disconnected' | 'room-ended' | 'track-added',
  room: string,
  identity?: string,
  options: { sequence?: number; timestamp?: string; authToken?: string } = {},
): { body: string; headers: Record<string, string> } {
  const params: Record<string, string> = {
    AccountSid: TWILIO_ACCOUNT,
    RoomName: room,
    RoomSid: `RM_${room}`,
    RoomStatus: event === 'room-ended' ? 'completed' : 'in-progress',
    RoomType: 'group',
    StatusCallbackEvent: event,
    Timestamp: options.timestamp ?? new Date().toISOString(),
    SequenceNumber: String(options.sequence ?? ++twilioSequence),
    ...(identity
      ? {
          ParticipantIdentity: identity,
          ParticipantSid: `PA_${identity}`,
          ParticipantStatus: event === 'participant-disconnected' ? 'disconnected' : 'connected',
        }
      : {}),
  };
  const signature = twilio.getExpectedTwilioSignature(options.authToken ?? TWILIO_TOKEN, url, params);
  return {
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  };
}

/** A participant's Twilio access token, minted by the twilio package. */
export function twilioParticipantToken(room: string, identity: string, secret = TWILIO_API_SECRET): string {
  const { AccessToken } = twilio.jwt;
  const token = new AccessToken(TWILIO_ACCOUNT, TWILIO_API_KEY, secret, { identity });
  token.addGrant(new AccessToken.VideoGrant({ room }));
  return token.toJwt();
}

/** Whether twilio's own validateRequest accepts a signature for these params (a self-check of the signer). */
export function twilioAccepts(url: string, body: string, signature: string): boolean {
  return twilio.validateRequest(TWILIO_TOKEN, signature, url, Object.fromEntries(new URLSearchParams(body)));
}

// --- Posting ------------------------------------------------------------------------------

export async function post(
  base: string,
  path: string,
  request: { body: string | Buffer; headers?: Record<string, string> },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: request.headers ?? {},
    body: typeof request.body === 'string' ? request.body : new Uint8Array(request.body),
  });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}

/** Waits until `check` is true, polling. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Signed webhooks POSTed to a server on loopback over node:http with keep-alive (the
 * sender's own cost a fraction of fetch's), for the soak and the bench.
 */
export function webhookPoster(port: number, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const send = (signed: { body: string; headers: Record<string, string> }): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/webhooks/livekit',
          agent,
          headers: { ...signed.headers, 'content-length': Buffer.byteLength(signed.body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(signed.body);
    }).catch((error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as it was reused: the request never arrived.
      if (error.code !== 'ECONNRESET') throw error;
      return send(signed);
    });
  return { send, close: () => agent.destroy() };
}
