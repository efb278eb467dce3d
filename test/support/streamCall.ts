/**
 * Every use of @stream-io/video-client internals in the test suite, in one place.
 *
 * Pinned to @stream-io/video-client 1.60.0. A real `StreamVideoClient` and a real `Call`
 * (`client.call(type, id)`) run in plain Node. What cannot run here is Stream's side: the
 * coordinator (its HTTP API and WebSocket) and the SFU (its signal WebSocket and the peer
 * connections). In their place this helper
 *
 * - points the client at a closed loopback port (`baseURL` and `locationHintUrl` on
 *   127.0.0.1:9), so that nothing leaves the machine, and records a connected user `me`
 *   in the client's store, as `connectUser()` does from the coordinator's answer;
 * - runs the Call's own `setup()` (what `join()` runs first), which registers the Call's
 *   event handlers: the SFU's `participantJoined` / `participantLeft` / `error`, the
 *   coordinator's `call.ended` / `call.blocked_user` / …, and the `network.changed`
 *   handler that moves the Call offline;
 * - moves `call.state` through the calling states in the order `Call.join`, `doJoin`,
 *   `reconnect`, `reconnectFast` / `reconnectRejoin` / `reconnectMigrate` and
 *   `markAsReconnectingFailed` set them (src/Call.ts), with the participant list an SFU
 *   join response carries applied by the state's own `updateFromSfuCallState`;
 * - delivers SFU events through the Call's own dispatcher and coordinator events through
 *   the client's own `dispatchEvent`, so that the Call's handlers (which call the real
 *   `call.leave()`) run.
 *
 * `test/bindings/stream.test.ts` has a test that fails when any internal used here moves.
 */
import { readFileSync } from 'node:fs';
import {
  CallingState,
  StreamVideoClient,
  type Call,
  type SfuModels,
  type StreamVideoEvent,
} from '@stream-io/video-client';

/** The @stream-io/video-client version these internals were read from. */
export const STREAM_VIDEO_CLIENT_VERSION = '1.60.0';

