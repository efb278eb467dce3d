/**
 * Twilio Video: status callbacks are form-urlencoded, signed in `X-Twilio-Signature` with
 * base64(HMAC-SHA1(auth token, public URL + each POST parameter's name and value in name
 * order)), what the `twilio` package's `validateRequest` checks; the REST API
 * (`https://video.twilio.com/v1`, HTTP Basic with the account SID and auth token) lists
 * participants and completes rooms. Access tokens are HS256 JWTs signed with an API key
 * secret. Twilio has no server-to-client message: the warning is the callback and the log.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TokenError, verifyHs256 } from '../jwt.js';
import { requestJson, type RestOptions } from '../rest.js';
import { HttpError, type ProviderAdapter, type RawRequest, type RoomMember, type Webhook } from '../types.js';

/** What the Twilio adapter needs (`fromEnvironment('twilio')` reads them from the environment). */
export interface TwilioCredentials {
  /** `TWILIO_ACCOUNT_SID` (`AC…`). */
  readonly accountSid: string;
  /** `TWILIO_AUTH_TOKEN`: the REST API's password, and the key of the callbacks' signature. */
  readonly authToken: string;
  /** The public URL of `POST /webhooks/twilio` exactly as given to Twilio as the status callback: Twilio signs it. */
  readonly webhookUrl: string;
  /** The API key SID (`SK…`) and secret that sign the participants' access tokens, for `POST /extend`. */
  readonly apiKey: string;
  /** `TWILIO_API_SECRET`: the secret of that API key. */
  readonly apiSecret: string;
  /** Default `https://video.twilio.com`. */
  readonly apiUrl?: string;
}

/** Twilio Video's REST API, the default of `TWILIO_API_URL`. */
export const TWILIO_API_URL = 'https://video.twilio.com';

function text(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}

/** What Twilio signs: the URL, then each parameter's name and value, names sorted. */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): Buffer {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name)) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest();
}

/** The calls that end a call. */
const ENDING = new Set(['complete room', 'disconnect participant']);

export function createTwilioAdapter(credentials: TwilioCredentials, rest: RestOptions): ProviderAdapter {
  const base = `${(credentials.apiUrl ?? TWILIO_API_URL).replace(/\/+$/, '')}/v1`;
  const auth = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;
  const call = (what: string, method: string, path: string, form?: Record<string, string>, notFoundIsNull = false) =>
    requestJson(
      rest,
      `Twilio ${what}`,
      `${base}${path}`,
      {
        method,
        headers: {
          authorization: auth,
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      },
      // An end's second call goes ahead of new re-reads (its first one already waited), and is sent once.
      { notFoundIsNull, first: ENDING.has(what), once: ENDING.has(what) },
    );
  const configured = new URL(credentials.webhookUrl);

  return {
    name: 'twilio',
    deliversWarning: false,

    parseWebhook(request: RawRequest): Webhook {
      const signature = request.headers['x-twilio-signature'];
      if (typeof signature !== 'string' || signature === '') throw new HttpError(401, 'no X-Twilio-Signature');
      const params = new URLSearchParams(request.body.toString('utf8'));
      // Twilio signs the URL it called: the configured one, with the request's query if it has none.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const url = configured.search === '' && query ? `${credentials.webhookUrl}${query}` : credentials.webhookUrl;
      const expected = twilioSignature(credentials.authToken, url, params);
      const given = Buffer.from(signature, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpError(401, 'the signature does not match');
      }
      const event = text(params.get('StatusCallbackEvent'));
      if (!event) throw new HttpError(400, 'the body is not a Twilio room status callback (no StatusCallbackEvent)');
      const room = text(params.get('RoomName'));
      const roomSid = text(params.get('RoomSid'));
      const sequence = text(params.get('SequenceNumber'));
      const timestamp = Date.parse(params.get('Timestamp') ?? '');
      const base = {
        ...(roomSid && sequence ? { id: `${roomSid}:${sequence}` } : {}),
        ...(Number.isFinite(timestamp) ? { at: timestamp } : {}),
      };
      if (event === 'room-ended') {
        if (!room) throw new HttpError(400, 'room-ended without RoomName');
        return { ...base, change: { type: 'roomFinished', room } };
      }
      if (event === 'participant-connected' || event === 'participant-disconnected') {
        const identity = text(params.get('ParticipantIdentity'));
        if (!room || !identity) throw new HttpError(400, `${event} without RoomName and ParticipantIdentity`);
        if (event === 'participant-disconnected') {
          return { ...base, change: { type: 'left', room, identity, ...(roomSid ? { roomSid } : {}) } };
        }
        const sid = text(params.get('ParticipantSid'));
        const member: RoomMember = { identity, kind: 'STANDARD', ...(sid ? { sid } : {}) };
        return { ...base, change: { type: 'joined', room, member, ...(roomSid ? { roomSid } : {}) } };
      }
      return { ...base, change: { type: 'ignored', what: event } };
    },

    async listParticipants(room, roomSid) {
      const ref = encodeURIComponent(roomSid ?? room);
      const body = (await call(
        'list participants',
        'GET',
        `/Rooms/${ref}/Participants?Status=connected&PageSize=100`,
        undefined,
        true,
      )) as { participants?: Record<string, unknown>[] } | null;
      const members: RoomMember[] = [];
      for (const entry of body?.participants ?? []) {
        if (typeof entry.identity !== 'string' || entry.identity === '') continue;
        if (entry.status !== undefined && entry.status !== 'connected') continue;
        members.push({
          identity: entry.identity,
          kind: 'STANDARD',
          ...(typeof entry.sid === 'string' ? { sid: entry.sid } : {}),
        });
      }
      return members;
    },

    async sendWarning() {
      // No server-to-client channel: the warning is the operator's callback and the log line.
    },

    async end(action, room, member, roomSid) {
      const ref = encodeURIComponent(roomSid ?? room);
      if (action === 'delete-room') await call('complete room', 'POST', `/Rooms/${ref}`, { Status: 'completed' }, true);
      else
        await call(
          'disconnect participant',
          'POST',
          `/Rooms/${ref}/Participants/${encodeURIComponent(member.sid ?? member.identity)}`,
          { Status: 'disconnected' },
          true,
        );
    },

    verifyStay(token, room, identity) {
      const claims = verifyHs256(token, credentials.apiSecret, { issuer: credentials.apiKey, requireExp: true });
      if (claims.sub !== credentials.accountSid) throw new TokenError('the access token is for another account');
      const grants = (claims.grants ?? {}) as { identity?: unknown; video?: { room?: unknown } };
      if (grants.identity !== identity) throw new TokenError('the access token is for another identity');
      if (grants.video?.room !== room) throw new TokenError('the access token does not grant that room');
    },
  };
}
