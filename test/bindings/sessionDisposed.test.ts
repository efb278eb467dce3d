// A bound session that is disposed (issue 16, fault 8): `dispose()` is not an end, and
// before this a Room bound to a disposed session stayed connected with nothing watching
// it — the documented unmount `unbind(); session.dispose()` left the camera on. Now a
// session disposed while joining or in a call ends its SDK call once and the binding
// lets go of the SDK object; one disposed after its call ended (or before it began)
// calls nothing. Real livekit-client and twilio-video Rooms.
import { describe, expect, test } from 'vitest';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { recordedSession } from '../support/bindingSession.js';
import {
  connectRoom,
  createLiveKitRoom,
  engineDisconnected,
  participantInfo,
  roomListenerCounts,
  spyOnDisconnect,
  startConnecting,
} from '../support/livekitRoom.js';
import { createTwilioRoom, pendingConnect, settle, spyOnDisconnect as spyOnTwilio } from '../support/twilioRoom.js';

describe('LiveKit', () => {
  test('disposed while in the call: room.disconnect() once, no callback, and no listener left on the Room', async () => {
    const room = createLiveKitRoom();
    const before = roomListenerCounts(room);
    const disconnect = spyOnDisconnect(room);
    const { session, status } = recordedSession();
    bindLiveKitRoom(room, session);
    connectRoom(room, [participantInfo('ana')]);
    session.dispose();
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(roomListenerCounts(room)).toEqual(before);
  });

  test('disposed while joining: the connection attempt is disconnected once', () => {
    const room = createLiveKitRoom();
    const disconnect = spyOnDisconnect(room);
    const { session } = recordedSession();
    bindLiveKitRoom(room, session);
    startConnecting(room);
    session.dispose();
    expect(disconnect.calls).toBe(1);
  });

  test('disposed after the Room ended the call, or before any join: disconnect() is never called', () => {
    const ended = createLiveKitRoom();
    const endedDisconnect = spyOnDisconnect(ended);
    const first = recordedSession();
    bindLiveKitRoom(ended, first.session);
    connectRoom(ended, []);
    engineDisconnected(ended, 4 /* PARTICIPANT_REMOVED */);
    first.session.dispose();
    expect(endedDisconnect.calls).toBe(0);

    const idle = createLiveKitRoom();
    const idleDisconnect = spyOnDisconnect(idle);
    const second = recordedSession();
    bindLiveKitRoom(idle, second.session);
    second.session.dispose();
    expect(idleDisconnect.calls).toBe(0);
  });

  test('unbind() first, then dispose(): the binding is gone, so the Room is the app’s to disconnect (the pattern docs/react.md replaces)', () => {
    const room = createLiveKitRoom();
    const disconnect = spyOnDisconnect(room);
    const { session } = recordedSession();
    const unbind = bindLiveKitRoom(room, session);
    connectRoom(room, []);
    unbind();
    session.dispose();
    expect(disconnect.calls).toBe(0);
    expect(room.state).toBe('connected');
  });
});

describe('Twilio', () => {
  test("disposed while connect()'s promise is pending: cancelled, and a Room that still arrives is disconnected", async () => {
    const pending = pendingConnect();
    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    const disconnect = spyOnTwilio(room);
    pending.resolve(room);
    const { session } = recordedSession();
    bindTwilioRoom(pending.promise, session);
    session.dispose();
    await settle();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
  });

  test('disposed while in the call: room.disconnect() once', async () => {
    const { room } = await createTwilioRoom([['PA_ana', 'ana']]);
    const disconnect = spyOnTwilio(room);
    const { session } = recordedSession();
    bindTwilioRoom(room, session);
    session.dispose();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
  });
});
