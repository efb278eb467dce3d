/**
 * LiveKit: webhooks are JSON with an `Authorization` JWT signed with the API secret whose
 * `sha256` claim is base64(SHA-256(body)) (what livekit-server-sdk's `WebhookReceiver`
 * checks); the room service is Twirp over HTTP (`POST {url}/twirp/livekit.RoomService/…`),
 * called with a short-lived token of the API key, as `RoomServiceClient` does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { signHs256, TokenError, verifyHs256 } from '../jwt.js';
import { requestJson, type RestOptions } from '../rest.js';
import {
  HttpError,
  type IdleWarning,
  type ProviderAdapter,
  type RawRequest,
  type RoomMember,
  type TimeoutAction,
  type Webhook,
} from '../types.js';

/** What the LiveKit adapter needs (`fromEnvironment('livekit')` reads them from the environment). */
export interface LiveKitCredentials {
  /** `LIVEKIT_API_KEY`: the issuer of the webhook tokens, and of the server's own calls. */
  readonly apiKey: string;
  /** `LIVEKIT_API_SECRET`: signs and checks every token. */
  readonly apiSecret: string;
  /** The server's API base URL, `http(s)://…` (a `ws(s)://` URL is taken as its `http(s)://` twin). */
  readonly url: string;
}

/** The topic of the warning's data message; `call-session-machine/livekit`'s client helper listens on it. */
export const WARNING_TOPIC = 'call-session-machine';

/** `ParticipantInfo.Kind` of @livekit/protocol, by number, for a JSON that carries numbers. */
const KIND_NAMES = ['STANDARD', 'INGRESS', 'EGRESS', 'SIP', 'AGENT', 'KIND5', 'KIND6', 'CONNECTOR', 'BRIDGE'];
/** `ParticipantInfo.State`: a DISCONNECTED participant listed by the server is not in the call. */
const DISCONNECTED = new Set(['DISCONNECTED', 3]);

function kindOf(value: unknown): string {
  // protojson leaves out the zero value, STANDARD.
  if (value === undefined || value === null) return 'STANDARD';
  if (typeof value === 'number') return KIND_NAMES[value] ?? `KIND${value}`;
  return String(value).toUpperCase();
}

function memberOf(value: unknown): RoomMember | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  if (typeof p.identity !== 'string' || p.identity === '') return undefined;
  return {
    identity: p.identity,
    kind: kindOf(p.kind),
    ...(typeof p.name === 'string' && p.name !== '' ? { name: p.name } : {}),
    ...(typeof p.sid === 'string' && p.sid !== '' ? { sid: p.sid } : {}),
  };
}

function bearer(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  return value.startsWith('Bearer ') ? value.slice(7) : value;
}

/** The calls that end a call. */
const ENDING = new Set(['DeleteRoom', 'RemoveParticipant']);

export function createLiveKitAdapter(credentials: LiveKitCredentials, rest: RestOptions): ProviderAdapter {
  const base = credentials.url.replace(/^ws/, 'http').replace(/\/+$/, '');
  const apiToken = (grant: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signHs256({ iss: credentials.apiKey, nbf: now, exp: now + 600, video: grant }, credentials.apiSecret);
  };
  const twirp = (method: string, body: unknown, grant: Record<string, unknown>, notFoundIsNull = false) =>
    requestJson(
      rest,
      `LiveKit ${method}`,
      `${base}/twirp/livekit.RoomService/${method}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken(grant)}` },
        body: JSON.stringify(body),
      },
      // An end's second call goes ahead of new re-reads (its first one already waited), and is sent once.
      { notFoundIsNull, first: ENDING.has(method), once: ENDING.has(method) },
    );

  return {
    name: 'livekit',
    deliversWarning: true,

    parseWebhook(request: RawRequest): Webhook {
      const token = bearer(request.headers.authorization);
      if (!token) throw new HttpError(401, 'no Authorization header');
      let claims;
      try {
        claims = verifyHs256(token, credentials.apiSecret, { issuer: credentials.apiKey, requireExp: true });
      } catch (error) {
        throw new HttpError(401, error instanceof TokenError ? error.message : 'the Authorization token is invalid');
      }
      const digest = createHash('sha256').update(request.body).digest();
      const claimed = typeof claims.sha256 === 'string' ? Buffer.from(claims.sha256, 'base64') : Buffer.alloc(0);
      if (claimed.length !== digest.length || !timingSafeEqual(claimed, digest)) {
        throw new HttpError(401, 'the sha256 claim does not match the body');
      }
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new HttpError(400, 'the body is not JSON');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event) || typeof event.event !== 'string') {
        throw new HttpError(400, 'the body is not a LiveKit webhook event (no "event")');
      }
      const id = typeof event.id === 'string' && event.id !== '' ? event.id : undefined;
      const seconds = Number(event.createdAt);
      const at = event.createdAt !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
      const roomInfo = event.room as Record<string, unknown> | undefined;
      const room = typeof roomInfo?.name === 'string' ? roomInfo.name : '';
      const roomSid = typeof roomInfo?.sid === 'string' && roomInfo.sid !== '' ? roomInfo.sid : undefined;
      const kind = event.event;
      const base = { ...(id ? { id } : {}), ...(at ? { at } : {}) };
      if (kind === 'room_finished') {
        if (!room) throw new HttpError(400, 'room_finished without room.name');
        return { ...base, change: { type: 'roomFinished', room } };
      }
      if (kind === 'participant_joined' || kind === 'participant_left' || kind === 'participant_connection_aborted') {
        const member = memberOf(event.participant);
        if (!room || !member) throw new HttpError(400, `${kind} without room.name and participant.identity`);
        const change =
          kind === 'participant_joined'
            ? ({ type: 'joined', room, member, ...(roomSid ? { roomSid } : {}) } as const)
            : ({ type: 'left', room, identity: member.identity, ...(roomSid ? { roomSid } : {}) } as const);
        return { ...base, change };
      }
      return { ...base, change: { type: 'ignored', what: kind } };
    },

    async listParticipants(room) {
      const body = (await twirp('ListParticipants', { room }, { roomAdmin: true, room }, true)) as {
        participants?: unknown[];
      } | null;
      const members: RoomMember[] = [];
      for (const info of body?.participants ?? []) {
        const member = memberOf(info);
        if (member && !DISCONNECTED.has((info as { state?: string | number }).state as string)) members.push(member);
      }
      return members;
    },

    async sendWarning(warning: IdleWarning) {
      await twirp(
        'SendData',
        {
          room: warning.room,
          data: Buffer.from(JSON.stringify(warning)).toString('base64'),
          kind: 'RELIABLE',
          destinationIdentities: [warning.identity],
          topic: WARNING_TOPIC,
        },
        { roomAdmin: true, room: warning.room },
      );
    },

    async end(action: TimeoutAction, room: string, member: RoomMember) {
      if (action === 'delete-room') await twirp('DeleteRoom', { room }, { roomCreate: true }, true);
      else await twirp('RemoveParticipant', { room, identity: member.identity }, { roomAdmin: true, room }, true);
    },

    verifyStay(token, room, identity) {
      const claims = verifyHs256(token, credentials.apiSecret, { issuer: credentials.apiKey, requireExp: true });
      const video = (claims.video ?? {}) as Record<string, unknown>;
      if (claims.sub !== identity) throw new TokenError('the token is for another identity');
      if (video.room !== room || video.roomJoin !== true) throw new TokenError('the token does not join that room');
    },
  };
}
