/**
 * Binds an agora-rtc-sdk-ng 4.x client (`AgoraRTC.createClient()`) to a call session: the
 * client's own events become the session events of SPEC §2, and a session that ends by
 * `leave()`, the idle timeout or the reconnect bound leaves the channel once. The mapping,
 * with the reason for each ambiguous case, is in docs/bindings.md.
 *
 * agora-rtc-sdk-ng is an optional peer dependency: this module imports its types only, and
 * uses the client's own `on`/`off`, state and `leave()` at run time.
 *
 * @example
 * ```ts
 * import AgoraRTC from 'agora-rtc-sdk-ng';
 * import { createCallSession } from 'call-session-machine';
 * import { bindAgoraClient } from 'call-session-machine/agora';
 *
 * const client = AgoraRTC.createClient({ mode: 'rtc', codec: 'vp8' });
 * const session = createCallSession();
 * const unbind = bindAgoraClient(client, session, { sessionId: 'standup' });
 * await client.join(appId, 'standup', token, uid);
 * ```
 *
 * @module call-session-machine/agora
 */
import type {
  ConnectionDisconnectedReason,
  ConnectionState,
  IAgoraRTCClient,
  IAgoraRTCRemoteUser,
} from 'agora-rtc-sdk-ng';
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
  type Emitter,
  type SdkPhase,
  type SdkShape,
} from '../core/binding.js';

/** Options of {@link bindAgoraClient}. */
export interface AgoraBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the client starts
   * joining. Default: the client's `channelName` when it has one, else `'agora'`.
   */
  sessionId?: string;
}

// The states and reasons, pinned to the installed SDK's own types at compile time: an
// agora-rtc-sdk-ng that renamed one fails `npm run typecheck` here.
const STATE = {
  disconnected: 'DISCONNECTED',
  connecting: 'CONNECTING',
  connected: 'CONNECTED',
  reconnecting: 'RECONNECTING',
  disconnecting: 'DISCONNECTING',
} as const satisfies Record<string, ConnectionState>;
const REASON = {
  leave: 'LEAVE',
  uidBanned: 'UID_BANNED',
  ipBanned: 'IP_BANNED',
  uidConflict: 'UID_CONFLICT',
} as const satisfies Record<string, `${ConnectionDisconnectedReason}`>;

/** Agora's own uid is the identity: one uid is in a channel once. Numbers become strings. */
function participantOf(user: Pick<IAgoraRTCRemoteUser, 'uid'>): Participant | null {
  const uid: unknown = user.uid;
  return participantFrom({ uid: typeof uid === 'number' ? String(uid) : uid });
}

/**
 * What `connection-state-change` to `DISCONNECTED` means for a session in `state`, given
 * whether the binding called `leave()`. Every `ConnectionDisconnectedReason` is covered:
 * the ones that say this user was put out are removals, the app's own `leave()` is the
 * user leaving, every other one is a permanent loss.
 */
function eventForDisconnect(
  reason: `${ConnectionDisconnectedReason}` | undefined,
  state: CallSession['state'],
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error: reason };
  if (!isInCall(state)) return null;
  switch (reason) {
    case REASON.leave:
      // Not the binding's leave() (that one is handled before): the app called client.leave().
      return { type: 'session.leave' };
    case REASON.uidBanned:
    case REASON.ipBanned:
      // This user (its uid or its IP) was banned from the channel: the kicking-rule API.
      return { type: 'session.removed' };
    case REASON.uidConflict:
      // Joined: another client joined with this uid and the server put this one out.
      // Reconnecting: this client's own rejoin is what collided; the call is gone.
      return state === 'reconnecting' ? { type: 'connection.closed' } : { type: 'session.removed' };
    default:
      // NETWORK_ERROR (the network did not come back), SERVER_ERROR, CHANNEL_BANNED (the
      // channel, for everyone), TOKEN_EXPIRE, the LICENSE_* reasons, FALLBACK_TO_HLS, no
      // reason, and any future value: the call is over for good.
      return { type: 'connection.closed' };
  }
}

/** What the binding uses of a client, checked at bind time. */
const CLIENT_SHAPE: SdkShape = {
  what: 'an agora-rtc-sdk-ng 4.x client (AgoraRTC.createClient())',
  members: { on: 'function', off: 'function', leave: 'function', connectionState: 'string', remoteUsers: 'object' },
  refine: (value) =>
    Array.isArray((value as { remoteUsers: unknown }).remoteUsers) ? null : 'its remoteUsers is not an array',
};

/** The client's connection state as the binding core's phase. */
function phaseOf(state: ConnectionState): SdkPhase {
  switch (state) {
    case STATE.connecting:
      return 'connecting';
    case STATE.connected:
      return 'connected';
    case STATE.reconnecting:
      return 'reconnecting';
    default:
      // DISCONNECTED (never joined, or left) and DISCONNECTING: not in a call.
      return 'new';
  }
}