/** The version of @stream-io/video-client actually installed. */
export function installedStreamVersion(): string {
  const manifest = new URL('../../node_modules/@stream-io/video-client/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The closed loopback port every Stream URL points at: nothing listens on 127.0.0.1:9. */
const NOWHERE = 'http://127.0.0.1:9';

/**
 * What Stream logged (warnings and errors), kept here instead of the console: with nothing
 * to connect to, every attempt to reach the coordinator logs a failure.
 */
export const streamLog: string[] = [];
const logOptions = {
  default: { level: 'warn' as const, sink: (level: string, message: string) => streamLog.push(`${level}: ${message}`) },
};

/** The local user's id, as `connectUser()` would record it. */
export const LOCAL_USER = 'me';

interface ClientInternals {
  writeableStateStore: { setConnectedUser(user: unknown): void };
  streamClient: { dispatchEvent(event: StreamVideoEvent): void; listeners: Record<string, unknown[] | undefined> };
}

interface CallInternals {
  dispatcher: {
    dispatch(message: { eventPayload: Record<string, unknown> & { oneofKind: string } }, tag?: string): void;
    subscribers: Map<string, { byTag: Map<string, unknown[]>; dynamic: unknown[] }>;
  };
  hasJoinedOnce: boolean;
  setup(): Promise<void>;
}

/** Counts the live subscriptions made through one of `call.state`'s observables. */
interface Counted {
  live: number;
}

const counters = new WeakMap<Call, { callingState: Counted; participants: Counted }>();

/**
 * Replaces `call.state[key]` with a pass-through that counts live subscriptions, so that
 * the unbind test can see the binding's own subscriptions go away.
 */
function countSubscriptions(call: Call, key: 'callingState$' | 'participants$', counter: Counted) {
  type Subscribable = { subscribe(observer: unknown): { unsubscribe(): void } };
  const original = call.state[key] as unknown as Subscribable;
  // The SDK pipes these observables itself (leave() does), so the stand-in must be an rxjs
  // Observable too: the SDK's own rxjs class, the root of the original's prototype chain
  // (a piped Subject is an AnonymousSubject, a Subject, an Observable).
  let prototype = Object.getPrototypeOf(original) as object;
  while (Object.getPrototypeOf(prototype) !== Object.prototype) prototype = Object.getPrototypeOf(prototype) as object;
  const Observable = prototype.constructor as new (subscribe: (subscriber: unknown) => () => void) => Subscribable;
  const counted = new Observable((subscriber) => {
    counter.live++;
    const subscription = original.subscribe(subscriber);
    return () => {
      counter.live--;
      subscription.unsubscribe();
    };
  });
  Object.defineProperty(call.state, key, { configurable: true, value: counted });
}

/** A real client and Call, set up as `join()` sets it up, with nothing joined yet. */
export async function createStreamCall(id = 'standup'): Promise<{ client: StreamVideoClient; call: Call }> {
  const client = new StreamVideoClient({
    apiKey: 'test-key',
    options: { baseURL: NOWHERE, locationHintUrl: `${NOWHERE}/`, locationHintTimeout: 100, timeout: 500, logOptions },
  });
  (client as unknown as ClientInternals).writeableStateStore.setConnectedUser({ id: LOCAL_USER, role: 'user' });
  const call = client.call('default', id);
  await (call as unknown as CallInternals).setup();
  const counts = { callingState: { live: 0 }, participants: { live: 0 } };
  countSubscriptions(call, 'callingState$', counts.callingState);
  countSubscriptions(call, 'participants$', counts.participants);
  counters.set(call, counts);
  return { client, call };
}

/** A participant as the SFU reports it (the protobuf `Participant`). */
export function streamParticipant(sessionId: string, userId: string, name = ''): SfuModels.Participant {
  return {
    userId,
    sessionId,
    publishedTracks: [],
    trackLookupPrefix: sessionId,
    connectionQuality: 0,
    isSpeaking: false,
    isDominantSpeaker: false,
    audioLevel: 0,
    name,
    image: '',
    roles: ['user'],
    source: 0,
  } as unknown as SfuModels.Participant;
}

/** The local participant of a join: its session id is the SFU client's. */
export const localParticipant = (sessionId = 'me-session') => streamParticipant(sessionId, LOCAL_USER, 'Me');

/** What `doJoin` does with the SFU's join response: the call state's participant list. */
function applyJoinResponse(call: Call, remotes: readonly SfuModels.Participant[], localSessionId: string) {
  call.state.updateFromSfuCallState(
    { participants: [localParticipant(localSessionId), ...remotes], pins: [] } as unknown as Parameters<
      Call['state']['updateFromSfuCallState']
    >[0],
    localSessionId,
  );
}

/** `doJoin`'s first step (Call.ts: `setCallingState(JOINING)`). */
export function startJoining(call: Call): void {
  call.state.setCallingState(CallingState.JOINING);
}

/** The rest of a successful `doJoin`: the join response's participants, then `JOINED`. */
export function finishJoining(call: Call, remotes: readonly SfuModels.Participant[], localSessionId = 'me-session') {
  applyJoinResponse(call, remotes, localSessionId);
  call.state.setCallingState(CallingState.JOINED);
  (call as unknown as CallInternals).hasJoinedOnce = true;
}

/** A whole successful join with `remotes` present. */
export function joinCall(call: Call, remotes: readonly SfuModels.Participant[] = []): void {
  startJoining(call);
  finishJoining(call, remotes);
}

/** A failed `doJoin` attempt: Stream restores the calling state it started from. */
export function failJoining(call: Call, restored: CallingState = CallingState.IDLE): void {
  call.state.setCallingState(restored);
}

/** An SFU event, through the Call's own dispatcher (the Call's handlers run). */
export function sfuEvent(call: Call, kind: string, payload: Record<string, unknown>): void {
  (call as unknown as CallInternals).dispatcher.dispatch({ eventPayload: { oneofKind: kind, [kind]: payload } });
}

/** The SFU's `participantJoined`: the Call's own handler adds the participant. */
export function participantJoins(call: Call, participant: SfuModels.Participant): void {
  sfuEvent(call, 'participantJoined', { callCid: call.cid, participant });
}

/** The SFU's `participantLeft`: the Call's own handler removes the participant. */
export function participantLeaves(call: Call, participant: SfuModels.Participant): void {
  sfuEvent(call, 'participantLeft', { callCid: call.cid, participant });
}

/** A coordinator event, through the client's own `dispatchEvent` (the Call's handlers run). */
export function coordinatorEvent(client: StreamVideoClient, event: Record<string, unknown>): void {
  (client as unknown as ClientInternals).streamClient.dispatchEvent(event as unknown as StreamVideoEvent);
}

/** `reconnectFast` / `reconnectRejoin`'s first step: `RECONNECTING`. */
export function startReconnect(call: Call): void {
  call.state.setCallingState(CallingState.RECONNECTING);
}

/**
 * A reconnect's successful `doJoin`: `JOINING`, the new SFU's participant list (after a
 * REJOIN the local participant has a new session id), then `JOINED`.
 */
export function finishReconnect(
  call: Call,
  remotes: readonly SfuModels.Participant[],
  localSessionId = 'me-session-2',
): void {
  call.state.setCallingState(CallingState.JOINING);
  applyJoinResponse(call, remotes, localSessionId);
  call.state.setCallingState(CallingState.JOINED);
}

/** `reconnectMigrate`'s first step: `MIGRATING`. */
export function startMigration(call: Call): void {
  call.state.setCallingState(CallingState.MIGRATING);
}

/**
 * The rest of a migration: `doJoin` on the new SFU (`JOINING`, its participant list, the
 * same local session id), then `JOINED` once the SFU reports the migration complete.
 */
export function finishMigration(call: Call, remotes: readonly SfuModels.Participant[]): void {
  call.state.setCallingState(CallingState.JOINING);
  applyJoinResponse(call, remotes, 'me-session');
  call.state.setCallingState(CallingState.JOINED);
}

/** `markAsReconnectingFailed`: Stream stops trying, and stays in the call. */
export function reconnectFails(call: Call): void {
  call.state.setCallingState(CallingState.RECONNECTING_FAILED);
}

/** The browser reporting the network gone: the Call's own `network.changed` handler goes `OFFLINE`. */
export function goOffline(client: StreamVideoClient): void {
  coordinatorEvent(client, { type: 'network.changed', online: false });
}

/** Lets the Call's async handlers (`leave()` and the rest) run to the end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Records every `call.leave()` call, still calling through to the real method. The Call's
 * own handlers call `this.leave({ message })` through the same property; the binding calls
 * `leave()` with no argument, so `byBinding` counts those.
 */
export function spyOnLeave(call: Call): { readonly byBinding: number; readonly all: unknown[] } {
  const original = call.leave;
  const spy = { byBinding: 0, all: [] as unknown[] };
  call.leave = (...args: Parameters<Call['leave']>) => {
    spy.all.push(args[0]);
    if (args.length === 0) spy.byBinding++;
    return original(...args);
  };
  return spy;
}

/** The subscriptions and listeners anything holds on the Call, by where they are held. */
export function callListenerCounts(client: StreamVideoClient, call: Call): Record<string, number> {
  const counts = counters.get(call);
  let coordinator = 0;
  for (const listeners of Object.values((client as unknown as ClientInternals).streamClient.listeners))
    coordinator += listeners?.length ?? 0;
  let sfu = 0;
  for (const { byTag, dynamic } of (call as unknown as CallInternals).dispatcher.subscribers.values()) {
    sfu += dynamic.length;
    for (const listeners of byTag.values()) sfu += listeners.length;
  }
  return {
    'state.callingState$': counts?.callingState.live ?? -1,
    'state.participants$': counts?.participants.live ?? -1,
    coordinator,
    sfu,
  };
}

/** The internals this helper relies on, as found on a fresh client and Call; the internals test compares them. */
export function describeInternals(): Record<string, unknown> {
  const client = new StreamVideoClient({ apiKey: 'test-key', options: { baseURL: NOWHERE, logOptions } });
  const internals = client as unknown as ClientInternals & Record<string, unknown>;
  const call = client.call('default', 'described');
  const callInternals = call as unknown as CallInternals & Record<string, unknown>;
  return {
    'client.writeableStateStore.setConnectedUser': typeof internals.writeableStateStore?.setConnectedUser,
    'client.streamClient.dispatchEvent': typeof internals.streamClient?.dispatchEvent,
    'client.streamClient.listeners': typeof internals.streamClient?.listeners,
    'call.setup': typeof callInternals.setup,
    'call.dispatcher.dispatch': typeof callInternals.dispatcher?.dispatch,
    'call.dispatcher.subscribers': callInternals.dispatcher?.subscribers instanceof Map,
    'call.hasJoinedOnce': typeof callInternals.hasJoinedOnce,
    'call.state.setCallingState': typeof call.state.setCallingState,
    'call.state.updateFromSfuCallState': typeof call.state.updateFromSfuCallState,
    'call.state.callingState': call.state.callingState,
  };
}
