/**
 * Binds a @daily-co/daily-js call object to a call session: the call object's own events
 * become the session events of SPEC §2, and a session that ends by `leave()`, the idle
 * timeout or the reconnect bound calls `call.leave()` once. The mapping, with the reason
 * for each ambiguous case, is in docs/bindings.md.
 *
 * @daily-co/daily-js is an optional peer dependency: this module imports its types only.
 *
 * @example
 * ```ts
 * import DailyModule from '@daily-co/daily-js';
 * import { createCallSession } from 'call-session-machine';
 * import { bindDailyCall } from 'call-session-machine/daily';
 *
 * // Under moduleResolution nodenext (docs/bindings.md, "Importing daily-js under nodenext"):
 * const Daily = DailyModule as unknown as typeof DailyModule.default;
 * const call = Daily.createCallObject();
 * const session = createCallSession();
 * const unbind = bindDailyCall(call, session, { sessionId: 'standup' });
 * await call.join({ url: 'https://your-domain.daily.co/standup' });
 * ```
 *
 * @module call-session-machine/daily
 */
import type {
  DailyCall,
  DailyEventObjectFatalError,
  DailyEventObjectNetworkConnectionEvent,
  DailyEventObjectParticipant,
  DailyEventObjectParticipantLeft,
  DailyEventObjectParticipants,
  DailyMeetingState,
  DailyParticipant,
} from '@daily-co/daily-js';
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

/** Options of {@link bindDailyCall}. */
export interface DailyBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the call object starts
   * joining. Default: `'daily'` (the room URL is given to `call.join()`, which the binding
   * does not see).
   */
  sessionId?: string;
}

/** What the binding uses of a call object, checked at bind time. */
const CALL_SHAPE: SdkShape = {
  what: 'a @daily-co/daily-js call object (Daily.createCallObject())',
  members: { on: 'function', off: 'function', leave: 'function', participants: 'function', meetingState: 'function' },
};

/** A meeting state as the binding core's phase. */
function phaseOf(state: DailyMeetingState): SdkPhase {
  switch (state) {
    case 'loading':
    case 'joining-meeting':
      return 'connecting';
    case 'joined-meeting':
      return 'connected';
    case 'left-meeting':
    case 'error':
      return 'ended';
    default:
      // new, loaded: not in a call yet.
      return 'new';
  }
}

/**
 * `pid` is the `session_id`, which names one participant of one call: a `user_id` is
 * whatever the app or the meeting token set (or the session_id by default), so two tabs
 * or devices of one user can share it. Keyed by user_id, one of them leaving would
 * remove "the user" while the other is still in the call.
 */
function participantOf(
  participant: Pick<DailyParticipant, 'session_id' | 'user_id' | 'user_name'>,
): Participant | null {
  if (!participant.session_id) return null;
  return participantFrom({ pid: participant.session_id, uid: participant.user_id, name: participant.user_name });
}

/** Daily's `network-connection` transports, one key each; peer-to-peer links count per remote peer. */
function transportKey(event: Pick<DailyEventObjectNetworkConnectionEvent, 'type' | 'session_id'>): string {
  return event.type === 'peer-to-peer' ? `peer-to-peer:${event.session_id ?? ''}` : event.type;
}

/**
 * What a fatal `error` means for a session in `state`. Daily documents that a
 * signaling connection not back within about 20 seconds ejects the participant; such an
 * ejection arrives while signaling is interrupted, when no host's eject message could
 * have come through, so it is a lost connection, not a removal.
 */
function eventForError(
  error: DailyEventObjectFatalError,
  state: CallSession['state'],
  signalingDown: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error: error.error ?? error.errorMsg };
  if (!isInCall(state)) return null;
  if (error.error?.type === 'ejected' && !signalingDown) return { type: 'session.removed' };
  // ejected while signaling was down, exp-room / exp-token (the room or token expired),
  // connection-error, end-of-life, and anything else: the call is over for good.
  return { type: 'connection.closed' };
}

/**
 * Binds `call` to `session` and returns `unbind`, which removes every listener the
 * binding added (on the call object and on the session); calling it again does nothing.
 *
 * - `loading` (the start of `join()` when the call-machine bundle is not loaded yet) and
 *   `joining-meeting` send `session.join`; `joined-meeting` sends `session.joined` with
 *   its participants, plus any `participant-joined` / `participant-left` that arrived
 *   before it (Daily may report remote participants first); a fatal `error` while
 *   joining sends `session.joinFailed`.
 * - `participant-joined` / `participant-updated` / `participant-left` become
 *   `participant.joined` / `participant.left`, as `{ pid: session_id, uid: user_id,
 *   name: user_name }`; the local participant is never sent.
 * - `network-connection` reports signaling, SFU and peer-to-peer links separately: the
 *   session is `connection.lost` while any of them is interrupted, and
 *   `connection.restored` (with `call.participants()` as a resync) once all are back.
 * - A fatal `error` (always followed by `left-meeting`) ends the session: `ejected` is
 *   `session.removed` (`connection.closed` if signaling was down), anything else
 *   `connection.closed`. `left-meeting` without the binding's own `call.leave()` is the
 *   app leaving: `session.leave`.
 * - Session to SDK: when the session ends by `leave()`, the idle timeout or the reconnect
 *   bound, or is left while still `joining`, the binding calls `call.leave()` once; when
 *   Daily ended the call itself, it does not.
 */
