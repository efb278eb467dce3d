/**
 * Binds a twilio-video 2.x `Room`, or the promise `connect()` returns, to a call session:
 * the Room's own events become the session events of SPEC §2, and a session that ends by
 * `leave()`, the idle timeout or the reconnect bound disconnects the Room once. The
 * mapping, with the reason for each ambiguous case, is in docs/bindings.md.
 *
 * twilio-video is an optional peer dependency: this module imports its types only.
 *
 * @example
 * ```ts
 * import { connect } from 'twilio-video';
 * import { createCallSession } from 'call-session-machine';
 * import { bindTwilioRoom } from 'call-session-machine/twilio';
 *
 * const session = createCallSession();
 * // Given connect()'s promise, the session joins at once and is joined when it resolves.
 * const unbind = bindTwilioRoom(connect(token, { name: 'standup' }), session, { sessionId: 'standup' });
 * ```
 *
 * @module call-session-machine/twilio
 */
import type { RemoteParticipant, Room, TwilioError } from 'twilio-video';
import type { CallSession, CallSessionEvent, Participant } from '../index.js';
import {
  checkSessionIdOption,
  isInCall,
  isJoined,
  isListedUnchanged,
  linkSession,
  listen,
  participantFrom,
  type Emitter,
} from '../core/binding.js';

/** Options of {@link bindTwilioRoom}. */
export interface TwilioBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends. Default: the Room's `name`
   * when given a Room; `'twilio'` when given `connect()`'s promise (whose room name is
   * known only once it resolves).
   */
  sessionId?: string;
}

/**
 * `connect()`'s result: a promise of the Room with a `cancel()` (twilio-video's
 * `CancelablePromise<Room>`); any promise of a Room is accepted.
 */
export type TwilioRoomPromise = PromiseLike<Room> & {
  /** Cancels the connection attempt (twilio-video's `CancelablePromise#cancel`). */
  cancel?: () => void;
};

/** twilio-video's documented error codes (es5/util/twilio-video-errors.js) that decide the mapping. */
const PARTICIPANT_DUPLICATE_IDENTITY = 53205;

/** Identity is the key: Twilio lets one identity be in a Room once (a second join evicts the first, 53205). */
function participantOf(participant: Pick<RemoteParticipant, 'identity'>): Participant | null {
  return participantFrom({ uid: participant.identity });
}

function isPromise(value: Room | TwilioRoomPromise): value is TwilioRoomPromise {
  return typeof (value as { then?: unknown }).then === 'function';
}

/**
 * What the Room's `disconnected(room, error)` means for a session in `state`.
 * `error` is `null` both for the app's own `room.disconnect()` and for a server-side
 * disconnect whose status is not "completed" (twilio-video
 * lib/signaling/v2/twilioconnectiontransport.js, `handleMessage`); only the binding's
 * own record of calling `disconnect()` tells its own call apart.
 */
function eventForDisconnect(
  error: TwilioError | null | undefined,
  state: CallSession['state'],
  requestedByBinding: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error };
  if (!isInCall(state)) return null;
  if (error === null || error === undefined) {
    // Not the binding's call: the server disconnected this participant (removed
    // through the REST API), or the app called room.disconnect() itself — which an
    // app should not do: session.leave() is recorded and reported as the user's leave.
    return requestedByBinding ? null : { type: 'session.removed' };
  }
  if (error.code === PARTICIPANT_DUPLICATE_IDENTITY) {
    // Connected: the same identity joined elsewhere and evicted this one. Reconnecting:
    // this client's own rejoin after a long outage is what collided (twilio-video.js#1048).
    return state === 'reconnecting' ? { type: 'connection.closed' } : { type: 'session.removed' };
  }
  // 53118 room completed, 53000/53001/53002 signaling gone, 53405/53407 media gone,
  // 20104 token expired, and every other code: the call is over for good.
  return { type: 'connection.closed' };
}

