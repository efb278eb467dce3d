/**
 * Binds a Zoom Video SDK for web (@zoom/videosdk 2.x) client to a call session: the
 * client's own events become the session events of SPEC §2, and a session that ends by
 * `leave()`, the idle timeout or the reconnect bound calls `client.leave()` once. The
 * mapping, with the reason for each ambiguous case, is in docs/bindings.md.
 *
 * @zoom/videosdk is an optional peer dependency: this module imports its types only.
 *
 * @example
 * ```ts
 * import ZoomVideo from '@zoom/videosdk';
 * import { createCallSession } from 'call-session-machine';
 * import { bindZoomClient } from 'call-session-machine/zoom';
 *
 * const client = ZoomVideo.createClient();
 * const session = createCallSession();
 * const unbind = bindZoomClient(client, session, { sessionId: 'standup' });
 * await client.init('en-US', 'Global', { patchJsMedia: true });
 * session.join('standup'); // Zoom reports no "connecting" state: this shows `joining`
 * await client.join('standup', token, 'Ana');
 * ```
 *
 * @module call-session-machine/zoom
 */
import type { ConnectionState, ParticipantPropertiesPayload, ReconnectReason, VideoClient } from '@zoom/videosdk';
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
  type SdkShape,
} from '../core/binding.js';

/** The client `ZoomVideo.createClient()` returns. */
export type ZoomClient = typeof VideoClient;

/** Options of {@link bindZoomClient}. */
export interface ZoomBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the client is in the
   * session and the call session is still `idle`. Default: the session's topic
   * (`client.getSessionInfo().topic`) when the client has one, else `'zoom'`.
   */
  sessionId?: string;
}

const CLIENT_SHAPE: SdkShape = {
  what: 'a @zoom/videosdk 2.x client (ZoomVideo.createClient())',
  members: {
    on: 'function',
    off: 'function',
    leave: 'function',
    getAllUser: 'function',
    getCurrentUserInfo: 'function',
    getSessionInfo: 'function',
  },
  hint: (value) =>
    typeof (value as { createClient?: unknown }).createClient === 'function'
      ? 'pass ZoomVideo.createClient(), not ZoomVideo itself'
      : undefined,
};

// The enums' values, pinned to the installed SDK's own enums at compile time.
const STATE = {
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  closed: 'Closed',
  fail: 'Fail',
} as const satisfies Record<string, `${ConnectionState}`>;
const FAILOVER: `${ReconnectReason.Failover}` = 'failover';

/**
 * `connection-change`'s payload as the SDK sends it: `reason` is a `ReconnectReason`, a
 * closed reason, or a join failure's text, and `errorCode` is set on `Fail`
 * (the typings leave it out; Zoom's "handle events" guide documents it).
 */
interface ConnectionChange {
  state: `${ConnectionState}`;
  reason?: string;
  errorCode?: number;
}

/**
 * The two `Reconnecting` reasons that are a lost connection: `failover` (Zoom's own
 * reconnect after a dropped socket) and `on hold` (sent to the waiting room). The others
 * (`join breakout room`, `move to breakout room`, `back to main session`) are the user
 * moving between subsessions, which is not a loss.
 */
function isConnectionLoss(reason: string | undefined): boolean {
  return reason === FAILOVER || reason === 'on hold';
}

/**
 * What `connection-change {state: 'Closed', reason}` means for a session in `state`. The
 * reasons are the SDK's (`meetingMainEpics3` in dist/index.esm.js, from the server's
 * conference-end reason): `kicked by host`, `expeled by host` and `bot user kicked due to
 * master leaving` remove this user; `duplicated session` is the same user joining
 * elsewhere; `ended by host`, `free meeting ended`, `RSGW ended`, `archive failed` and
 * `unknown reason: …` end the session for everyone. No reason, or `user request`, is this
 * user's own leave.
 */
