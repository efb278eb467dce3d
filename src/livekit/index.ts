/**
 * Binds a livekit-client 2.x `Room` to a call session: the Room's own events become the
 * session events of SPEC §2, and a session that ends by `leave()`, the idle timeout or
 * the reconnect bound disconnects the Room once. The mapping, with the reason for each
 * ambiguous case, is in docs/bindings.md.
 *
 * livekit-client is an optional peer dependency: this module imports its types only, and
 * uses the Room's own methods and the enums' values at run time.
 *
 * @example
 * ```ts
 * import { Room } from 'livekit-client';
 * import { createCallSession } from 'call-session-machine';
 * import { bindLiveKitRoom } from 'call-session-machine/livekit';
 *
 * const room = new Room();
 * const session = createCallSession();
 * const unbind = bindLiveKitRoom(room, session, { sessionId: 'standup' });
 * await room.connect(url, token);
 * ```
 *
 * @module call-session-machine/livekit
 */
import type {
  ConnectionState,
  DisconnectReason,
  Participant as LiveKitParticipant,
  RemoteParticipant,
  Room,
  RoomEvent,
} from 'livekit-client';
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
  type SdkPhase,
  type SdkShape,
} from '../core/binding.js';

/** Options of {@link bindLiveKitRoom}. */
export interface LiveKitBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the Room starts
   * connecting. Default: `room.name` when the Room already has one, else `'livekit'`
   * (a Room learns its name from the server only once connected).
   */
  sessionId?: string;
}

// The enums' values, pinned to the installed SDK's own enums at compile time: a
// livekit-client that renamed one fails `npm run typecheck` here.
const EVENT = {
  connectionStateChanged: 'connectionStateChanged',
  participantConnected: 'participantConnected',
  participantDisconnected: 'participantDisconnected',
  participantNameChanged: 'participantNameChanged',
  disconnected: 'disconnected',
} as const satisfies Record<string, `${RoomEvent}`>;
const STATE = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  signalReconnecting: 'signalReconnecting',
} as const satisfies Record<string, `${ConnectionState}`>;
const CLIENT_INITIATED: DisconnectReason.CLIENT_INITIATED = 1;
const DUPLICATE_IDENTITY: DisconnectReason.DUPLICATE_IDENTITY = 2;
const PARTICIPANT_REMOVED: DisconnectReason.PARTICIPANT_REMOVED = 4;

/** What the binding uses of a Room, checked at bind time. */
const ROOM_SHAPE: SdkShape = {
  what: 'a livekit-client 2.x Room',
  members: {
    on: 'function',
    off: 'function',
    disconnect: 'function',
    state: 'string',
    remoteParticipants: 'map',
    localParticipant: 'object',
  },
  hint: (value) =>
    'participants' in value && !('remoteParticipants' in value)
      ? 'a livekit-client 1.x Room has participants instead; this binding needs livekit-client 2.x'
      : undefined,
};

/** The Room's connection state as the binding core's phase. */
function phaseOf(state: string): SdkPhase {
  switch (state) {
    case STATE.connecting:
      return 'connecting';
    case STATE.connected:
      return 'connected';
    case STATE.reconnecting:
    case STATE.signalReconnecting:
      return 'reconnecting';
    default:
      // Disconnected reads the same before any connect and after the end: a session in
      // a call is ended by it, an idle or joining one waits for `connect()`.
      return 'new';
  }
}

/** Identity is the key: the Room's own map is keyed by it, and `sid` is rewritten in place. */
function participantOf(participant: Pick<LiveKitParticipant, 'identity' | 'name'>): Participant | null {
  return participantFrom({ uid: participant.identity, name: participant.name });
}

/**
 * What `RoomEvent.Disconnected` means for a session in `state`, given whether the
 * binding asked for the disconnect. Every `DisconnectReason` (0–16, and `undefined`,
 * which the Room reports after giving up reconnecting) is covered: the three with a
 * meaning of their own are named, every other one is a permanent loss.
 */
