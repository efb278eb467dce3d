/**
 * Binds a @stream-io/video-client 1.x `Call` to a call session: the Call's calling state and
 * participants become the session events of SPEC §2, and a session that ends by `leave()`,
 * the idle timeout or the reconnect bound leaves the Call once. The mapping, with the
 * reason for each ambiguous case, is in docs/bindings.md.
 *
 * @stream-io/video-client is an optional peer dependency: this module imports its types
 * only, and uses the Call's own `state`, `on` and `leave` at run time.
 *
 * @example
 * ```ts
 * import { StreamVideoClient } from '@stream-io/video-client';
 * import { createCallSession } from 'call-session-machine';
 * import { bindStreamCall } from 'call-session-machine/stream';
 *
 * const client = new StreamVideoClient({ apiKey, user, token });
 * const call = client.call('default', 'standup');
 * const session = createCallSession();
 * const unbind = bindStreamCall(call, session);
 * await call.join({ create: true });
 * ```
 *
 * @module call-session-machine/stream
 */
import type {
  Call,
  CallingState,
  KickedUserEvent,
  SfuEvents,
  SfuModels,
  StreamVideoParticipant,
} from '@stream-io/video-client';
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

/** Options of {@link bindStreamCall}. */
export interface StreamBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the Call starts joining.
   * Default: the Call's `cid` (`'<type>:<id>'`).
   */
  sessionId?: string;
}

// The calling states, pinned to the installed SDK's own enum at compile time: a
// @stream-io/video-client that renamed one fails `npm run typecheck` here.
const STATE = {
  unknown: 'unknown',
  idle: 'idle',
  ringing: 'ringing',
  joining: 'joining',
  joined: 'joined',
  left: 'left',
  reconnecting: 'reconnecting',
  migrating: 'migrating',
  reconnectingFailed: 'reconnecting-failed',
  offline: 'offline',
} as const satisfies Record<string, `${CallingState}`>;
// SfuModels.WebsocketReconnectStrategy.DISCONNECT and SfuModels.ErrorCode.LIVE_ENDED.
const DISCONNECT: SfuModels.WebsocketReconnectStrategy.DISCONNECT = 1;
const LIVE_ENDED: SfuModels.ErrorCode.LIVE_ENDED = 104;

const isObservable = (value: unknown) => typeof (value as { subscribe?: unknown } | null)?.subscribe === 'function';

/** What the binding uses of a Call, checked at bind time. */
const CALL_SHAPE: SdkShape = {
  what: 'a @stream-io/video-client 1.x Call (client.call(type, id))',
  members: { on: 'function', off: 'function', leave: 'function', cid: 'string', state: 'object' },
  refine: (value) => {
    const state = (value as { state: Record<string, unknown> }).state;
    const missing = ['callingState$', 'participants$'].filter((name) => !isObservable(state[name]));
    return missing.length > 0 ? `its state has no ${missing.join(', no ')} observable` : null;
  },
};

/** A calling state as the binding core's phase, for a bind to a Call already on its way. */
function phaseOf(state: `${CallingState}`): SdkPhase {
  switch (state) {
    case STATE.joining:
      return 'connecting';
    case STATE.joined:
    case STATE.migrating:
      return 'connected';
    case STATE.reconnecting:
    case STATE.offline:
    case STATE.reconnectingFailed:
      // reconnecting-failed: the calling-state subscription ends it right after.
      return 'reconnecting';
    case STATE.left:
      return 'ended';
    default:
      // idle, ringing (an incoming call not answered), unknown: not in a call.
      return 'new';
  }
}

/** `listener`, with a throw reported (naming the binder) instead of passed to the SDK. */
function isolated<A extends unknown[]>(binder: string, what: string, listener: (...args: A) => void) {
  return (...args: A) => {
    try {
      listener(...args);
    } catch (error) {
      console.error(`call-session-machine: ${binder}: the ${what} handler threw`, error);
    }
  };
}

/** A remote participant, keyed by `sessionId`: one user on two devices is two sessions. */
function participantOf(participant: Pick<StreamVideoParticipant, 'sessionId' | 'userId' | 'name'>): Participant | null {
  return participantFrom({ pid: participant.sessionId, uid: participant.userId, name: participant.name });
}

