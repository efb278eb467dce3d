// @vitest-environment happy-dom
// Fast Refresh (issue 16, fault 6), with the real react-refresh runtime: an edit to a
// call screen during development re-runs every effect of the edited component (cleanup,
// then set-up, in one commit) and keeps its hooks' state. The session the component holds
// must survive that: before, the cleanup disposed it and the set-up made a new idle one,
// with no end callback, losing the call's state and participants on every edit.
//
// What the Babel plugin inserts into each edited module is done by hand here:
// `register(type, id)` for each version of the component, then `performReactRefresh()`.
// The runtime must be in the DevTools hook before react-dom loads, so react-dom and
// everything that imports it are loaded after `injectIntoGlobalHook`.
import { createRequire } from 'node:module';
import { afterEach, expect, test } from 'vitest';
import type { CallSession } from 'call-session-machine';
import { recordStatus } from '../support/status.js';

interface RefreshRuntime {
  injectIntoGlobalHook(globalObject: object): void;
  register(type: unknown, id: string): void;
  performReactRefresh(): unknown;
}
const refresh = createRequire(import.meta.url)('react-refresh/runtime') as RefreshRuntime;
refresh.injectIntoGlobalHook(globalThis);

const { act, cleanup, render } = await import('@testing-library/react');
const { StrictMode, useEffect } = await import('react');
const { useCallBinding, useCallSession, useCreateCallSession } = await import('call-session-machine/react');
const { bindLiveKitRoom } = await import('call-session-machine/livekit');
const { connectRoom, createLiveKitRoom, participantInfo, participantUpdate, spyOnDisconnect } =
  await import('../support/livekitRoom.js');
const { nextTask, SessionCounter } = await import('./support.js');

afterEach(cleanup);

/** One version of the edited module: a call screen whose text says which version rendered it. */
function callScreenVersion(version: string, held: CallSession[], counter: InstanceType<typeof SessionCounter>) {
  function CallScreen() {
    const session = useCreateCallSession({ inspect: counter.inspect });
    const { state, participants } = useCallSession(session);
    held.push(session);
    useEffect(() => {}, [session]);
    return (
      <p>
        {version}: {state} with {participants.map((p) => p.uid).join(',')}
      </p>
    );
  }
  refresh.register(CallScreen, 'examples/CallScreen.tsx CallScreen');
  return CallScreen;
}

for (const [mode, Mode] of [
  ['without StrictMode', ({ children }: { children: React.ReactNode }) => <>{children}</>],
  ['under StrictMode', StrictMode],
] as const) {
  test(`an edit during a call (${mode}): the same session, still in the call with its participants, no callback, no new session`, async () => {
    const counter = new SessionCounter();
    const held: CallSession[] = [];
    const First = callScreenVersion('v1', held, counter);
    const { container } = render(
      <Mode>
        <First />
      </Mode>,
    );
    const session = held.at(-1)!;
    const status = recordStatus(session);
    act(() => {
      session.join('standup');
      session.send({ type: 'session.joined', participants: [{ uid: 'ana' }] });
    });
    expect(container.textContent).toBe('v1: joined.accompanied with ana');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    status.length = 0;
    // The edit comes later, as a developer's save does.
    await nextTask();

    callScreenVersion('v2', held, counter);
    act(() => {
      refresh.performReactRefresh();
    });
    await nextTask();

    // The new code rendered, with the state the old one had.
    expect(container.textContent).toBe('v2: joined.accompanied with ana');
    expect(held.at(-1)).toBe(session);
    expect(session.actor.getSnapshot().status).toBe('active');
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual([]);
    expect(counter.live).toEqual([session.actor]);
  });
}

test('a real unmount after the edit still disposes the session', async () => {
  const counter = new SessionCounter();
  const held: CallSession[] = [];
  const First = callScreenVersion('v1', held, counter);
  const { unmount } = render(<First />);
  await nextTask();
  callScreenVersion('v2', held, counter);
  act(() => {
    refresh.performReactRefresh();
  });
  await nextTask();
  const session = held.at(-1)!;
  unmount();
  await nextTask();
  expect(session.actor.getSnapshot().status).toBe('stopped');
  expect(counter.live).toEqual([]);
});

test('a call screen bound to a LiveKit Room (useCallBinding): an edit keeps the Room connected and bound, the bind runs once', async () => {
  const rooms: { room: ReturnType<typeof createLiveKitRoom>; disconnect: { readonly calls: number } }[] = [];
  const held: CallSession[] = [];
  const bind = (session: CallSession) => {
    const room = createLiveKitRoom();
    rooms.push({ room, disconnect: spyOnDisconnect(room) });
    return bindLiveKitRoom(room, session);
  };
  const version = (label: string) => {
    function BoundScreen() {
      const session = useCreateCallSession();
      useCallBinding(session, bind);
      const { state } = useCallSession(session);
      held.push(session);
      return (
        <p>
          {label}: {state}
        </p>
      );
    }
    refresh.register(BoundScreen, 'examples/BoundScreen.tsx BoundScreen');
    return BoundScreen;
  };
  const First = version('v1');
  const { container, unmount } = render(
    <StrictMode>
      <First />
    </StrictMode>,
  );
  act(() => connectRoom(rooms[0]!.room, [participantInfo('ana')]));
  await nextTask();

  version('v2');
  act(() => {
    refresh.performReactRefresh();
  });
  await nextTask();
  expect(container.textContent).toBe('v2: joined.accompanied');
  expect(rooms).toHaveLength(1);
  expect(rooms[0]!.disconnect.calls).toBe(0);
  expect(rooms[0]!.room.state).toBe('connected');

  // The binding is still there: a Room event still reaches the session.
  act(() => participantUpdate(rooms[0]!.room, participantInfo('bo')));
  expect(held.at(-1)!.participants.map((p) => p.uid)).toEqual(['ana', 'bo']);
  unmount();
  await nextTask();
  expect(rooms[0]!.disconnect.calls).toBe(1);
  expect(held.at(-1)!.endReason).toBe('user');
});