function eventForDisconnect(
  reason: DisconnectReason | undefined,
  state: CallSession['state'],
  requestedByBinding: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error: reason };
  if (!isInCall(state)) return null;
  switch (reason) {
    case CLIENT_INITIATED:
      // The app called room.disconnect() itself: the user left.
      return requestedByBinding ? null : { type: 'session.leave' };
    case PARTICIPANT_REMOVED:
      return { type: 'session.removed' };
    case DUPLICATE_IDENTITY:
      // Connected, it means another device joined as this user and the server removed
      // this one. After failed reconnect attempts LiveKit reports it for a session that
      // is simply gone (livekit/client-sdk-js#1565): a permanent loss.
      return state === 'reconnecting' ? { type: 'connection.closed' } : { type: 'session.removed' };
    default:
      return { type: 'connection.closed' };
  }
}

/**
 * Binds `room` to `session` and returns `unbind`, which removes every listener the
 * binding added (on the Room and on the session); calling it again does nothing.
 *
 * - SDK to session: the Room's `ConnectionStateChanged`, `ParticipantConnected`,
 *   `ParticipantDisconnected`, `ParticipantNameChanged` and `Disconnected` events become
 *   `session.join`, `session.joined` (with `room.remoteParticipants`), `session.joinFailed`,
 *   `participant.joined` / `participant.left`, `connection.lost` / `connection.restored`
 *   (with the Room's list as a resync), `session.removed`, `connection.closed` and
 *   `session.leave`. Participants are `{ uid: identity, name }`; the local participant is
 *   never sent.
 * - A full reconnect's flood of `ParticipantDisconnected` (emitted while the Room still
 *   reads `connected`, just before `Reconnecting`) is held until the end of the current
 *   microtask and dropped when `Reconnecting` follows, so the app sees one
 *   `onConnectionLost` / `onConnectionRestored` pair and nobody leaving. Every departure
 *   is therefore reported one microtask after the Room's event.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, or is left while still `joining`, the binding calls `room.disconnect()` once;
 *   when the Room ended the call itself, it does not.
 *
 * Bound late or again, the binding brings the session in step with the Room's present
 * state (joined with the participants present, the difference since, reconnecting, or
 * closed if the Room has ended); a wrong `room` or `session` is a `TypeError` before
 * anything changes, and a Room already bound is refused. A Room that connects again on
 * its own after the session ended is disconnected (docs/bindings.md).
 */
