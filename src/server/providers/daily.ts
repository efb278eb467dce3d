/**
 * Daily: webhooks are JSON signed with base64(HMAC-SHA256(base64-decoded secret,
 * `X-Webhook-Timestamp` + "." + body)) in `X-Webhook-Signature`; the REST API (plain
 * `fetch`, `Authorization: Bearer <API key>`) gives the presence, sends app messages,
 * ejects and deletes rooms. Meeting tokens are HS256 JWTs signed with the API key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TokenError, verifyHs256 } from '../jwt.js';
import { requestJson, type RestOptions } from '../rest.js';
import { HttpError, type ProviderAdapter, type RawRequest, type RoomMember, type Webhook } from '../types.js';

/** What the Daily adapter needs (`fromEnvironment('daily')` reads them from the environment). */
export interface DailyCredentials {
  /** `DAILY_API_KEY`: the REST API's Bearer token, and the key meeting tokens are signed with. */
  readonly apiKey: string;
  /** The webhook's `hmac` secret, base64, as Daily returns it when the webhook is created. */
  readonly webhookSecret: string;
  /** Default `https://api.daily.co/v1`. */
  readonly apiUrl?: string;
}

/** Daily's REST API, the default of `DAILY_API_URL`. */
export const DAILY_API_URL = 'https://api.daily.co/v1';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The calls that end a call. */
const ENDING = new Set(['delete room', 'eject']);

export function createDailyAdapter(credentials: DailyCredentials, rest: RestOptions): ProviderAdapter {
  const base = (credentials.apiUrl ?? DAILY_API_URL).replace(/\/+$/, '');
  const key = Buffer.from(credentials.webhookSecret, 'base64');
  const call = (what: string, method: string, path: string, body?: unknown, notFoundIsNull = false) =>
    requestJson(
      rest,
      `Daily ${what}`,
      `${base}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${credentials.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      // An end's second call goes ahead of new re-reads (its first one already waited), and is sent once.
      { notFoundIsNull, first: ENDING.has(what), once: ENDING.has(what) },
    );
  const roomPath = (room: string) => `/rooms/${encodeURIComponent(room)}`;

  return {
    name: 'daily',
    deliversWarning: true,

    parseWebhook(request: RawRequest): Webhook {
      const signature = request.headers['x-webhook-signature'];
      const timestamp = request.headers['x-webhook-timestamp'];
      if (typeof signature !== 'string' || typeof timestamp !== 'string') {
        throw new HttpError(401, 'no X-Webhook-Signature and X-Webhook-Timestamp');
      }
      const expected = createHmac('sha256', key).update(`${timestamp}.`).update(request.body).digest();
      const given = Buffer.from(signature, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpError(401, 'the signature does not match');
      }
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new HttpError(400, 'the body is not JSON');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw new HttpError(400, 'the body is not a Daily webhook event');
      }
      const id = text(event.id);
      const seconds = Number(event.event_ts);
      const at = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
      const base = { ...(id ? { id } : {}), ...(at ? { at } : {}) };
      const type = event.type;
      // Daily's own test request when a webhook is created has no type.
      if (typeof type !== 'string') return { ...base, change: { type: 'ignored', what: 'no type' } };
      const payload = (event.payload ?? {}) as Record<string, unknown>;
      const room = text(payload.room);
      if (type === 'meeting.ended') {
        if (!room) throw new HttpError(400, 'meeting.ended without payload.room');
        return { ...base, change: { type: 'roomFinished', room } };
      }
      if (type === 'participant.joined' || type === 'participant.left') {
        const sessionId = text(payload.session_id);
        const identity = text(payload.user_id) ?? sessionId;
        if (!room || !identity) throw new HttpError(400, `${type} without payload.room and a user_id or session_id`);
        if (type === 'participant.left') return { ...base, change: { type: 'left', room, identity } };
        const name = text(payload.user_name);
        const member: RoomMember = {
          identity,
          kind: 'STANDARD',
          ...(name ? { name } : {}),
          ...(sessionId ? { sid: sessionId } : {}),
        };
        return { ...base, change: { type: 'joined', room, member } };
      }
      return { ...base, change: { type: 'ignored', what: type } };
    },

    async listParticipants(room) {
      const body = (await call('presence', 'GET', `${roomPath(room)}/presence`, undefined, true)) as {
        data?: Record<string, unknown>[];
      } | null;
      const members: RoomMember[] = [];
      for (const entry of body?.data ?? []) {
        const sessionId = text(entry.id);
        const identity = text(entry.userId) ?? sessionId;
        if (!identity) continue;
        const name = text(entry.userName);
        members.push({
          identity,
          kind: 'STANDARD',
          ...(name ? { name } : {}),
          ...(sessionId ? { sid: sessionId } : {}),
        });
      }
      return members;
    },

    async sendWarning(warning, member) {
      await call('send-app-message', 'POST', `${roomPath(warning.room)}/send-app-message`, {
        data: warning,
        recipient: member.sid ?? member.identity,
      });
    },

    async end(action, room, member) {
      if (action === 'delete-room') await call('delete room', 'DELETE', roomPath(room), undefined, true);
      else
        await call(
          'eject',
          'POST',
          `${roomPath(room)}/eject`,
          member.sid ? { ids: [member.sid] } : { user_ids: [member.identity] },
        );
    },

    verifyStay(token, room, identity) {
      // A meeting token: `r` the room, `ud` the user_id; HS256 with the API key.
      const claims = verifyHs256(token, credentials.apiKey);
      if (claims.r !== room) throw new TokenError('the meeting token is for another room');
      if (claims.ud !== identity) throw new TokenError('the meeting token is for another user_id');
    },
  };
}
