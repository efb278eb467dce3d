/**
 * Every use of livekit-client internals in the test suite, in one place.
 *
 * Pinned to livekit-client 2.23.0 (with @livekit/protocol 1.52.1, the version it depends
 * on). No LiveKit server can run here, so a real `Room` is driven from the inside, the way
 * its own RTCEngine drives it: `room.engine.emit(...)` with the engine's event names and
 * protocol messages, the Room's private `setAndEmitConnectionState` and `applyJoinResponse`
 * (both exactly what `Room.connect` runs). Everything the tests observe — the RoomEvents,
 * `room.state`, `room.remoteParticipants`, the reconnect flood — is produced by the Room's
 * own code (livekit-client src/room/Room.ts). `test/bindings/livekit.test.ts` has a test
 * that fails when any internal used here moves.
 */
import { readFileSync } from 'node:fs';
import {
  JoinResponse,
  ParticipantInfo,
  ParticipantInfo_State,
  Room as RoomModel,
  RoomMovedResponse,
  type DisconnectReason,
} from '@livekit/protocol';
import { ConnectionState, Room, RoomEvent, setLogLevel } from 'livekit-client';

/** The livekit-client version these internals were read from. */
export const LIVEKIT_CLIENT_VERSION = '2.23.0';

/** The engine events this helper emits (livekit-client src/room/events.ts, EngineEvent). */
export const ENGINE_EVENTS = [
  'participantUpdate',
  'restarting',
  'signalRestarted',
  'restarted',
  'resuming',
  'resumed',
  'disconnected',
  'roomMoved',
] as const;

/** The version of livekit-client actually installed. */
export function installedLiveKitVersion(): string {
  // livekit-client's exports map does not expose its package.json.
  const manifest = new URL('../../node_modules/livekit-client/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

interface RoomInternals {
  engine: { emit(event: string, ...args: unknown[]): boolean; listenerCount(event: string): number } | undefined;
  setAndEmitConnectionState(state: ConnectionState): boolean;
  applyJoinResponse(joinResponse: JoinResponse): void;
}

function internals(room: Room): RoomInternals {
  return room as unknown as RoomInternals;
}

function engineOf(room: Room): NonNullable<RoomInternals['engine']> {
  const engine = internals(room).engine;
  if (!engine) throw new Error('the Room has no engine (it was disconnected); create a new Room');
  return engine;
}

/** A real Room, quiet. */
export function createLiveKitRoom(): Room {
  setLogLevel('silent');
  return new Room();
}

/** A remote (or local) participant as the server describes it. */
export function participantInfo(identity: string, name?: string, sid = `PA_${identity}`): ParticipantInfo {
  return new ParticipantInfo({ sid, identity, name: name ?? '', state: ParticipantInfo_State.ACTIVE });
}

function joinResponse(local: string, others: readonly ParticipantInfo[]): JoinResponse {
  return new JoinResponse({
    participant: participantInfo(local, undefined, `PA_${local}_${Date.now()}`),
    otherParticipants: [...others],
  });
}

/** What `Room.connect` runs around a successful signal join: Connecting, the JoinResponse, Connected. */
export function connectRoom(room: Room, others: readonly ParticipantInfo[] = [], local = 'me'): void {
  startConnecting(room);
  finishConnecting(room, others, local);
}

/** `Room.connect`'s first step: `ConnectionState.Connecting`. */
export function startConnecting(room: Room): void {
  internals(room).setAndEmitConnectionState(ConnectionState.Connecting);
}

/** The rest of a successful `Room.connect` (Room.ts `attemptConnection`). */
export function finishConnecting(room: Room, others: readonly ParticipantInfo[] = [], local = 'me'): void {
  internals(room).applyJoinResponse(joinResponse(local, others));
  internals(room).setAndEmitConnectionState(ConnectionState.Connected);
  room.emit(RoomEvent.Connected);
}

/** The server's ParticipantUpdate: someone joined or was updated. */
export function participantUpdate(room: Room, ...infos: ParticipantInfo[]): void {
  engineOf(room).emit('participantUpdate', infos);
}

/** The server's ParticipantUpdate for a departure. */
export function participantLeaves(room: Room, identity: string, reason?: DisconnectReason): void {
  const sid = room.remoteParticipants.get(identity)?.sid ?? `PA_${identity}`;
  const info = new ParticipantInfo({
    sid,
    identity,
    state: ParticipantInfo_State.DISCONNECTED,
    disconnectReason: reason ?? 0,
  });
  engineOf(room).emit('participantUpdate', [info]);
}

/** The server moved this participant to room `name`, where `others` are (the engine's `roomMoved`). */
export function roomMoved(room: Room, name: string, others: readonly ParticipantInfo[]): void {
  engineOf(room).emit(
    'roomMoved',
    new RoomMovedResponse({ room: new RoomModel({ name }), otherParticipants: [...others] }),
  );
}

/** The engine starts a full reconnect (RTCEngine.restartConnection emits `restarting`). */
export function startFullReconnect(room: Room): void {
  engineOf(room).emit('restarting');
}

/** Lets the Room's async handlers (handleSignalRestarted awaits twice) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A full reconnect's signal join succeeded (`signalRestarted`), then the peer connections (`restarted`). */
export async function finishFullReconnect(room: Room, others: readonly ParticipantInfo[], local = 'me'): Promise<void> {
  const engine = engineOf(room);
  engine.emit('signalRestarted', joinResponse(local, others));
  await settle();
  engine.emit('restarted');
  await settle();
}

/** The engine starts resuming the signal connection (RTCEngine.resumeConnection emits `resuming`). */
export function startResume(room: Room): void {
  engineOf(room).emit('resuming');
}

/** The resume succeeded. */
export function finishResume(room: Room): void {
  engineOf(room).emit('resumed');
}

/** The engine is done: a server leave with `reason`, or no reason after giving up reconnecting. */
export function engineDisconnected(room: Room, reason?: DisconnectReason): void {
  engineOf(room).emit('disconnected', reason);
}

/** Counts `room.disconnect()` calls, still calling through to the real method. */
export function spyOnDisconnect(room: Room): { readonly calls: number } {
  const original = room.disconnect;
  const spy = { calls: 0 };
  room.disconnect = (...args: Parameters<Room['disconnect']>) => {
    spy.calls++;
    return original.apply(room, args);
  };
  return spy;
}

/** Listener counts on the Room's emitter, for every event that has any. */
export function roomListenerCounts(room: Room): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of room.eventNames()) counts[String(name)] = room.listenerCount(name as RoomEvent);
  return counts;
}

