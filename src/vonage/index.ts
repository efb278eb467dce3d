/**
 * Binds a Vonage Video (OpenTok, @opentok/client 2.x) `Session` to a call session: the
 * Session's own events become the session events of SPEC §2, and a call session that ends
 * by `leave()`, the idle timeout or the reconnect bound calls `session.disconnect()` once.
 * The mapping, with the reason for each ambiguous case, is in docs/bindings.md.
 *
 * @opentok/client is an optional peer dependency: this module imports its types only.
 *
 * @example
 * ```ts
 * import OT from '@opentok/client';
 * import { createCallSession } from 'call-session-machine';
 * import { bindVonageSession } from 'call-session-machine/vonage';
 *
 * const otSession = OT.initSession(apiKey, sessionId);
 * const session = createCallSession();
 * const unbind = bindVonageSession(otSession, session, { sessionId: 'standup' });
 * session.join('standup'); // OpenTok reports no "connecting" event: this shows `joining`
 * otSession.connect(token, (error) => {
 *   // an error here has already sent session.joinFailed
 * });
 * ```
 *
 * @module call-session-machine/vonage
 */
import type OT from '@opentok/client';
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

/** The Session `OT.initSession()` returns. */
export type VonageSession = OT.Session;

/** Options of {@link bindVonageSession}. */
export interface VonageBindingOptions {
  /**
   * The `sessionId` of the `session.join` the binding sends when the Session connects
   * while the call session is still `idle`. Default: the Session's own `sessionId`.
   */
  sessionId?: string;
}

const SESSION_SHAPE: SdkShape = {
  what: 'an @opentok/client 2.x Session (OT.initSession())',
  members: { on: 'function', off: 'function', disconnect: 'function', isConnected: 'function', sessionId: 'string' },
  hint: (value) =>
    typeof (value as { initSession?: unknown }).initSession === 'function'
      ? 'pass OT.initSession(apiKey, sessionId), not OT itself'
      : undefined,
};

/**
 * What the binding reads that opentok.js has but its typings leave out: `isConnected()`
 * (the Session's own state check) and `connections` (an OpenTok Collection of the
 * connections the Session knows, its own included).
 */
interface SessionRuntime {
  isConnected(): boolean;
  connections?: { forEach(callback: (connection: OT.Connection) => void): void };
}

/** A participant is a connection: one per client, a new id for every connect. */
function participantOf(connection: Pick<OT.Connection, 'connectionId'> | undefined): Participant | null {
  return connection ? participantFrom({ pid: connection.connectionId }) : null;
}

/**
 * What `sessionDisconnected` means for a call session in `state`. The reasons are the
 * ones OpenTok documents for `SessionDisconnectEvent.reason` (dist/js/opentok.js, the
 * event's doc comment): `clientDisconnected` is `session.disconnect()` (or a closed page),
 * `forceDisconnected` a moderator's `forceDisconnect()`, `networkDisconnected` the
 * reconnection giving up (OpenTok reports `networkTimedout` under this name too),
 * `mediaIdle` four hours without media, `serverRotation` a server taken out of service.
 */
function eventForDisconnect(
  reason: string | undefined,
  state: CallSession['state'],
  requestedByBinding: boolean,
): CallSessionEvent | null {
  if (state === 'joining') return { type: 'session.joinFailed', error: reason };
  if (!isInCall(state)) return null;
  switch (reason) {
    case 'clientDisconnected':
      // session.disconnect(): the binding's own (nothing to add) or the app's (the user left).
      return requestedByBinding ? null : { type: 'session.leave' };
    case 'forceDisconnected':
      return { type: 'session.removed' };
    default:
      // networkDisconnected, mediaIdle, serverRotation, and any later reason.
      return { type: 'connection.closed' };
  }
}

/**
 * Binds `otSession` to `session` and returns `unbind`, which removes every listener the
 * binding added (on the Session and on the call session); calling it again does nothing.
 *
 * - `sessionConnected` joins the call session (a `session.join` first when it is `idle`)
 *   with the connections OpenTok announces right after it; the `connect()` failure
 *   (`sessionConnectFailed`) while joining is `session.joinFailed`.
 * - `connectionCreated` / `connectionDestroyed` (any reason) are `participant.joined` /
 *   `participant.left`, as `{ pid: connectionId }`; this client's own connection is never
 *   sent. `streamCreated` / `streamDestroyed` are media, not presence, and are not used.
 * - `sessionReconnecting` is `connection.lost`, `sessionReconnected`
 *   `connection.restored` with the Session's connection list (kept across a reconnect)
 *   as the resync.
 * - `sessionDisconnected`: `forceDisconnected` is `session.removed`; `clientDisconnected`
 *   not asked for by the binding is `session.leave`; any other reason `connection.closed`.
 * - Session to SDK: when the call session ends by `leave()`, the idle timeout or the
 *   reconnect bound, or is left while still `joining`, the binding calls
 *   `otSession.disconnect()` once; when OpenTok ended the session itself, it does not.
 *
 * A Session initialised with `connectionEventsSuppressed: true` emits no connection
 * events: the binding then sees nobody, and the idle countdown runs while others are
 * there. Do not combine the two.
 */