function eventForClosed(
  reason: string | undefined,
  state: CallSession['state'],
  requestedByBinding: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error: reason ?? 'Closed' };
  if (!isInCall(state)) return null;
  switch (reason) {
    case undefined:
    case '':
    case 'user request':
      // client.leave(): the binding's own (nothing to add) or the app's (the user left).
      return requestedByBinding ? null : { type: 'session.leave' };
    case 'kicked by host':
    case 'expeled by host':
    case 'bot user kicked due to master leaving':
      return { type: 'session.removed' };
    case 'duplicated session':
      // Joined, another device took this user's place. Reconnecting, it is this client's
      // own rejoin after the outage that collided: the call is gone for it.
      return state === 'reconnecting' ? { type: 'connection.closed' } : { type: 'session.removed' };
    default:
      return { type: 'connection.closed' };
  }
}

/**
 * Binds `client` to `session` and returns `unbind`, which removes every listener the
 * binding added (on the client and on the session); calling it again does nothing.
 *
 * - `connection-change` `Connected` joins the session (a `session.join` first when it is
 *   `idle`) with the roster that follows it; `Reconnecting` for a failover (or the
 *   waiting room) is `connection.lost`, and the `Connected` after it is
 *   `connection.restored` with the new roster as a resync; `Closed` and `Fail` end it
 *   (see docs/bindings.md for every reason).
 * - Zoom sends `Connected` before the roster, and rebuilds the roster from nothing after
 *   a failover without reporting anyone as removed: the binding waits for the roster's
 *   first `user-added` (which carries this user's own entry) and sends the join or the
 *   restore with the whole roster one microtask later.
 * - `user-added` / `user-updated` / `user-removed` become `participant.joined` /
 *   `participant.left`, as `{ uid: String(userId), name: displayName }`; this user's own
 *   entries (Zoom reports them like anyone's) are never sent.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, or is left while still `joining`, the binding calls `client.leave()` once;
 *   when Zoom ended the session itself, it does not.
 */
