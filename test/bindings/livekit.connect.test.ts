// A real connection attempt: livekit-client's Room.connect opens its signal WebSocket to a
// closed loopback port (nothing listens on 127.0.0.1:9), fails, and the binding reports
// the failed join. Runs in the vitest project "sdk-connect", which gives Node 20 the
// global WebSocket (--experimental-websocket).
import { ConnectionState } from 'livekit-client';
import { afterEach, expect, test } from 'vitest';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { recordedSession } from '../support/bindingSession.js';
import { createConnectingLiveKitRoom, spyOnDisconnect, stubBrowserForConnect } from '../support/livekitRoom.js';

let restore: (() => void) | undefined;
afterEach(() => restore?.());

test('room.connect() to a closed port: the session goes joining, then back to idle through session.joinFailed, with no callback', async () => {
  expect(typeof WebSocket).toBe('function');
  restore = stubBrowserForConnect();
  const room = createConnectingLiveKitRoom();
  const { session, status } = recordedSession();
  const states: string[] = [];
  session.actor.subscribe(() => states.push(session.state));
  const disconnect = spyOnDisconnect(room);
  bindLiveKitRoom(room, session, { sessionId: 'nobody-home' });

  await expect(
    room.connect('ws://127.0.0.1:9', 'token-for-a-server-that-is-not-there', { maxRetries: 0 }),
  ).rejects.toThrow(/could not establish signal connection/);

  expect(room.state).toBe(ConnectionState.Disconnected);
  expect(states).toEqual(['joining', 'idle']);
  expect(session.state).toBe('idle');
  expect(status).toEqual([]);
  // The Room ended the attempt itself: the binding does not call back into it.
  expect(disconnect.calls).toBe(0);
});
