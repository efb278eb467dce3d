/**
 * The binding core every SDK binder is built on (docs/bindings.md, "Writing a binder";
 * /work/coord/binding-api.md has the signatures with an example). A binder is a mapping
 * table from its SDK's events to session events plus the glue that reads the SDK's
 * present state; the rules that protect the user live here, once:
 *
 * - **Checked before anything changes.** {@link checkSdkObject} and {@link checkSession}
 *   throw a `TypeError` naming the binder and what is missing; {@link startBinding}
 *   refuses an SDK object that is already bound. Nothing has been sent or listened to
 *   when they throw. A session bound again is taken over by the newest binding.
 * - **Disconnect once, never into an ended SDK.** The session ending by `leave()`, the idle
 *   timeout or the reconnect bound, a `leave()` while joining, and a `dispose()` of a
 *   session still joining or in a call, each disconnect the SDK at most once per attempt,
 *   and never when the SDK itself ended the call.
 * - **Resync on bind.** {@link Binding.sync} brings a session bound late (or bound again)
 *   in step with the SDK's present state; an SDK object that has already ended ends it.
 * - **One attempt, one SDK object.** {@link Binding.adopt} takes an SDK object that arrives
 *   later (Twilio's `connect()`): one that arrives for an attempt the session abandoned,
 *   or after `unbind()`, is disconnected and never feeds the session.
 *
 * @internal
 */
import type { CallSession, CallSessionEvent, Participant } from '../index.js';

// ---------------------------------------------------------------------------------------
// Bind-time checks
// ---------------------------------------------------------------------------------------

/** What a member of an SDK object must be, for {@link checkSdkObject}. */
export type MemberKind = 'function' | 'string' | 'object' | 'map';

/** The shape {@link checkSdkObject} checks an SDK object against. */
export interface SdkShape {
  /** What the argument must be, as the error says it: `'a livekit-client 2.x Room'`. */
  readonly what: string;
  /** Each member the binder uses, and what it must be (`'map'`: a `Map`-like with `values()` and `has()`). */
  readonly members: Readonly<Record<string, MemberKind>>;
  /**
   * Tells a look-alike apart (an SDK major version that kept the methods but renamed a
   * member): returns what is wrong, or `null`. Runs only when every member is present.
   */
  readonly refine?: (value: object) => string | null;
  /** Appended to the error when a member is missing: how to get the right object, or `undefined`. */
  readonly hint?: (value: object) => string | undefined;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object';
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

function hasKind(value: object, name: string, kind: MemberKind): boolean {
  let member: unknown;
  try {
    member = (value as Record<string, unknown>)[name];
  } catch {
    return false;
  }
  switch (kind) {
    case 'function':
      return typeof member === 'function';
    case 'string':
      return typeof member === 'string';
    case 'object':
      return typeof member === 'object' && member !== null;
    case 'map':
      return (
        typeof member === 'object' &&
        member !== null &&
        typeof (member as Map<unknown, unknown>).values === 'function' &&
        typeof (member as Map<unknown, unknown>).has === 'function'
      );
  }
}

function memberLabel(name: string, kind: MemberKind): string {
  switch (kind) {
    case 'function':
      return `${name}()`;
    case 'map':
      return `${name} Map`;
    case 'string':
      return `${name} string`;
    case 'object':
      return `${name} object`;
  }
}

/**
 * Throws a `TypeError` unless `value` has every member of `shape`, naming the binder, the
 * argument and each missing member: `bindLiveKitRoom: room must be a livekit-client 2.x
 * Room, got an EventEmitter with no remoteParticipants Map`. Reads the members only; calls nothing.
 */
export function checkSdkObject(binder: string, argument: string, value: unknown, shape: SdkShape): void {
  const expected = `${binder}: ${argument} must be ${shape.what}`;
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new TypeError(`${expected}, got ${describeValue(value)}`);
  }
  const missing = Object.entries(shape.members)
    .filter(([name, kind]) => !hasKind(value, name, kind))
    .map(([name, kind]) => memberLabel(name, kind));
  if (missing.length > 0) {
    const hint = shape.hint?.(value);
    throw new TypeError(
      `${expected}, got ${describeValue(value)} with no ${missing.join(', no ')}${hint ? ` (${hint})` : ''}`,
    );
  }
  const wrong = shape.refine?.(value);
  if (wrong) throw new TypeError(`${expected}; ${wrong}`);
}

