/**
 * Drives a real twilio-video `Room` from the inside, for an app's own tests: people
 * arriving and leaving, a signaling or media reconnect that recovers or gives up, the
 * server's end with any TwilioError or the `null` of a removal, and `connect()`'s
 * CancelablePromise settled by the test — each produced by twilio-video's own code, with
 * no Twilio server. This is the helper the package's own binding tests use.
 *
 * **Pinned to twilio-video 2.32.0** (2.32.1 and later need Node 22). A real `Room`
 * (es5/room.js, the class `connect()` resolves to) is built on a real `RoomSignaling`
 * (es5/signaling/room.js, the base of the RoomV2 that `connect()` uses), with a real
 * `LocalParticipant` and real `RemoteParticipantSignaling`s — the way twilio-video's own
 * unit tests build one (test/unit/spec/room.js in its repository). State changes go
 * through the signaling's own state machine (`preempt`, `_disconnect`); the Room turns
 * them into its events, `reconnecting` and `reconnected` on a timer as in production.
 * Another twilio-video version may have moved an internal: compare
 * {@link describeInternals} against a known-good run. twilio-video is an optional peer
 * dependency; this subpath loads its es5 modules.
 *
 * @example
 * ```ts
 * import { bindTwilioRoom } from 'call-session-machine/twilio';
 * import { createTwilioRoom, participantConnects, startReconnecting, finishReconnecting } from 'call-session-machine/testing/twilio';
 *
 * const { room, signaling } = await createTwilioRoom([['PA_ana', 'ana']]);
 * bindTwilioRoom(room, session);
 * participantConnects(signaling, 'PA_bo', 'bo');
 * await startReconnecting(signaling);
 * await finishReconnecting(signaling);
 * ```
 *
 * @module call-session-machine/testing/twilio
 */
import { createRequire } from 'node:module';
import type { Room, TwilioError } from 'twilio-video';

/** The twilio-video version these internals were read from. */
export const TWILIO_VIDEO_VERSION = '2.32.0';

const require = createRequire(import.meta.url);

/** twilio-video's StateMachine (es5/statemachine.js), as far as the drivers use it. */
interface StateMachineLike {
  /** The current state. */
  state: string;
  /** Moves to `state` at once, emitting `stateChanged` with `payload`. */
  preempt(state: string, key: null, payload: unknown[]): void;
}
/** twilio-video's RoomSignaling (es5/signaling/room.js). */
export interface RoomSignaling extends StateMachineLike {
  /** Adds a remote participant; the Room emits `participantConnected`. */
  connectParticipant(participant: RemoteParticipantSignaling): boolean;
  /** Ends the signaling with `error`; the Room emits `disconnected(room, error)`. */
  _disconnect(error?: unknown): boolean;
  /** The remote participants' signalings, by sid. */
  participants: Map<string, RemoteParticipantSignaling>;
}
/** twilio-video's RemoteParticipantSignaling (es5/signaling/remoteparticipant.js). */
export interface RemoteParticipantSignaling extends StateMachineLike {
  /** The participant's sid (`PA…`). */
  sid: string;
  /** The participant's identity. */
  identity: string;
  /** The participant leaves; the Room emits `participantDisconnected`. */
  disconnect(): boolean;
}
/** A Room built by {@link createTwilioRoom}, with the signaling the drivers take. */
export interface DrivenTwilioRoom {
  /** The real twilio-video Room. */
  room: Room;
  /** Its RoomSignaling: pass it to the drivers below. */
  signaling: RoomSignaling;
}
/** What {@link pendingConnect} returns. */
export interface PendingConnect {
  /** twilio-video's own CancelablePromise of a Room, as `connect()` returns. */
  promise: PromiseLike<Room> & {
    /** Rejects the promise (as `connect()`'s cancel does) unless it has settled. */
    cancel(): unknown;
  };
  /** Resolves the promise with `room`. */
  resolve(room: Room): void;
  /** Rejects the promise with `error`. */
  reject(error: unknown): void;
  /** How many times `promise.cancel()` was called. */
  readonly cancelCalls: number;
}
/** A spy's count. */
export interface CallCount {
  /** How many times the spied method was called. */
  readonly calls: number;
}

type Constructor<T> = new (...args: never[]) => T;

const modules = {
  Room: require('twilio-video/es5/room.js') as Constructor<Room>,
  LocalParticipant: require('twilio-video/es5/localparticipant.js') as Constructor<object>,
  LocalParticipantSignaling: require('twilio-video/es5/signaling/v2/localparticipant.js') as Constructor<object>,
  RemoteParticipantSignaling:
    require('twilio-video/es5/signaling/remoteparticipant.js') as Constructor<RemoteParticipantSignaling>,
  RoomSignaling: require('twilio-video/es5/signaling/room.js') as Constructor<RoomSignaling>,
  CancelablePromise: require('twilio-video/es5/util/cancelablepromise.js') as Constructor<
    PromiseLike<Room> & { cancel(): unknown }
  >,
  errors: require('twilio-video/es5/util/twilio-video-errors.js') as {
    createTwilioError(code: number, message?: string): TwilioError;
  },
};

/** A silent log with the interface twilio-video's classes take (as its tests' fakelog). */
const quietLog = {
  debug() {},
  deprecated() {},
  info() {},
  warn() {},
  error() {},
  createLog() {
    return quietLog;
  },
};

