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
  checkSdkObject,
  checkSession,
  checkSessionIdOption,
  isInCall,
  isJoined,
  isListedUnchanged,
  participantFrom,
  startBinding,
  type Binding,
  type SdkPhase,
  type SdkShape,
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

function isPromise(value: object): value is TwilioRoomPromise {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** What the binding uses of a Room, checked at bind time (and again when `connect()`'s promise resolves). */
const ROOM_SHAPE: SdkShape = {
  what: "a twilio-video 2.x Room, or connect()'s promise",
  members: {
    on: 'function',
    off: 'function',
    disconnect: 'function',
    state: 'string',
    participants: 'map',
    localParticipant: 'object',
  },
};

/** A Room's state as the binding core's phase: a Room is connected when `connect()` resolves. */
function phaseOf(room: Room): SdkPhase {
  switch (room.state) {
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return 'reconnecting';
    default:
      return 'ended';
  }
}

/**
 * What the Room's `disconnected(room, error)` means for a session in `state`.
 * twilio-video tells three cases apart by `error` (lib/room.js emits the signaling's
 * own argument): `undefined` for a disconnect made in this client — `room.disconnect()`
 * (RoomSignaling#disconnect passes none) or the signaling WebSocket closing normally
 * (TwilioConnection's CloseReason.LOCAL); `null` for the server's `disconnected`
 * message whose status is not "completed" (lib/signaling/v2/twilioconnectiontransport.js,
 * `handleMessage`): the REST API's `Status=disconnected`, a removal; a TwilioError for
 * everything else.
 */
function eventForDisconnect(
  error: TwilioError | null | undefined,
  state: CallSession['state'],
  requestedByBinding: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error };
  if (!isInCall(state)) return null;
  // The app's own room.disconnect() (twilio-video's CHANGELOG tells apps to call it on
  // beforeunload): the user leaving, as LiveKit's CLIENT_INITIATED and Daily's left-meeting.
  if (error === undefined) return requestedByBinding ? null : { type: 'session.leave' };
  if (error === null) return { type: 'session.removed' };
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
 *   with the error when it rejects (or when the Room it delivers has already ended).
 *   The promise belongs to that attempt: a `leave()` before it settles cancels it
 *   (`cancel()`, when it has one), and a Room that arrives for an abandoned attempt, or
 *   after `unbind()`, is disconnected and never reaches the session.
 * - Given a Room: the session is brought in step with it (joined with who is there, or
 *   ended if the Room already is).
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
  const given: unknown = roomOrPromise;
  const promised = typeof given === 'object' && given !== null && isPromise(given);
  if (!promised) checkSdkObject('bindTwilioRoom', 'roomOrPromise', given, ROOM_SHAPE);
  else if (
    (given as { cancel?: unknown }).cancel !== undefined &&
    typeof (given as { cancel?: unknown }).cancel !== 'function'
  ) {
    throw new TypeError(
      "bindTwilioRoom: roomOrPromise.cancel must be a function (connect()'s CancelablePromise#cancel)",
    );
  }
  checkSession('bindTwilioRoom', session);
  const sessionIdOption = checkSessionIdOption(options, 'bindTwilioRoom');
  let room: Room | null = null;
  const binding = startBinding({
    binder: 'bindTwilioRoom',
    session,
    sdkObject: roomOrPromise,
    sdkName: promised ? 'connect() promise' : 'Room',
    // Still connecting, the pending attempt is cancelled by the core (AdoptHandlers.cancel).
    disconnect: () => room?.disconnect(),
  });

  if (!promised) {
    attach(binding, roomOrPromise as Room, sessionIdOption ?? ((roomOrPromise as Room).name || 'twilio'), (current) => {
      room = current;
    });
    return binding.unbind;
  }

  const pending = roomOrPromise as TwilioRoomPromise;
  if (session.state === 'idle') binding.send({ type: 'session.join', sessionId: sessionIdOption ?? 'twilio' });
  binding.adopt(pending, {
    cancel: typeof pending.cancel === 'function' ? () => pending.cancel?.() : undefined,
    arrived: (current) => {
      // The promise is the app's: what it resolves to is checked as a bound Room would be.
      try {
        checkSdkObject('bindTwilioRoom', "what connect()'s promise resolved to", current, ROOM_SHAPE);
      } catch (error) {
        binding.endFromSdk({ type: 'session.joinFailed', error });
        return;
      }
      binding.claim(current);
      attach(binding, current, sessionIdOption ?? (current.name || 'twilio'), (attached) => {
        room = attached;
      });
    },
    failed: (error) => binding.send({ type: 'session.joinFailed', error }),
    discard: (current) => {
      // One attempt, one Room: what arrives for an attempt nobody is in any more ends.
      if (typeof (current as Partial<Room> | null)?.disconnect === 'function' && current.state !== 'disconnected') {
        current.disconnect();
      }
    },
  });
  return binding.unbind;
}

/** Listens to `current` for `binding` and brings the session in step with it. */
function attach(binding: Binding, current: Room, sessionId: string, setRoom: (room: Room) => void): void {
  const { session, send } = binding;
  setRoom(current);
  const participantList = (): Participant[] => {
    const list: Participant[] = [];
    for (const remote of current.participants.values()) {
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };
  binding.listen(
    current as unknown as Parameters<Binding['listen']>[0],
    {
      participantConnected: (remote: RemoteParticipant) => {
        const participant = participantOf(remote);
        if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
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
        if (session.state === 'reconnecting') send({ type: 'connection.restored', participants: participantList() });
      },
      disconnected: (_room: Room, error?: TwilioError | null) => {
        binding.endFromSdk(eventForDisconnect(error, session.state, binding.disconnectRequested));
      },
    } as Record<string, (...args: never[]) => void>,
  );
  binding.sync({ phase: phaseOf(current), sessionId, participants: participantList });
}