export function bindLiveKitRoom(room: Room, session: CallSession, options?: LiveKitBindingOptions): () => void {
  checkSdkObject('bindLiveKitRoom', 'room', room, ROOM_SHAPE);
  checkSession('bindLiveKitRoom', session);
  const sessionIdOption = checkSessionIdOption(options, 'bindLiveKitRoom');
  const binding = startBinding({
    binder: 'bindLiveKitRoom',
    session,
    sdkObject: room,
    sdkName: 'Room',
    // disconnect() is async and reports through RoomEvent.Disconnected.
    disconnect: () => room.disconnect(),
  });
  const { send } = binding;
  const sessionId = () => sessionIdOption ?? (room.name || 'livekit');

  const remoteList = (): Participant[] => {
    const list: Participant[] = [];
    for (const remote of room.remoteParticipants.values()) {
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };

  const sendArrival = (remote: Pick<LiveKitParticipant, 'identity' | 'name'>) => {
    const participant = participantOf(remote);
    if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
  };

  // Room.handleRestarting (livekit-client src/room/Room.ts) emits ParticipantDisconnected
  // for every remote, synchronously, and only then sets the state to Reconnecting and
  // emits Reconnecting, all in one synchronous run: nothing tells a listener in time that
  // those departures are a reconnect. So participant events are held from the first
  // departure to the end of the current microtask; if the Room reads anything but
  // connected by then, they were the flood and are dropped. Arrivals in the same window
  // are held too, so that the order is kept (a RoomMoved re-announces everyone).
  let held: (() => void)[] | null = null;
  const whenSettled = (deliver: () => void) => {
    if (held) held.push(deliver);
    else deliver();
  };
  const hold = () => {
    if (held) return;
    const window: (() => void)[] = [];
    held = window;
    queueMicrotask(() => {
      if (held !== window) return;
      held = null;
      if (!binding.bound || room.state !== STATE.connected) return;
      for (const deliver of window) deliver();
    });
  };
  const dropHeld = () => {
    held = null;
  };

  const onConnectionStateChanged = (state: `${ConnectionState}`) => {
    if (state !== STATE.disconnected) {
      // After Disconnected(PARTICIPANT_REMOVED) a reconnect already under way can bring
      // the Room back (livekit/client-sdk-js#1216): the session is over, so end it again.
      binding.revived();
    }
    switch (state) {
      case STATE.connecting:
        if (session.state === 'idle') send({ type: 'session.join', sessionId: sessionId() });
        return;
      case STATE.connected:
        if (session.state === 'joining') send({ type: 'session.joined', participants: remoteList() });
        // The Room's map is the server's full list again (a full reconnect rebuilt it from
        // the new JoinResponse; a resume kept it, and applied the updates that came in).
        else if (session.state === 'reconnecting') send({ type: 'connection.restored', participants: remoteList() });
        return;
      case STATE.reconnecting:
      case STATE.signalReconnecting:
        // SignalReconnecting: only the signal connection (the one to the server) is down;
        // media may go on, but no participant update can arrive, and the resume may
        // escalate into a full reconnect. Reported as lost, so that one lost/restored
        // pair spans both.
        dropHeld();
        if (isJoined(session)) send({ type: 'connection.lost' });
        return;
      default:
        // Disconnected: RoomEvent.Disconnected follows at once, with the reason.
        return;
    }
  };

  const onParticipantConnected = (remote: RemoteParticipant) => {
    whenSettled(() => sendArrival(remote));
  };

  const onParticipantDisconnected = (remote: RemoteParticipant) => {
    // Not connected: the session is reconnecting and the resync at Reconnected decides.
    if (room.state !== STATE.connected) return;
    const identity = remote.identity;
    hold();
    whenSettled(() => {
      // Gone and back within one run (RoomMoved, a rejoin): still here, no departure.
      if (!identity || room.remoteParticipants.has(identity)) return;
      send({ type: 'participant.left', participant: { uid: identity } });
    });
  };

  const onParticipantNameChanged = (_name: string, participant: LiveKitParticipant) => {
    if (participant.isLocal || !room.remoteParticipants.has(participant.identity)) return;
    whenSettled(() => sendArrival(participant));
  };

  const onDisconnected = (reason?: DisconnectReason) => {
    dropHeld();
    const event = eventForDisconnect(reason, session.state, binding.disconnectRequested);
    // Even with nothing to send, the Room has ended this attempt: never call back into it.
    binding.endFromSdk(event);
  };

  binding.listen(
    room as unknown as Parameters<typeof binding.listen>[0],
    {
      [EVENT.connectionStateChanged]: onConnectionStateChanged,
      [EVENT.participantConnected]: onParticipantConnected,
      [EVENT.participantDisconnected]: onParticipantDisconnected,
      [EVENT.participantNameChanged]: onParticipantNameChanged,
      [EVENT.disconnected]: onDisconnected,
    } as Record<string, (...args: never[]) => void>,
  );
  binding.onUnbind(dropHeld);

  // Bound late, or again: catch the session up with where the Room stands.
  binding.sync({ phase: phaseOf(room.state), sessionId: sessionId(), participants: remoteList });

  return binding.unbind;
}

export {
  bindServerIdleWarning,
  SERVER_WARNING_TOPIC,
  type ServerIdleWarning,
  type ServerIdleWarningBinding,
  type ServerIdleWarningOptions,
} from './serverWarning.js';
