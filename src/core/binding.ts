import type { CallSession, Participant } from '../index.js';

/**
 * What every binding needs from the session side: a watch that disconnects the SDK once
 * when the session ends by `leave()`, the idle timeout or the reconnect bound (SPEC §7),
 * and never when the SDK itself ended the call.
 */
export interface SessionLink {
  /**
   * The SDK ended (or is ending) the call on its own: the end the binding is about to
   * report must not call back into the SDK. Call it before sending that event.
   */
  markSdkEnded(): void;
  /** Whether the binding itself asked the SDK to disconnect for the current attempt. */
  readonly disconnectRequested: boolean;
  /** Removes both session-side listeners; idempotent. */
  stop(): void;
}

/**
 * Watches `session` and calls `disconnect` at most once per join attempt when the session
 * ends by the user, the idle timeout or the reconnect bound, or goes from `joining` back to
 * `idle` without the SDK having reported a failure (a `leave()` while joining).
 *
 * Terminal ends come from a status listener (inside it `session.endReason` is already
 * the new value, SPEC §2 "Ordering"). `joining → idle` fires no callback at all, so that
 * one is read from the actor's snapshots; `snapshot.value` is XState's own state value,
 * whose strings SPEC §2 makes public.
 */
export function linkSession(session: CallSession, disconnect: () => void): SessionLink {
  // "Ended" means: nothing more may be asked of the SDK for this attempt, either
  // because the SDK ended it or because the binding already asked it to disconnect.
  let ended = false;
  let requested = false;
  let stopped = false;
  const fire = () => {
    if (ended || stopped) return;
    ended = true;
    requested = true;
    disconnect();
  };
  const stopStatus = session.addSessionStatusListener({
    onSessionLeft: () => {
      // 'removed' comes from the SDK (host or server); only the user's own leave disconnects.
      if (session.endReason === 'user') fire();
    },
    onSessionTimedOut: fire,
    onConnectionClosed: () => {
      // 'server' is the SDK's own report; the reconnect bound is the session giving up.
      if (session.endReason === 'reconnectTimeout') fire();
    },
  });
  let previous: unknown = session.actor.getSnapshot().value;
  const subscription = session.actor.subscribe((snapshot) => {
    const value: unknown = snapshot.value;
    if (value === previous) return;
    if (previous === 'idle' && value === 'joining') {
      // A new attempt: what ended the last one says nothing about this one.
      ended = false;
      requested = false;
    } else if (previous === 'joining' && value === 'idle') {
      fire();
    }
    previous = value;
  });
  return {
    markSdkEnded() {
      ended = true;
    },
    get disconnectRequested() {
      return requested;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stopStatus();
      subscription.unsubscribe();
    },
  };
}

/**
 * Whether `participant` is already listed with exactly these fields. SDKs re-announce
 * participants (LiveKit's buffered `ParticipantConnected` after a reconnect, Daily's
 * `participant-updated` for every track change); sending those would fire
 * `onParticipantListChanged` each time (SPEC §2: an update fires it even when the fields
 * are identical), so the bindings skip them.
 */
export function isListedUnchanged(session: CallSession, participant: Participant): boolean {
  return session.participants.some(
    (listed) =>
      listed.uid === participant.uid &&
      listed.pid === participant.pid &&
      listed.name === participant.name &&
      listed.avatar === participant.avatar,
  );
}

/** Whether `state` is one of the `joined.*` states. */
export function isJoinedState(state: CallSession['state']): boolean {
  return state === 'joined.alone' || state === 'joined.accompanied';
}

/** Whether the session is in one of the `joined.*` states. */
export function isJoined(session: CallSession): boolean {
  return isJoinedState(session.state);
}

/** Whether `state` is joined or reconnecting: a session that a terminal event can end. */
export function isInCall(state: CallSession['state']): boolean {
  return isJoinedState(state) || state === 'reconnecting';
}

/** A participant with only the fields that are non-empty strings; `null` without an identity. */
export function participantFrom(fields: { uid?: unknown; pid?: unknown; name?: unknown }): Participant | null {
  const participant: { uid?: string; pid?: string; name?: string } = {};
  if (typeof fields.uid === 'string' && fields.uid !== '') participant.uid = fields.uid;
  if (typeof fields.pid === 'string' && fields.pid !== '') participant.pid = fields.pid;
  if (typeof fields.name === 'string' && fields.name !== '') participant.name = fields.name;
  return participant.uid || participant.pid ? participant : null;
}

/** A `sessionId` option checked at bind time: a non-empty string, or absent. */
export function checkSessionIdOption(options: { sessionId?: unknown } | undefined, binder: string): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${binder}: options must be an object`);
  const { sessionId } = options;
  if (sessionId === undefined) return undefined;
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new TypeError(`${binder}: options.sessionId must be a non-empty string`);
  }
  return sessionId;
}

/** Listener bookkeeping: every `on` is recorded so that `unbind` can `off` exactly those. */
export interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/** Adds `listeners` to `emitter`; returns a function that removes exactly them, once. */
export function listen(emitter: Emitter, listeners: Readonly<Record<string, (...args: never[]) => void>>): () => void {
  const added = Object.entries(listeners);
  for (const [event, listener] of added) emitter.on(event, listener);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    for (const [event, listener] of added) emitter.off(event, listener);
  };
}