/** Lets twilio-video's timers run (the Room emits `reconnecting`/`reconnected` on `setTimeout(0)`). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A connected Room named `name`, with `others` (`[sid, identity]`) already in it, and its signaling. */
export async function createTwilioRoom(
  others: readonly (readonly [sid: string, identity: string])[] = [],
  name = 'standup',
): Promise<DrivenTwilioRoom> {
  const localSignaling = new modules.LocalParticipantSignaling(...([`PA_local`, 'me'] as never[]));
  const localParticipant = new modules.LocalParticipant(...([localSignaling, [], { log: quietLog }] as never[]));
  const signaling = new modules.RoomSignaling(...([localSignaling, 'RM_test', name, { log: quietLog }] as never[]));
  for (const [sid, identity] of others) signaling.connectParticipant(participantSignaling(sid, identity));
  const room = new modules.Room(...([localParticipant, signaling, { log: quietLog }] as never[]));
  // RoomSignaling's constructor re-reads its state on a timer; let that pass first.
  await settle();
  return { room, signaling };
}

/** A remote participant's signaling, connected. */
export function participantSignaling(sid: string, identity: string): RemoteParticipantSignaling {
  return new modules.RemoteParticipantSignaling(...([sid, identity] as never[]));
}

/** Someone joins the Room; returns their signaling (to disconnect them later). */
export function participantConnects(
  signaling: RoomSignaling,
  sid: string,
  identity: string,
): RemoteParticipantSignaling {
  const participant = participantSignaling(sid, identity);
  signaling.connectParticipant(participant);
  return participant;
}

/** Someone already in the Room leaves, by sid. */
export function participantDisconnects(signaling: RoomSignaling, sid: string): void {
  const participant = signaling.participants.get(sid);
  if (!participant) throw new Error(`no participant ${sid} in the room`);
  participant.disconnect();
}

/** The Room starts reconnecting, for signaling (53001) or media (53405), as RoomSignaling's maybeUpdateState does. */
export async function startReconnecting(
  signaling: RoomSignaling,
  kind: 'signaling' | 'media' = 'signaling',
): Promise<void> {
  signaling.preempt('reconnecting', null, [twilioError(kind === 'signaling' ? 53001 : 53405)]);
  await settle();
}

/** The Room is connected again. */
export async function finishReconnecting(signaling: RoomSignaling): Promise<void> {
  signaling.preempt('connected', null, []);
  await settle();
}

/** The signaling ends with `error` (null: a server "disconnected" that is not "completed"). */
export function signalingDisconnected(signaling: RoomSignaling, error: TwilioError | null): void {
  signaling._disconnect(error);
}

/** twilio-video's own error for `code` (what the signaling transport builds from a server error message). */
export function twilioError(code: number): TwilioError {
  return modules.errors.createTwilioError(code);
}

/** Counts `room.disconnect()` calls, still calling through to the real method. */
export function spyOnDisconnect(room: Room): CallCount {
  const original = room.disconnect;
  const spy = { calls: 0 };
  room.disconnect = () => {
    spy.calls++;
    return original.call(room);
  };
  return spy;
}

/** Listener counts on the Room's emitter, for every event that has any. */
export function roomListenerCounts(room: Room): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of room.eventNames()) counts[String(name)] = room.listenerCount(name);
  return counts;
}

/**
 * A `connect()`-like pending Room: twilio-video's own CancelablePromise, settled by the
 * test. Its cancel rejects it, as `connect()`'s CancelableRoomPromise does.
 */
export function pendingConnect(): PendingConnect {
  let resolve!: (room: Room) => void;
  let reject!: (error: unknown) => void;
  let cancelCalls = 0;
  const promise = new modules.CancelablePromise(
    ...([
      (ok: (room: Room) => void, fail: (error: unknown) => void) => {
        resolve = ok;
        reject = fail;
      },
      () => {
        cancelCalls++;
        reject(new Error('Canceled'));
      },
    ] as never[]),
  );
  return {
    promise,
    resolve: (room) => resolve(room),
    reject: (error) => reject(error),
    get cancelCalls() {
      return cancelCalls;
    },
  };
}

/**
 * What `connect()` needs of a browser in Node 20 before it opens its WebSocket: a
 * `navigator` (user agent) and a `window` for its NetworkMonitor's `online` listener.
 * Returns a function that removes them.
 */
export function stubBrowserForConnect(): () => void {
  const target = globalThis as { navigator?: unknown; window?: unknown };
  const had = { navigator: 'navigator' in globalThis, window: 'window' in globalThis };
  if (!had.navigator) {
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      },
    });
  }
  if (!had.window) target.window = { addEventListener() {}, removeEventListener() {} };
  return () => {
    if (!had.navigator) delete target.navigator;
    if (!had.window) delete target.window;
  };
}

/** The internals this helper relies on, as found; the internals test compares them. */
export function describeInternals(): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [name, value] of Object.entries(modules)) described[name] = typeof value;
  const proto = modules.RoomSignaling.prototype as Partial<RoomSignaling>;
  described['RoomSignaling#preempt'] = typeof proto.preempt;
  described['RoomSignaling#_disconnect'] = typeof proto._disconnect;
  described['RoomSignaling#connectParticipant'] = typeof proto.connectParticipant;
  described['createTwilioError(53205).code'] = String(modules.errors.createTwilioError(53205).code);
  described['createTwilioError(53118).code'] = String(modules.errors.createTwilioError(53118).code);
  return described;
}
