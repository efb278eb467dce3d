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
  checkSessionIdOption,
  isInCall,
  isJoined,
  isListedUnchanged,
  linkSession,
  listen,
  participantFrom,
  type Emitter,
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
 * If the Room is already connecting or connected at bind time, the binding catches the
 * session up (`session.join`, then `session.joined` with the participants present).
 */
export function bindLiveKitRoom(room: Room, session: CallSession, options?: LiveKitBindingOptions): () => void {
  const sessionIdOption = checkSessionIdOption(options, 'bindLiveKitRoom');
  let bound = true;
  const send = (event: CallSessionEvent) => {
    if (bound) session.send(event);
  };
  const link = linkSession(session, () => {
    // disconnect() is async and reports through RoomEvent.Disconnected; a rejection has
    // nowhere better to go than the Room's own logging.
    room.disconnect().catch(() => undefined);
  });

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
      if (!bound || room.state !== STATE.connected) return;
      for (const deliver of window) deliver();
    });
  };
  const dropHeld = () => {
    held = null;
  };

  const onConnectionStateChanged = (state: `${ConnectionState}`) => {
    switch (state) {
      case STATE.connecting:
        if (session.state === 'idle')
          send({ type: 'session.join', sessionId: sessionIdOption ?? (room.name || 'livekit') });
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
    const event = eventForDisconnect(reason, session.state, link.disconnectRequested);
    if (!event) return;
    link.markSdkEnded();
    send(event);
  };

  const unlisten = listen(
    room as unknown as Emitter,
    {
      [EVENT.connectionStateChanged]: onConnectionStateChanged,
      [EVENT.participantConnected]: onParticipantConnected,
      [EVENT.participantDisconnected]: onParticipantDisconnected,
      [EVENT.participantNameChanged]: onParticipantNameChanged,
      [EVENT.disconnected]: onDisconnected,
    } as Record<string, (...args: never[]) => void>,
  );

  // Catch up with a Room that is already on its way.
  const state = room.state;
  if (state !== STATE.disconnected) {
    onConnectionStateChanged(STATE.connecting);
    if (state !== STATE.connecting) onConnectionStateChanged(STATE.connected);
    if (state === STATE.reconnecting || state === STATE.signalReconnecting) onConnectionStateChanged(state);
  }

  return () => {
    if (!bound) return;
    bound = false;
    dropHeld();
    unlisten();
    link.stop();
  };
}

export {
  bindServerIdleWarning,
  SERVER_WARNING_TOPIC,
  type ServerIdleWarning,
  type ServerIdleWarningBinding,
  type ServerIdleWarningOptions,
} from './serverWarning.js';