/** Throws a `TypeError` unless `session` is a `CallSession` (`createCallSession()`'s result). */
export function checkSession(binder: string, session: unknown): asserts session is CallSession {
  const candidate = session as Partial<CallSession> | null | undefined;
  const ok =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.send === 'function' &&
    typeof candidate.addSessionStatusListener === 'function' &&
    typeof candidate.actor?.subscribe === 'function' &&
    typeof candidate.actor.getSnapshot === 'function';
  if (!ok) {
    throw new TypeError(
      `${binder}: session must be a CallSession from createCallSession(), got ${describeValue(session)}`,
    );
  }
  // A disposed session takes no event and fires no callback: nothing could report the call.
  if (candidate.actor!.getSnapshot().status === 'stopped') {
    throw new TypeError(`${binder}: session must not be disposed; bind a new session from createCallSession()`);
  }
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

// ---------------------------------------------------------------------------------------
// Session helpers
// ---------------------------------------------------------------------------------------

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

/** The identity the session keys a participant by (SPEC §2): `pid` when present, else `uid`. */
function identityOf(participant: Participant): string | undefined {
  return participant.pid ?? participant.uid;
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

/** A participant with only the fields that are non-empty strings; `null` without an identity. */
export function participantFrom(fields: { uid?: unknown; pid?: unknown; name?: unknown }): Participant | null {
  const participant: { uid?: string; pid?: string; name?: string } = {};
  if (typeof fields.uid === 'string' && fields.uid !== '') participant.uid = fields.uid;
  if (typeof fields.pid === 'string' && fields.pid !== '') participant.pid = fields.pid;
  if (typeof fields.name === 'string' && fields.name !== '') participant.name = fields.name;
  return participant.uid || participant.pid ? participant : null;
}

// ---------------------------------------------------------------------------------------
// The binding
// ---------------------------------------------------------------------------------------

/** An SDK emitter with `on`/`off` (Node's EventEmitter, LiveKit's, Twilio's, Daily's). */
export interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * Where the SDK object stands, as {@link Binding.sync} reads it:
 * `new` — not connecting (a LiveKit Room that is `disconnected` before any connect);
 * `connecting`; `connected`; `reconnecting`; `ended` — its call is over for good.
 */
export type SdkPhase = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** The SDK object's present state, for {@link Binding.sync}. */
export interface PresentState {
  readonly phase: SdkPhase;
  /** The `sessionId` of a `session.join` the sync sends to an `idle` session. */
  readonly sessionId: string;
  /** The remote participants now; read only for `connected` and `reconnecting`. */
  readonly participants: () => readonly Participant[];
  /**
   * The event that ends a session in a call when the SDK object is `ended` (or `new`, no
   * longer in the call). Default `connection.closed`: the call is gone, and why is not
   * known any more.
   */
  readonly endedEvent?: CallSessionEvent;
}

/** What {@link Binding.adopt} does with an SDK object that arrives later. */
export interface AdoptHandlers<T> {
  /** The object arrived for the live attempt, with the binding still bound: attach to it. */
  arrived(value: T): void;
  /** The attempt failed before an object arrived (the promise rejected), the session still `joining` for it. */
  failed(error: unknown): void;
  /** Ends an object that arrived too late (its attempt abandoned, or the binding unbound). */
  discard(value: T): void;
  /** Cancels the pending attempt when the session abandons it (Twilio's `CancelablePromise#cancel`). */
  cancel?: () => void;
}

/** One binding of one SDK object to one session, as {@link startBinding} makes it. */
export interface Binding {
  readonly session: CallSession;
  /** False once unbound (by `unbind()`, or because the session was disposed). */
  readonly bound: boolean;
  /** Whether the binding itself asked the SDK to disconnect in the current attempt. */
  readonly disconnectRequested: boolean;
  /** Whether the SDK ended the current attempt on its own (reported through {@link Binding.endFromSdk}). */
  readonly sdkEnded: boolean;
  /** Sends `event` to the session while bound; afterwards does nothing. */
  send(event: CallSessionEvent): void;
  /**
   * The SDK ended the call itself: records it (the binding will not call back into the
   * SDK for this attempt), then sends `event` (if any).
   */
  endFromSdk(event: CallSessionEvent | null): void;
  /**
   * Adds `listeners` to `emitter` until unbind. Each listener is isolated: one that throws
   * is reported (console.error, naming the binder) and never throws into the SDK's emit.
   */
  listen(emitter: Emitter, listeners: Readonly<Record<string, (...args: never[]) => void>>): void;
  /** Runs `cleanup` at unbind (for listeners that are not `on`/`off`: observables, `addEventListener`). */
  onUnbind(cleanup: () => void): void;
  /** Brings the session in step with the SDK's present state (see docs/bindings.md, "Binding late or again"). */
  sync(present: PresentState): void;
  /**
   * Watches `pending`, which settles with the SDK object of the session's current
   * attempt (call it right after sending `session.join`). One attempt, one object: an
   * object that arrives after the session abandoned the attempt (a `leave()` while
   * joining, an end, a dispose, a new attempt), or after `unbind()`, goes to `discard`
   * and never feeds the session, whatever kind of promise `pending` is.
   */
  adopt<T>(pending: PromiseLike<T>, handlers: AdoptHandlers<T>): void;
  /**
   * The SDK object is connecting or connected again on its own. If the session is over
   * (`left`, `timedOut`, `closed`), nothing watches that call any more: the binding
   * disconnects it (once per revival). Otherwise does nothing.
   */
  revived(): void;
  /** Changes which SDK object `disconnect` is about (Twilio: the Room once it arrives); registers it as bound. */
  claim(sdkObject: object): void;
  /** Removes every listener the binding added, on both sides; idempotent. */
  readonly unbind: () => void;
}

/** Options of {@link startBinding}. */
export interface BindingOptions {
  /** The binder's public name, for errors: `'bindLiveKitRoom'`. */
  readonly binder: string;
  readonly session: CallSession;
  /** The SDK object bound; refused if another binding holds it. */
  readonly sdkObject: object;
  /** What the SDK object is, for the "already bound" error: `'Room'`. */
  readonly sdkName: string;
  /**
   * Ends the SDK's call (`room.disconnect()`, `call.leave()`). Called at most once per
   * attempt, never after the SDK ended it; may return a promise, whose rejection is
   * reported, not thrown.
   */
  readonly disconnect: () => unknown;
}

/** The binding holding each SDK object and each session: one binding each at a time. */
const holders = new WeakMap<object, { readonly binder: string; readonly unbind: () => void }>();

function report(binder: string, what: string, error: unknown): void {
  console.error(`call-session-machine: ${binder}: ${what}`, error);
}

/** Runs `disconnect`, reporting a throw or a rejection instead of passing it on. */
function callSafely(binder: string, disconnect: () => unknown): void {
  try {
    const result = disconnect();
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) =>
        report(binder, 'the SDK rejected a disconnect', error),
      );
    }
  } catch (error) {
    report(binder, 'the SDK threw from a disconnect', error);
  }
}