export function bindZoomClient(client: ZoomClient, session: CallSession, options?: ZoomBindingOptions): () => void {
  checkSdkObject('bindZoomClient', 'client', client, CLIENT_SHAPE);
  checkSession('bindZoomClient', session);
  const sessionIdOption = checkSessionIdOption(options, 'bindZoomClient');
  const binding = startBinding({
    binder: 'bindZoomClient',
    session,
    sdkObject: client,
    sdkName: 'client',
    // leave() resolves after 500 ms and reports through `connection-change` Closed.
    disconnect: () => client.leave(),
  });
  const { send } = binding;
  const sessionId = () => sessionIdOption ?? (client.getSessionInfo().topic || 'zoom');

  /** This user's own id; Zoom assigns a new one at every (re)join. */
  const selfId = (): number | undefined => {
    const self = client.getCurrentUserInfo() as { userId?: number } | null | undefined;
    return self?.userId;
  };
  const participantOf = (user: Pick<ParticipantPropertiesPayload, 'userId' | 'displayName'>): Participant | null =>
    typeof user.userId === 'number' ? participantFrom({ uid: String(user.userId), name: user.displayName }) : null;
  const remoteList = (): Participant[] => {
    const self = selfId();
    const list: Participant[] = [];
    for (const user of client.getAllUser()) {
      if (user.userId === self) continue;
      const participant = participantOf(user);
      if (participant) list.push(participant);
    }
    return list;
  };

  // After `Connected`, what the roster that follows it completes: the join, the restore
  // after a failover, or (after a subsession move) a reconcile of the list.
  let awaiting: 'join' | 'restore' | 'reconcile' | null = null;
  let rosterQueued = false;
  const completeWithRoster = () => {
    if (rosterQueued) return;
    rosterQueued = true;
    // The roster message emits its `user-added` events one after another, before the
    // client's store has applied it: the list is read once they are all out.
    queueMicrotask(() => {
      rosterQueued = false;
      const step = awaiting;
      awaiting = null;
      const participants = remoteList();
      if (step === 'join' && session.state === 'joining') send({ type: 'session.joined', participants });
      else if (step === 'restore' && session.state === 'reconnecting')
        send({ type: 'connection.restored', participants });
      else if (step === 'reconcile' && isJoined(session)) {
        const present = new Set(participants.map((participant) => participant.uid));
        for (const listed of session.participants)
          if (!present.has(listed.uid)) send({ type: 'participant.left', participant: { uid: listed.uid! } });
        for (const participant of participants)
          if (!isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
      }
    });
  };

  const onConnectionChange = (change?: ConnectionChange) => {
    if (!change) return;
    switch (change.state) {
      case STATE.connected:
        // A leave() during a failover does not stop Zoom's rejoin (with the socket down,
        // LEAVING_MEETING neither reaches the server nor cancels the rejoin): a client that
        // comes back after the session ended is left again.
        binding.revived();
        if (session.state === 'idle') send({ type: 'session.join', sessionId: sessionId() });
        if (session.state === 'joining') awaiting = 'join';
        else if (session.state === 'reconnecting') awaiting = 'restore';
        else if (isJoined(session) && awaiting === 'reconcile') return;
        else awaiting = null;
        // The roster may already be in (bound late, or a reconnect that kept it).
        if (awaiting && client.getAllUser().some((user) => user.userId === selfId())) completeWithRoster();
        return;
      case STATE.reconnecting:
        if (isConnectionLoss(change.reason)) {
          awaiting = null;
          if (isJoined(session)) send({ type: 'connection.lost' });
        } else if (isJoined(session)) {
          // A subsession move: the same call, another room; the roster after it decides.
          awaiting = 'reconcile';
        }
        return;
      case STATE.closed: {
        awaiting = null;
        const event = eventForClosed(change.reason, session.state, binding.disconnectRequested);
        binding.endFromSdk(event);
        return;
      }
      case STATE.fail:
        awaiting = null;
        // While joining, the join failed (its errorCode and reason say why); after a
        // failover, the rejoin did: the session is gone.
        if (session.state === 'joining')
          binding.endFromSdk({
            type: 'session.joinFailed',
            error: { reason: change.reason, errorCode: change.errorCode },
          });
        else binding.endFromSdk(isInCall(session.state) ? { type: 'connection.closed' } : null);
        return;
      default:
        return;
    }
  };

  const onUserAdded = (users?: ParticipantPropertiesPayload[]) => {
    if (!Array.isArray(users)) return;
    if (awaiting) {
      completeWithRoster();
      return;
    }
    if (!isJoined(session)) return;
    const self = selfId();
    for (const user of users) {
      if (user.userId === self) continue;
      const participant = participantOf(user);
      if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
    }
  };

  const onUserUpdated = (users?: ParticipantPropertiesPayload[]) => {
    if (!Array.isArray(users) || awaiting || !isJoined(session)) return;
    const self = selfId();
    for (const user of users) {
      // Updates carry only the changed fields: a name change is the one that reaches the session.
      if (user.userId === self || typeof user.displayName !== 'string') continue;
      const listed = session.participants.find((participant) => participant.uid === String(user.userId));
      if (!listed) continue;
      const participant = participantOf(user);
      if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
    }
  };

  const onUserRemoved = (users?: ParticipantPropertiesPayload[]) => {
    if (!Array.isArray(users) || !isJoined(session)) return;
    const self = selfId();
    for (const user of users) {
      // A remote's own failover (reason 'failover' / 'on hold') removes them from the
      // roster too; Zoom adds them again if they come back.
      if (user.userId === self || typeof user.userId !== 'number') continue;
      send({ type: 'participant.left', participant: { uid: String(user.userId) } });
    }
  };

  binding.listen(
    client as unknown as Parameters<typeof binding.listen>[0],
    {
      'connection-change': onConnectionChange,
      'user-added': onUserAdded,
      'user-updated': onUserUpdated,
      'user-removed': onUserRemoved,
    } as Record<string, (...args: never[]) => void>,
  );

  // Bound late, or again: a client already in the session catches the session up.
  binding.sync({
    phase: client.getSessionInfo().isInMeeting ? 'connected' : 'new',
    sessionId: sessionId(),
    participants: remoteList,
  });

  return binding.unbind;
}