/** The internals this helper relies on, as found on `room`; the internals test compares them. */
export function describeInternals(room: Room): Record<string, unknown> {
  const engine = internals(room).engine;
  const described: Record<string, unknown> = {
    setAndEmitConnectionState: typeof internals(room).setAndEmitConnectionState,
    applyJoinResponse: typeof internals(room).applyJoinResponse,
    engineEmit: typeof engine?.emit,
  };
  for (const event of ENGINE_EVENTS) described[`engine listens to ${event}`] = (engine?.listenerCount(event) ?? 0) > 0;
  return described;
}

/**
 * What `Room.connect` needs of a browser before it opens its WebSocket, in Node 20:
 * `RTCPeerConnection` with `addTransceiver` (utils.ts `isBrowserSupported`) and a
 * `navigator` (read for the client info). No peer connection is ever made: the Room is
 * built with `singlePeerConnection: false`, which joins over the signal WebSocket first
 * (RTCEngine.join, the "v0 path"). Returns a function that removes the stubs.
 */
export function stubBrowserForConnect(): () => void {
  const target = globalThis as { RTCPeerConnection?: unknown; navigator?: unknown };
  const saved = {
    RTCPeerConnection: target.RTCPeerConnection,
    navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator'),
  };
  target.RTCPeerConnection = class RTCPeerConnectionStub {
    addTransceiver(): never {
      throw new Error('no WebRTC in this test');
    }
  };
  if (!saved.navigator) {
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      },
    });
  }
  return () => {
    target.RTCPeerConnection = saved.RTCPeerConnection;
    if (!saved.navigator) delete (globalThis as { navigator?: unknown }).navigator;
  };
}

/** A Room whose `connect()` opens the signal WebSocket before any peer connection. */
export function createConnectingLiveKitRoom(): Room {
  setLogLevel('silent');
  return new Room({ singlePeerConnection: false });
}