/**
 * Starts a binding of `sdkObject` to `session`: call it after every check has passed and
 * before the first `listen` or `send`. Throws an `Error` (and changes nothing) when the
 * SDK object is already bound; a session already bound is taken over (the earlier
 * binding is unbound first).
 *
 * From here on the session side is watched: terminal ends by the user, the idle timeout
 * or the reconnect bound come from a status listener (inside it `session.endReason` is
 * already the new value, SPEC §2 "Ordering"); `joining → idle` fires no callback, so it
 * is read from the actor's snapshots (`snapshot.value` strings are public, SPEC §2); a
 * dispose from the actor's `complete`.
 */
export function startBinding(options: BindingOptions): Binding {
  const { binder, session, sdkName } = options;
  const holder = holders.get(options.sdkObject);
  if (holder !== undefined) {
    throw new Error(
      `${binder}: this ${sdkName} is already bound (by ${holder.binder}); call the unbind function that binding returned first`,
    );
  }
  // A session bound again (a second Join after a Leave, an effect's new dependencies)
  // belongs to the newest binding: the earlier one is unbound, and what its pending
  // attempt delivers is discarded.
  holders.get(session)?.unbind();
  const claimed: object[] = [];
  const claimObject = (sdkObject: object) => {
    if (holders.has(sdkObject)) return;
    holders.set(sdkObject, { binder, unbind: () => unbind() });
    claimed.push(sdkObject);
  };
  claimObject(options.sdkObject);
  claimObject(session);

  let bound = true;
  // Per attempt (idle → joining starts one): whether nothing more may be asked of the
  // SDK, because it ended the call or because the binding already asked it to.
  let attempt = 0;
  let attemptOver = false;
  let requested = false;
  let sdkEnded = false;
  let revivalDisconnected = false;
  const cleanups: (() => void)[] = [];
  const pendingCancels = new Set<() => void>();

  const fire = () => {
    if (attemptOver) return;
    attemptOver = true;
    requested = true;
    for (const cancel of [...pendingCancels]) cancel();
    callSafely(binder, options.disconnect);
  };

  const send = (event: CallSessionEvent) => {
    if (bound) session.send(event);
  };

  const unbind = () => {
    if (!bound) return;
    bound = false;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch (error) {
        report(binder, 'a cleanup threw at unbind', error);
      }
    }
    for (const held of claimed.splice(0)) holders.delete(held);
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
  cleanups.push(stopStatus);

  let previous: unknown = session.actor.getSnapshot().value;
  if (previous === 'joining') attempt = 1;
  const subscription = session.actor.subscribe({
    next: (snapshot) => {
      const value: unknown = snapshot.value;
      if (value === previous) return;
      if (previous === 'idle' && value === 'joining') {
        // A new attempt: what ended the last one says nothing about this one.
        attempt++;
        attemptOver = false;
        requested = false;
        sdkEnded = false;
      } else if (previous === 'joining' && value === 'idle') {
        fire();
      }
      previous = value;
    },
    complete: () => {
      // A disposed session can no longer govern the SDK: a call left running would keep
      // the camera on with nothing watching it. A final session ended it already.
      if (session.actor.getSnapshot().status !== 'stopped') return;
      // `state` keeps its last value after dispose().
      const last = session.state;
      if (last === 'joining' || isInCall(last)) fire();
      else attemptOver = true;
      unbind();
    },
  });
  cleanups.push(() => subscription.unsubscribe());

  const binding: Binding = {
    session,
    get bound() {
      return bound;
    },
    get disconnectRequested() {
      return requested;
    },
    get sdkEnded() {
      return sdkEnded;
    },
    send,
    endFromSdk(event) {
      sdkEnded = true;
      revivalDisconnected = false;
      attemptOver = true;
      if (event) send(event);
    },
    listen(emitter, listeners) {
      const added = Object.entries(listeners).map(([event, listener]) => {
        const isolated = (...args: never[]) => {
          try {
            listener(...args);
          } catch (error) {
            report(binder, `the ${event} handler threw`, error);
          }
        };
        return [event, isolated] as const;
      });
      for (const [event, listener] of added) emitter.on(event, listener);
      cleanups.push(() => {
        for (const [event, listener] of added) emitter.off(event, listener);
      });
    },
    onUnbind(cleanup) {
      if (bound) cleanups.push(cleanup);
      else cleanup();
    },
    sync(present) {
      syncSession(binding, present);
    },
    adopt(pending, handlers) {
      const mine = attempt;
      const live = () => bound && attempt === mine && !attemptOver;
      let settled = false;
      const cancel = () => {
        pendingCancels.delete(cancel);
        if (settled) return;
        try {
          handlers.cancel?.();
        } catch (error) {
          report(binder, 'the SDK threw from a cancel', error);
        }
      };
      if (handlers.cancel) pendingCancels.add(cancel);
      // A binding unbound while the promise is pending hands what arrives to nobody.
      cleanups.push(() => pendingCancels.delete(cancel));
      const guarded = (what: string, run: () => void) => {
        try {
          run();
        } catch (error) {
          report(binder, what, error);
        }
      };
      pending.then(
        (value) => {
          settled = true;
          pendingCancels.delete(cancel);
          if (live()) guarded('attaching what the promise delivered failed', () => handlers.arrived(value));
          else guarded('ending what the promise delivered too late failed', () => handlers.discard(value));
        },
        (error: unknown) => {
          settled = true;
          pendingCancels.delete(cancel);
          if (live() && session.state === 'joining') {
            binding.endFromSdk(null);
            guarded('reporting the failed attempt failed', () => handlers.failed(error));
          }
        },
      );
    },
    revived() {
      if (!bound || revivalDisconnected) return;
      const state = session.state;
      if (state !== 'left' && state !== 'timedOut' && state !== 'closed') return;
      revivalDisconnected = true;
      callSafely(binder, options.disconnect);
    },
    claim: claimObject,
    unbind,
  };
  return binding;
}