/**
 * Binds `call` to `session` and returns `unbind`, which removes every subscription the
 * binding added (on the Call and on the session); calling it again does nothing.
 *
 * - `callingState` `joining` (the session `idle`) sends `session.join`; `joined` sends
 *   `session.joined` with the remote participants; `idle` again while joining (a failed
 *   `join()` attempt, whose state Stream restores) sends `session.joinFailed`.
 * - `reconnecting` and `offline` are `connection.lost`; `joined` after them is
 *   `connection.restored` with the remote participants as a resync. The `joining` a
 *   reconnect or a migration passes through is not a new join. `migrating` (the server
 *   moving the Call to another SFU while media goes on) fires nothing: participant changes
 *   wait until `joined`, and a failed migration becomes a reconnect.
 * - `reconnecting-failed` (Stream gave up, and keeps the Call, its camera and microphone
 *   until someone calls `leave()`) is `connection.closed`, and the binding leaves the Call.
 * - `participants$` (the SFU's list) becomes `participant.joined` / `participant.left`, as
 *   `{ pid: sessionId, uid: userId, name }`; the local participant is never sent.
 * - `left` that the binding did not cause: `session.removed` when this user was kicked
 *   (`call.kicked_user`) or blocked; `connection.closed` when the call ended for everyone
 *   (`call.state.endedAt`), when the SFU told the Call to disconnect, or when Stream gave up
 *   reconnecting and left; otherwise the app called `call.leave()` itself: `session.leave`.
 *   A kick alone does not make Stream leave, so then the binding leaves the Call.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, or is left while still `joining`, the binding calls `call.leave()` once; when
 *   Stream ended the call itself, it does not.
 *
 * Bound to a Call that is already joining, joined or reconnecting, the binding catches the
 * session up; bound again to a session already in the call, it resyncs it from the Call.
 *
 * @throws TypeError when `call` is not a Call, `session` is not a CallSession, or
 *   `options.sessionId` is not a non-empty string; Error when the Call is already bound.
 *   Nothing is bound then.
 */