/**
 * Binds `client` to `session` and returns `unbind`, which removes every listener the
 * binding added (on the client and on the session); calling it again does nothing.
 *
 * - `connection-state-change`: `CONNECTING` (the session `idle`) sends `session.join`;
 *   `CONNECTED` sends `session.joined` with `client.remoteUsers`, or, after
 *   `RECONNECTING` (which is `connection.lost`), `connection.restored` with them as a
 *   resync; `DISCONNECTED` while joining is `session.joinFailed`, and otherwise is mapped
 *   by its reason: `LEAVE` without the binding's own `leave()` is the app leaving
 *   (`session.leave`), `UID_BANNED` / `IP_BANNED` (and `UID_CONFLICT` while joined) are
 *   `session.removed`, every other reason `connection.closed`.
 * - `user-joined` / `user-left` become `participant.joined` / `participant.left`, as
 *   `{ uid }` (a number uid as its string); the local user is never sent. Every
 *   `user-left` is a departure from the session's list, whatever its reason (`Quit`,
 *   `ServerTimeOut`, `BecomeAudience`, or none): see docs/bindings.md for why.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, or is left while still `joining`, the binding calls `client.leave()` once; when
 *   Agora ended the call itself, it does not.
 *
 * Bound to a client that is already connecting, connected or reconnecting, the binding
 * catches the session up; bound again to a session already in the call, it resyncs it.
 *
 * @throws TypeError when `client` is not an agora-rtc-sdk-ng client, `session` is not a
 *   CallSession, or `options.sessionId` is not a non-empty string; Error when the client is
 *   already bound. Nothing is bound then.
 */
export function bindAgoraClient(
  client: IAgoraRTCClient,
  session: CallSession,
  options?: AgoraBindingOptions,
): () => void {
  checkSdkObject('bindAgoraClient', 'client', client, CLIENT_SHAPE);
  checkSession('bindAgoraClient', session);
  const sessionIdOption = checkSessionIdOption(options, 'bindAgoraClient');

  // The binding called client.leave() for the current join attempt: what that attempt still
  // reports (its DISCONNECTED, a join() that resolved first) must not feed the session.
  let leaving = false;
  const binding = startBinding({
    binder: 'bindAgoraClient',
    session,
    sdkObject: client,
    sdkName: 'client',
    disconnect: () => {
      leaving = true;
      // leave() is async and reports through connection-state-change.
      return client.leave();
    },
  });
  const { send } = binding;
  const sessionId = () => sessionIdOption ?? (client.channelName || 'agora');

  const remoteList = (): Participant[] => {
    const list: Participant[] = [];
    for (const remote of client.remoteUsers) {
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };

  const isFinal = () => session.state === 'left' || session.state === 'timedOut' || session.state === 'closed';

  const onConnectionStateChange = (
    current: ConnectionState,
    _previous?: ConnectionState,
    reason?: `${ConnectionDisconnectedReason}`,
  ) => {
    switch (current) {
      case STATE.connecting:
        if (leaving) return;
        if (session.state === 'idle') send({ type: 'session.join', sessionId: sessionId() });
        else if (isFinal()) binding.revived();
        return;
      case STATE.connected:
        if (leaving) return;
        if (session.state === 'joining') send({ type: 'session.joined', participants: remoteList() });
        // After a reconnect the client keeps the users it knew; those the server no
        // longer announces get `user-left` (with no reason) 3 s after CONNECTED.
        else if (session.state === 'reconnecting') send({ type: 'connection.restored', participants: remoteList() });
        else if (isFinal()) binding.revived();
        return;
      case STATE.reconnecting:
        if (isJoined(session)) send({ type: 'connection.lost' });
        return;
      case STATE.disconnected: {
        if (leaving) {
          // The end of the attempt the binding left: a later join() is a new attempt.
          leaving = false;
          return;
        }
        const event = eventForDisconnect(reason, session.state);
        if (event) binding.endFromSdk(event);
        return;
      }
      default:
        // DISCONNECTING: the DISCONNECTED that follows carries the reason.
        return;
    }
  };

  const onUserJoined = (user: IAgoraRTCRemoteUser) => {
    if (leaving || !isJoined(session)) return;
    const participant = participantOf(user);
    if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
  };

  const onUserLeft = (user: IAgoraRTCRemoteUser) => {
    // While reconnecting the session takes no departure; the resync at CONNECTED decides.
    if (leaving || !isJoined(session)) return;
    const participant = participantOf(user);
    if (participant?.uid) send({ type: 'participant.left', participant: { uid: participant.uid } });
  };

  binding.listen(
    client as unknown as Emitter,
    {
      'connection-state-change': onConnectionStateChange,
      'user-joined': onUserJoined,
      'user-left': onUserLeft,
    } as Record<string, (...args: never[]) => void>,
  );
  binding.sync({ phase: phaseOf(client.connectionState), sessionId: sessionId(), participants: remoteList });
  return binding.unbind;
}