/** The event that leaves `participant` (by the identity the session keys it on). */
function departureOf(participant: Participant): CallSessionEvent | null {
  if (participant.pid) return { type: 'participant.left', participant: { pid: participant.pid } };
  if (participant.uid) return { type: 'participant.left', participant: { uid: participant.uid } };
  return null;
}

/**
 * The session in step with `present`, from whatever state it is in (the table is in
 * docs/bindings.md, "Binding late or again"). A joined session gets the difference as
 * participant events, so that a rebind fires callbacks only for who really came or went
 * while nobody listened.
 */
function syncSession(binding: Binding, present: PresentState): void {
  const { session } = binding;
  const state = session.state;
  const { phase } = present;
  if (phase === 'ended' || (phase === 'new' && isInCall(state))) {
    if (state === 'joining' && phase === 'ended') {
      binding.endFromSdk({
        type: 'session.joinFailed',
        error: new Error('the SDK object had already ended its call when it was bound'),
      });
    } else if (isInCall(state)) {
      binding.endFromSdk(present.endedEvent ?? { type: 'connection.closed' });
    } else {
      binding.endFromSdk(null);
    }
    return;
  }
  if (phase === 'new') return;
  if (state === 'left' || state === 'timedOut' || state === 'closed') {
    // The session ended while nobody was bound (an idle timeout, a leave()), so its end
    // never reached the SDK: a call still running now has nothing watching it.
    binding.revived();
    return;
  }
  if (session.state === 'idle') binding.send({ type: 'session.join', sessionId: present.sessionId });
  if (phase === 'connecting') {
    if (isJoined(session)) binding.send({ type: 'connection.lost' });
    return;
  }
  const participants = present.participants();
  if (session.state === 'joining') binding.send({ type: 'session.joined', participants: [...participants] });
  else if (session.state === 'reconnecting' && phase === 'connected') {
    binding.send({ type: 'connection.restored', participants: [...participants] });
  } else if (isJoined(session)) {
    const here = new Set(participants.map(identityOf));
    for (const listed of session.participants) {
      if (here.has(identityOf(listed))) continue;
      const departure = departureOf(listed);
      if (departure) binding.send(departure);
    }
    for (const participant of participants) {
      if (!isListedUnchanged(session, participant)) binding.send({ type: 'participant.joined', participant });
    }
  }
  if (phase === 'reconnecting' && isJoined(session)) binding.send({ type: 'connection.lost' });
}
