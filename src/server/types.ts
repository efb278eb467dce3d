/** The shapes the server's parts share: a provider adapter, a webhook's meaning, the warning and the end. */

/** The providers `serve` knows. */
export type ProviderName = 'livekit' | 'daily' | 'twilio';

/** What the server does at the end of a countdown when the person is still alone. */
export type TimeoutAction = 'delete-room' | 'remove-participant';

/** One participant of a room, as a provider reports it. */
export interface RoomMember {
  /** The key of the participant in its room: LiveKit `identity`, Daily `user_id` (else `session_id`), Twilio `identity`. */
  readonly identity: string;
  /** LiveKit's participant kind (`STANDARD`, `SIP`, `AGENT`, `EGRESS`, `INGRESS`, …); `STANDARD` elsewhere. */
  readonly kind: string;
  /** The display name, when the provider gives one. */
  readonly name?: string;
  /** The provider's id of this connection: LiveKit `sid`, Daily `session_id` (a message's recipient), Twilio `ParticipantSid`. */
  readonly sid?: string;
}

/** A webhook, once verified and read: what it changes. */
export type RoomChange =
  | { readonly type: 'joined'; readonly room: string; readonly member: RoomMember; readonly roomSid?: string }
  | { readonly type: 'left'; readonly room: string; readonly identity: string; readonly roomSid?: string }
  | { readonly type: 'roomFinished'; readonly room: string }
  | { readonly type: 'ignored'; readonly what: string };

/** A verified webhook: its change, its event id (for replays) and its time (for order). */
export interface Webhook {
  readonly change: RoomChange;
  /** The provider's event id; a second webhook with it is a replay. */
  readonly id?: string;
  /** When the provider says it happened, in epoch ms; events older than the last applied to a participant are ignored. */
  readonly at?: number;
}

/** A request as the server reads it: the raw body, since every provider signs the exact bytes. */
export interface RawRequest {
  /** `GET`, `POST`, … */
  readonly method: string;
  /** The path and query, as in `IncomingMessage.url`. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body, exactly as received. */
  readonly body: Buffer;
}

/** An answer the listener sends. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The warning, exactly the JSON of SPEC §12 that LiveKit and Daily deliver to the participant. */
export interface IdleWarning {
  /** Always `idle.warning`. */
  readonly type: 'idle.warning';
  /** The room's name. */
  readonly room: string;
  /** The participant warned. */
  readonly identity: string;
  /** Whole seconds left, rounded up. */
  readonly secondsLeft: number;
  /** When the countdown ends, epoch ms. */
  readonly deadline: number;
}

/** What the server is about to do to a participant left alone to the end of the countdown. */
export interface IdleEnd {
  /** The room's name. */
  readonly room: string;
  /** The participant left alone. */
  readonly identity: string;
  /** What the default does (`--on-timeout`). */
  readonly action: TimeoutAction;
  /** The deadline that passed, epoch ms. */
  readonly deadline: number;
}

/**
 * A provider, kept thin: it reads webhooks and makes the REST calls; the chart decides.
 * Every method may throw; the server catches, logs and goes on.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Verifies and reads a webhook; throws `HttpError` 401 (signature) or 400 (malformed). */
  parseWebhook(request: RawRequest): Webhook;
  /** The room's participants now, from the provider's REST API; `[]` for a room that no longer exists. */
  listParticipants(room: string, roomSid?: string): Promise<RoomMember[]>;
  /** Delivers the warning to that participant (LiveKit SendData, Daily send-app-message); Twilio has no such message. */
  sendWarning(warning: IdleWarning, member: RoomMember, roomSid?: string): Promise<void>;
  /** Ends the call for that participant (delete the room, or remove the participant). */
  end(action: TimeoutAction, room: string, member: RoomMember, roomSid?: string): Promise<void>;
  /** Checks a participant's own token for `POST /extend`; throws when it is not that participant's token for that room. */
  verifyStay(token: string, room: string, identity: string): void;
  /** Whether the provider can deliver the warning to the participant. */
  readonly deliversWarning: boolean;
}