export function bindStreamCall(call: Call, session: CallSession, options?: StreamBindingOptions): () => void {
  checkSdkObject('bindStreamCall', 'call', call, CALL_SHAPE);
  checkSession('bindStreamCall', session);
  const sessionIdOption = checkSessionIdOption(options, 'bindStreamCall');

  // One join attempt of the Call, from its `joining` to its `left` or `idle`. `leaving`:
  // the binding called call.leave() for it; what that attempt still reports (Stream's
  // leave() first waits for a pending join to finish) must not feed the session.
  let leaving = false;
  let migrating = false;
  let kicked = false;
  let sfuDisconnect = false;
  const leaveCall = () => {
    leaving = true;
    // leave() is async and reports through callingState `left`; it rejects when the Call
    // has already been left, which is the outcome asked for.
    return call.leave().catch(() => undefined);
  };
  const binding = startBinding({
    binder: 'bindStreamCall',
    session,
    sdkObject: call,
    sdkName: 'Call',
    disconnect: leaveCall,
  });
  const { send } = binding;
  /** Leaves a Call that Stream keeps although the session is over (a kick, a failed reconnect). */
  const leaveKeptCall = () => {
    if (!leaving) void leaveCall();
  };

  const remoteList = (participants: readonly StreamVideoParticipant[] = call.state.participants): Participant[] => {
    const list: Participant[] = [];
    for (const remote of participants) {
      if (remote.isLocalParticipant) continue;
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };

  /** Brings a joined session's list in line with the Call's: arrivals, updates, departures. */
  const syncParticipants = (participants?: readonly StreamVideoParticipant[]) => {
    if (!isJoined(session)) return;
    const list = remoteList(participants);
    const present = new Set(list.map((participant) => participant.pid));
    for (const listed of session.participants) {
      if (listed.pid !== undefined && !present.has(listed.pid)) {
        send({ type: 'participant.left', participant: { pid: listed.pid } });
      }
    }
    for (const participant of list) {
      if (!isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
    }
  };

  const isFinal = () => session.state === 'left' || session.state === 'timedOut' || session.state === 'closed';

  /** Why a `left` the binding did not cause happened, for a session in the call. */
  const endForLeft = (): CallSessionEvent => {
    const me = call.currentUserId;
    if (kicked || (me !== undefined && (call.state.blockedUserIds ?? []).includes(me))) {
      return { type: 'session.removed' };
    }
    // call.ended (coordinator) and callEnded (SFU) both set endedAt before leaving.
    if (call.state.endedAt || sfuDisconnect) return { type: 'connection.closed' };
    // Stream's own give-up (giveUpAndLeave) leaves from a reconnect.
    if (session.state === 'reconnecting') return { type: 'connection.closed' };
    return { type: 'session.leave' };
  };

  const onCallingState = (state: `${CallingState}`) => {
    switch (state) {
      case STATE.joining:
        if (leaving) return;
        if (session.state === 'idle') {
          kicked = false;
          sfuDisconnect = false;
          migrating = false;
          send({ type: 'session.join', sessionId: sessionIdOption ?? call.cid });
        } else if (isFinal()) {
          // Joining again on its own with nothing watching: the core leaves it.
          binding.revived();
        }
        return;
      case STATE.joined:
        if (leaving) return;
        if (session.state === 'joining') send({ type: 'session.joined', participants: remoteList() });
        else if (session.state === 'reconnecting') send({ type: 'connection.restored', participants: remoteList() });
        else if (migrating) syncParticipants();
        migrating = false;
        return;
      case STATE.reconnecting:
      case STATE.offline:
        migrating = false;
        if (isJoined(session)) send({ type: 'connection.lost' });
        return;
      case STATE.migrating:
        if (isJoined(session)) migrating = true;
        return;
      case STATE.reconnectingFailed:
        if (isInCall(session.state)) {
          // Stream stops trying but does not leave: the Call keeps its devices until leave().
          binding.endFromSdk({ type: 'connection.closed' });
          leaveKeptCall();
        }
        return;
      case STATE.idle:
      case STATE.ringing:
        // join() restores the state it started from (idle, or ringing for an incoming call)
        // when an attempt fails.
        if (leaving) {
          // The attempt the binding left failed first: Stream's leave() waits for a
          // `joined` that will not come, and this attempt is over all the same.
          leaving = false;
        } else if (session.state === 'joining') {
          binding.endFromSdk({ type: 'session.joinFailed' });
        }
        return;
      case STATE.left:
        migrating = false;
        if (leaving) {
          // The end of the attempt the binding left: a later join is a new attempt.
          leaving = false;
        } else if (session.state === 'joining') {
          // The app called call.leave() while joining.
          binding.endFromSdk({ type: 'session.leave' });
        } else if (isInCall(session.state)) {
          binding.endFromSdk(endForLeft());
        }
        return;
      default:
        // unknown: not in a call.
        return;
    }
  };

  const onParticipants = (participants: StreamVideoParticipant[]) => {
    if (migrating || leaving || call.state.callingState !== STATE.joined) return;
    syncParticipants(participants);
  };

  const onKicked = (event: KickedUserEvent) => {
    const me = call.currentUserId;
    if (me === undefined || event.user.id !== me || !isInCall(session.state)) return;
    // Stream does not leave on a kick ("Clients should make the kicked user leave the call
    // UI", KickedUserEvent): the session ends as removed, and the binding leaves the Call.
    kicked = true;
    binding.endFromSdk({ type: 'session.removed' });
    leaveKeptCall();
  };
  const onSfuError = (event: SfuEvents.Error) => {
    if (event.reconnectStrategy === DISCONNECT || event.error?.code === LIVE_ENDED) sfuDisconnect = true;
  };
  // Call.on/off take coordinator events (filtered to this call) and SFU events alike.
  binding.listen(
    call as unknown as Emitter,
    {
      'call.kicked_user': onKicked,
      error: onSfuError,
    } as Record<string, (...args: never[]) => void>,
  );
  binding.sync({
    phase: phaseOf(call.state.callingState),
    sessionId: sessionIdOption ?? call.cid,
    participants: () => remoteList(),
  });
  // Both are BehaviorSubject-backed: subscribing delivers the current value at once, which
  // after the sync above finds the session where the Call is (or ends it, for
  // reconnecting-failed).
  // A throw in an rxjs observer would surface as an uncaught error on a timer.
  const states = call.state.callingState$.subscribe(isolated('bindStreamCall', 'callingState$', onCallingState));
  binding.onUnbind(() => states.unsubscribe());
  const people = call.state.participants$.subscribe(isolated('bindStreamCall', 'participants$', onParticipants));
  binding.onUnbind(() => people.unsubscribe());
  return binding.unbind;
}