/**
 * Binds `roomOrPromise` to `session` and returns `unbind`, which removes every listener
 * the binding added (on the Room and on the session); calling it again does nothing.
 *
 * - Given `connect()`'s promise: `session.join` at once (if the session is `idle`), then
 *   `session.joined` with `room.participants` when it resolves, or `session.joinFailed`
 *   with the error when it rejects. A `leave()` before it settles cancels it (`cancel()`),
 *   and a Room that still arrives is disconnected.
 * - Given a Room: a connected Room is caught up (`session.join` + `session.joined`).
 * - The Room's `participantConnected` / `participantDisconnected`, `reconnecting` /
 *   `reconnected` (with `room.participants` as a resync) and `disconnected(room, error)`
 *   become the session events; participants are `{ uid: identity }`; the local
 *   participant is never sent.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, the binding calls `room.disconnect()` once; when the Room ended the call
 *   itself, it does not.
 */
export function bindTwilioRoom(
  roomOrPromise: Room | TwilioRoomPromise,
  session: CallSession,
  options?: TwilioBindingOptions,
): () => void {
  const sessionIdOption = checkSessionIdOption(options, 'bindTwilioRoom');
  let bound = true;
  let room: Room | null = null;
  let cancelPending: (() => void) | undefined;
  let unlisten: () => void = () => {};
  const send = (event: CallSessionEvent) => {
    if (bound) session.send(event);
  };
  const link = linkSession(session, () => {
    if (room) room.disconnect();
    // Still connecting: cancel the attempt; a Room that resolves anyway is disconnected below.
    else cancelPending?.();
  });

  const participantList = (current: Room): Participant[] => {
    const list: Participant[] = [];
    for (const remote of current.participants.values()) {
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };

  const attach = (current: Room) => {
    room = current;
    unlisten = listen(
      current as unknown as Emitter,
      {
        participantConnected: (remote: RemoteParticipant) => {
          const participant = participantOf(remote);
          if (participant && !isListedUnchanged(session, participant))
            send({ type: 'participant.joined', participant });
        },
        participantDisconnected: (remote: RemoteParticipant) => {
          // room.participants is keyed by sid. During a duplicate-identity handover the
          // new connection's participantConnected can come before the old one leaves;
          // keyed by identity, that departure must not remove the one who stays.
          const identity = remote.identity;
          for (const other of current.participants.values()) if (other.identity === identity) return;
          if (identity) send({ type: 'participant.left', participant: { uid: identity } });
        },
        reconnecting: () => {
          if (isJoined(session)) send({ type: 'connection.lost' });
        },
        reconnected: () => {
          // The Room emits `reconnected` on a timer after its state is connected again
          // (lib/room.js, handleSignalingEvents), so its participant map is up to date.
          if (session.state === 'reconnecting')
            send({ type: 'connection.restored', participants: participantList(current) });
        },
        disconnected: (_room: Room, error?: TwilioError | null) => {
          const event = eventForDisconnect(error, session.state, link.disconnectRequested);
          if (!event) return;
          link.markSdkEnded();
          send(event);
        },
      } as Record<string, (...args: never[]) => void>,
    );
  };

  const catchUp = (current: Room, sessionId: string) => {
    if (current.state === 'disconnected') return;
    if (session.state === 'idle') send({ type: 'session.join', sessionId });
    if (session.state === 'joining') send({ type: 'session.joined', participants: participantList(current) });
    if (current.state === 'reconnecting' && isJoined(session)) send({ type: 'connection.lost' });
  };

  if (isPromise(roomOrPromise)) {
    const pending = roomOrPromise;
    cancelPending = () => pending.cancel?.();
    if (session.state === 'idle') send({ type: 'session.join', sessionId: sessionIdOption ?? 'twilio' });
    pending.then(
      (current) => {
        cancelPending = undefined;
        if (!bound) return;
        if (link.disconnectRequested) {
          // Left while connecting and the cancel came too late: end what arrived.
          current.disconnect();
          return;
        }
        attach(current);
        catchUp(current, sessionIdOption ?? (current.name || 'twilio'));
      },
      (error: unknown) => {
        cancelPending = undefined;
        if (!bound || link.disconnectRequested) return;
        if (session.state !== 'joining') return;
        link.markSdkEnded();
        send({ type: 'session.joinFailed', error });
      },
    );
  } else {
    attach(roomOrPromise);
    catchUp(roomOrPromise, sessionIdOption ?? (roomOrPromise.name || 'twilio'));
  }

  return () => {
    if (!bound) return;
    bound = false;
    unlisten();
    link.stop();
  };
}
