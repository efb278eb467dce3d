// @vitest-environment happy-dom
// What the hand-rolled ways of binding a call screen to an SDK get wrong, measured on a
// real livekit-client Room under <StrictMode> (the table in docs/react.md, "A call
// screen bound to an SDK"). Each test asserts the wrong outcome the docs describe, so
// that the table stays true; useCallBinding.test.tsx asserts the right one.
import { act, cleanup, render } from '@testing-library/react';
import type { Room } from 'livekit-client';
import { StrictMode, useEffect, useState } from 'react';
import { afterEach, expect, test } from 'vitest';
import { createCallSession } from 'call-session-machine';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { useCreateCallSession } from 'call-session-machine/react';
import { connectRoom, createLiveKitRoom, spyOnDisconnect, startConnecting } from '../support/livekitRoom.js';
import { nextTask } from './support.js';

afterEach(cleanup);

function recordedRooms() {
  const rooms: { room: Room; disconnect: { readonly calls: number } }[] = [];
  const make = () => {
    const room = createLiveKitRoom();
    rooms.push({ room, disconnect: spyOnDisconnect(room) });
    return room;
  };
  return { rooms, make };
}

test('bound in an effect whose cleanup unbinds: after a real unmount the Room stays connected', async () => {
  const { rooms, make } = recordedRooms();
  // The Room is the app's, given as a prop.
  make();
  const { room, disconnect } = rooms[0]!;
  function Screen({ room }: { room: Room }) {
    const session = useCreateCallSession();
    useEffect(() => bindLiveKitRoom(room, session), [room, session]);
    return null;
  }
  const { unmount } = render(
    <StrictMode>
      <Screen room={room} />
    </StrictMode>,
  );
  act(() => connectRoom(room, []));
  await nextTask();
  unmount();
  await nextTask();
  expect(disconnect.calls).toBe(0);
  expect(room.state).toBe('connected');
});

test('the same with session.leave() in the cleanup: StrictMode’s simulated unmount ends the joining call at mount', async () => {
  const { rooms, make } = recordedRooms();
  const room = make();
  function Screen({ room }: { room: Room }) {
    const session = useCreateCallSession();
    useEffect(() => {
      const unbind = bindLiveKitRoom(room, session);
      startConnecting(room); // room.connect(url, token)
      return () => {
        session.leave();
        unbind();
      };
    }, [room, session]);
    return null;
  }
  render(
    <StrictMode>
      <Screen room={room} />
    </StrictMode>,
  );
  await nextTask();
  expect(rooms[0]!.disconnect.calls).toBe(1);
});

test('a Room made and connected inside the effect: StrictMode makes two, and the first is never disconnected', async () => {
  const { rooms, make } = recordedRooms();
  function Screen() {
    const session = useCreateCallSession();
    useEffect(() => {
      const room = make();
      const unbind = bindLiveKitRoom(room, session);
      startConnecting(room); // room.connect(url, token)
      return unbind;
    }, [session]);
    return null;
  }
  render(
    <StrictMode>
      <Screen />
    </StrictMode>,
  );
  await nextTask();
  expect(rooms).toHaveLength(2);
  expect(rooms[0]!.disconnect.calls).toBe(0);
  expect(rooms[0]!.room.state).toBe('connecting');
});

test('unbind in one cleanup and dispose() in a later one: the Room stays connected; dispose first disconnects it', async () => {
  const { rooms, make } = recordedRooms();
  function UnbindFirst() {
    const [session] = useState(() => createCallSession());
    const [room] = useState(make);
    useEffect(() => bindLiveKitRoom(room, session), [room, session]);
    useEffect(() => () => session.dispose(), [session]);
    return null;
  }
  function DisposeFirst() {
    const [session] = useState(() => createCallSession());
    const [room] = useState(make);
    useEffect(() => () => session.dispose(), [session]);
    useEffect(() => bindLiveKitRoom(room, session), [room, session]);
    return null;
  }
  for (const [Screen, expected] of [
    [UnbindFirst, 0],
    [DisposeFirst, 1],
  ] as const) {
    const { unmount } = render(<Screen />);
    const { room, disconnect } = rooms.at(-1)!;
    act(() => connectRoom(room, []));
    await nextTask();
    unmount();
    await nextTask();
    expect(disconnect.calls, Screen.name).toBe(expected);
  }
});
