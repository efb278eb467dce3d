// @vitest-environment happy-dom
// useCallBinding (issue 16, fault 8): a call screen bound to an SDK, on a real
// livekit-client Room driven from the inside (test/support/livekitRoom.ts). A real
// unmount ends the SDK's call — the Room is disconnected once and let go of — and
// StrictMode's simulated unmount does not: the bind runs once, the Room stays connected.
// With useCreateCallSession, in either order of the two hooks.
import { act, cleanup, render } from '@testing-library/react';
import type { Room } from 'livekit-client';
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { createCallSession, type CallSession } from 'call-session-machine';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { useCallBinding, useCallSession, useCreateCallSession } from 'call-session-machine/react';
import {
  connectRoom,
  createLiveKitRoom,
  participantInfo,
  roomListenerCounts,
  spyOnDisconnect,
  startConnecting,
} from '../support/livekitRoom.js';
import { recordStatus } from '../support/status.js';
import { modes, nextTask } from './support.js';

afterEach(cleanup);

/** A LiveKit call screen: the Room is made by the bind, as an app's would be, and recorded. */
function liveKitScreen() {
  const rooms: { room: Room; disconnect: { readonly calls: number }; listenersBefore: Record<string, number> }[] = [];
  const sessions: CallSession[] = [];
  const bind = (session: CallSession) => {
    const room = createLiveKitRoom();
    rooms.push({ room, disconnect: spyOnDisconnect(room), listenersBefore: roomListenerCounts(room) });
    return bindLiveKitRoom(room, session, { sessionId: 'standup' });
  };
  function Screen() {
    const session = useCreateCallSession();
    sessions.push(session);
    const { state } = useCallSession(session);
    useCallBinding(session, bind);
    return <p>{state}</p>;
  }
  return { Screen, rooms, sessions };
}

describe.each(modes)('useCallBinding %s', (mode, Mode: (props: { children: ReactNode }) => ReactNode) => {
  test('the bind runs once, and the Room stays connected and bound through the mount', async () => {
    const { Screen, rooms, sessions } = liveKitScreen();
    render(
      <Mode>
        <Screen />
      </Mode>,
    );
    await nextTask();
    expect(rooms).toHaveLength(1);
    const { room, disconnect } = rooms[0]!;
    const session = sessions.at(-1)!;
    act(() => connectRoom(room, [participantInfo('ana')]));
    expect(session.state).toBe('joined.accompanied');
    await nextTask();
    expect(disconnect.calls).toBe(0);
    expect(room.state).toBe('connected');
  });

  test('a real unmount in the call: the user leaves, the Room is disconnected once, no listener is left on it', async () => {
    const { Screen, rooms, sessions } = liveKitScreen();
    const { unmount } = render(
      <Mode>
        <Screen />
      </Mode>,
    );
    const { room, disconnect, listenersBefore } = rooms[0]!;
    const session = sessions.at(-1)!;
    act(() => connectRoom(room, []));
    const status = recordStatus(session);
    await nextTask();
    unmount();
    await nextTask();
    expect(disconnect.calls).toBe(1);
    expect(room.state).toBe('disconnected');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(roomListenerCounts(room)).toEqual(listenersBefore);
  });

  test('a real unmount while still joining: the connection attempt is disconnected once', async () => {
    const { Screen, rooms } = liveKitScreen();
    const { unmount } = render(
      <Mode>
        <Screen />
      </Mode>,
    );
    const { room, disconnect } = rooms[0]!;
    act(() => startConnecting(room));
    await nextTask();
    unmount();
    await nextTask();
    expect(disconnect.calls).toBe(1);
  });

  test(`an unmount in the same run as the mount (${mode}) still ends the call`, async () => {
    const { Screen, rooms } = liveKitScreen();
    const { unmount } = render(
      <Mode>
        <Screen />
      </Mode>,
    );
    act(() => startConnecting(rooms[0]!.room));
    unmount();
    await nextTask();
    expect(rooms[0]!.disconnect.calls).toBe(1);
  });
});

test("a parent's session and a child's binding: the child's leave ends the call, then the session is disposed", async () => {
  const sessions: CallSession[] = [];
  const rooms: { room: Room; disconnect: { readonly calls: number } }[] = [];
  function Child({ session }: { session: CallSession }) {
    useCallBinding(session, (bound) => {
      const room = createLiveKitRoom();
      rooms.push({ room, disconnect: spyOnDisconnect(room) });
      return bindLiveKitRoom(room, bound);
    });
    return null;
  }
  function Parent() {
    const session = useCreateCallSession();
    sessions.push(session);
    return <Child session={session} />;
  }
  const { unmount } = render(
    <StrictMode>
      <Parent />
    </StrictMode>,
  );
  act(() => connectRoom(rooms[0]!.room, []));
  await nextTask();
  unmount();
  await nextTask();
  expect(rooms).toHaveLength(1);
  expect(rooms[0]!.disconnect.calls).toBe(1);
  expect(rooms[0]!.room.state).toBe('disconnected');
  expect(sessions.at(-1)!.endReason).toBe('user');
});

test('a session the app disposes after the binding (the leave comes first): the Room is disconnected once', async () => {
  const rooms: { room: Room; disconnect: { readonly calls: number } }[] = [];
  let held: CallSession | undefined;
  function Screen() {
    const [session] = useState(() => createCallSession());
    held = session;
    useCallBinding(session, (bound) => {
      const room = createLiveKitRoom();
      rooms.push({ room, disconnect: spyOnDisconnect(room) });
      return bindLiveKitRoom(room, bound);
    });
    useEffect(() => () => session.dispose(), [session]);
    return null;
  }
  const { unmount } = render(<Screen />);
  act(() => connectRoom(rooms[0]!.room, []));
  await nextTask();
  unmount();
  await nextTask();
  expect(rooms[0]!.disconnect.calls).toBe(1);
  expect(held!.actor.getSnapshot().status).toBe('stopped');
});

test('a new session (the screen given a new key): the old call ends, a new Room is bound to the new session', async () => {
  const { Screen, rooms, sessions } = liveKitScreen();
  const { rerender } = render(<Screen key="first" />);
  act(() => connectRoom(rooms[0]!.room, []));
  await nextTask();
  rerender(<Screen key="second" />);
  await nextTask();
  expect(rooms).toHaveLength(2);
  expect(rooms[0]!.disconnect.calls).toBe(1);
  expect(sessions.at(-1)).not.toBe(sessions[0]);
  act(() => connectRoom(rooms[1]!.room, []));
  expect(sessions.at(-1)!.state).toBe('joined.alone');
  expect(rooms[1]!.disconnect.calls).toBe(0);
});

test('a bind that does not return a function is a TypeError naming the hook', () => {
  let caught: unknown;
  function Bad() {
    const session = useCreateCallSession();
    useCallBinding(session, (() => undefined) as never);
    return null;
  }
  const originalError = console.error;
  console.error = () => {};
  try {
    render(<Bad />);
  } catch (error) {
    caught = error;
  } finally {
    console.error = originalError;
  }
  expect(caught).toBeInstanceOf(TypeError);
  expect((caught as Error).message).toMatch(/^useCallBinding: bind must return the unbind function/);
});