export function bindVonageSession(
  otSession: VonageSession,
  session: CallSession,
  options?: VonageBindingOptions,
): () => void {
  checkSdkObject('bindVonageSession', 'otSession', otSession, SESSION_SHAPE);
  checkSession('bindVonageSession', session);
  const sessionId = checkSessionIdOption(options, 'bindVonageSession') ?? (otSession.sessionId || 'vonage');
  const binding = startBinding({
    binder: 'bindVonageSession',
    session,
    sdkObject: otSession,
    sdkName: 'Session',
    // disconnect() reports through sessionDisconnected (clientDisconnected).
    disconnect: () => otSession.disconnect(),
  });
  const { send } = binding;

  const ownId = () => otSession.connection?.connectionId;
  const connectionList = (): Participant[] => {
    const list: Participant[] = [];
    (otSession as unknown as SessionRuntime).connections?.forEach((connection) => {
      if (connection.connectionId === ownId()) return;
      const participant = participantOf(connection);
      if (participant) list.push(participant);
    });
    return list;
  };

  // OpenTok dispatches sessionConnected and then, in the same run, connectionCreated for
  // everyone already there (Collection#_triggerAddEvents): the join waits for them.
  let joinQueued = false;
  const onSessionConnected = () => {
    if (session.state === 'idle') send({ type: 'session.join', sessionId });
    if (session.state !== 'joining' || joinQueued) return;
    joinQueued = true;
    queueMicrotask(() => {
      joinQueued = false;
      if (session.state === 'joining') send({ type: 'session.joined', participants: connectionList() });
    });
  };

  const onConnectionCreated = (event?: { connection?: OT.Connection }) => {
    const connection = event?.connection;
    if (!connection || connection.connectionId === ownId() || joinQueued || !isJoined(session)) return;
    const participant = participantOf(connection);
    if (participant && !isListedUnchanged(session, participant)) send({ type: 'participant.joined', participant });
  };

  const onConnectionDestroyed = (event?: { connection?: OT.Connection }) => {
    const connection = event?.connection;
    // Any reason: clientDisconnected (they left), forceDisconnected (a moderator removed
    // them), networkDisconnected (they lost the network; a return is a new connection).
    if (!connection || connection.connectionId === ownId() || !isJoined(session)) return;
    send({ type: 'participant.left', participant: { pid: connection.connectionId } });
  };

  const onReconnecting = () => {
    if (isJoined(session)) send({ type: 'connection.lost' });
  };

  const onReconnected = () => {
    // The Session's connection list lives through the outage (only its socket was
    // replaced): it is the resync list, and the server's later updates follow as
    // connection events.
    if (session.state === 'reconnecting') send({ type: 'connection.restored', participants: connectionList() });
  };

  const onDisconnected = (event?: { reason?: string }) => {
    binding.endFromSdk(eventForDisconnect(event?.reason, session.state, binding.disconnectRequested));
  };

  const onConnectFailed = (error?: unknown) => {
    if (session.state === 'joining') binding.endFromSdk({ type: 'session.joinFailed', error });
  };

  binding.listen(
    otSession as unknown as Parameters<typeof binding.listen>[0],
    {
      sessionConnected: onSessionConnected,
      connectionCreated: onConnectionCreated,
      connectionDestroyed: onConnectionDestroyed,
      sessionReconnecting: onReconnecting,
      sessionReconnected: onReconnected,
      sessionDisconnected: onDisconnected,
      // Triggered by the Session when connect() fails (sessionConnectFailed in opentok.js),
      // before connect()'s callback is called with the error.
      sessionConnectFailed: onConnectFailed,
    } as Record<string, (...args: never[]) => void>,
  );

  // Bound late, or again: a Session already connected catches the call session up.
  binding.sync({
    phase: (otSession as unknown as SessionRuntime).isConnected() ? 'connected' : 'new',
    sessionId,
    participants: connectionList,
  });

  return binding.unbind;
}