export function bindDailyCall(call: DailyCall, session: CallSession, options?: DailyBindingOptions): () => void {
  checkSdkObject('bindDailyCall', 'call', call, CALL_SHAPE);
  checkSession('bindDailyCall', session);
  const sessionId = checkSessionIdOption(options, 'bindDailyCall') ?? 'daily';
  const binding = startBinding({
    binder: 'bindDailyCall',
    session,
    sdkObject: call,
    sdkName: 'call object',
    // leave() is async and reports through `left-meeting`.
    disconnect: () => call.leave(),
  });
  const { send } = binding;

  // Remote participants Daily reported before `joined-meeting`, by session_id; null: left again.
  const early = new Map<string, Participant | null>();
  const interrupted = new Set<string>();

  const remoteList = (participants: Record<string, DailyParticipant | undefined>): Participant[] => {
    const list: Participant[] = [];
    for (const [key, remote] of Object.entries(participants)) {
      if (key === 'local' || !remote || remote.local) continue;
      const participant = participantOf(remote);
      if (participant) list.push(participant);
    }
    return list;
  };

  const startJoining = () => {
    if (session.state !== 'idle') return;
    early.clear();
    interrupted.clear();
    send({ type: 'session.join', sessionId });
  };

  const onJoinedMeeting = (event?: DailyEventObjectParticipants) => {
    if (session.state !== 'joining') return;
    const byId = new Map<string, Participant>();
    for (const participant of remoteList(event?.participants ?? call.participants()))
      byId.set(participant.pid!, participant);
    for (const [id, participant] of early) {
      if (participant) byId.set(id, participant);
      else byId.delete(id);
    }
    early.clear();
    send({ type: 'session.joined', participants: [...byId.values()] });
    if (interrupted.size > 0) send({ type: 'connection.lost' });
  };

  const onParticipant = (event?: DailyEventObjectParticipant) => {
    const remote = event?.participant;
    if (!remote || remote.local) return;
    const participant = participantOf(remote);
    if (!participant) return;
    if (session.state === 'joining') early.set(remote.session_id, participant);
    else if (!isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
  };

  const restoreIfAllBack = () => {
    if (interrupted.size === 0 && session.state === 'reconnecting') {
      send({ type: 'connection.restored', participants: remoteList(call.participants()) });
    }
  };

  const onParticipantLeft = (event?: DailyEventObjectParticipantLeft) => {
    const remote = event?.participant;
    if (!remote || remote.local || !remote.session_id) return;
    if (session.state === 'joining') early.set(remote.session_id, null);
    else send({ type: 'participant.left', participant: { pid: remote.session_id } });
    // A peer that left takes its peer-to-peer link with it; it will never report "connected".
    if (interrupted.delete(`peer-to-peer:${remote.session_id}`)) restoreIfAllBack();
  };

  const onNetworkConnection = (event?: DailyEventObjectNetworkConnectionEvent) => {
    if (!event) return;
    const key = transportKey(event);
    const wasDown = interrupted.size > 0;
    if (event.event === 'interrupted') interrupted.add(key);
    else if (event.event === 'connected') interrupted.delete(key);
    else return;
    if (!wasDown && interrupted.size > 0 && isJoined(session)) send({ type: 'connection.lost' });
    else restoreIfAllBack();
  };

  const onError = (event?: DailyEventObjectFatalError) => {
    if (!event) return;
    const ending = eventForError(event, session.state, interrupted.has('signaling'));
    if (ending) binding.endFromSdk(ending);
  };

  const onLeftMeeting = () => {
    interrupted.clear();
    early.clear();
    // After an `error` the session has already ended; after the binding's own
    // call.leave() too. Otherwise the app called call.leave() itself: the user left.
    if (binding.disconnectRequested || (session.state !== 'joining' && !isInCall(session.state))) {
      binding.endFromSdk(null);
      return;
    }
    binding.endFromSdk({ type: 'session.leave' });
  };

  binding.listen(
    call as unknown as Parameters<typeof binding.listen>[0],
    {
      loading: startJoining,
      'joining-meeting': startJoining,
      'joined-meeting': onJoinedMeeting,
      'participant-joined': onParticipant,
      'participant-updated': onParticipant,
      'participant-left': onParticipantLeft,
      'network-connection': onNetworkConnection,
      error: onError,
      'left-meeting': onLeftMeeting,
    } as Record<string, (...args: never[]) => void>,
  );

  // Bound late, or again: catch the session up with where the call object stands.
  binding.sync({
    phase: phaseOf(call.meetingState()),
    sessionId,
    participants: () => remoteList(call.participants()),
  });

  return binding.unbind;
}
