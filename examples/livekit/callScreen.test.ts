// The example's call screen against a real livekit-client Room, driven through its engine
// (call-session-machine/testing/livekit, which an app's own tests can use the same way):
// what a user of the example would see.
import { expect, test } from 'vitest';
import {
  connectRoom,
  createLiveKitRoom,
  finishFullReconnect,
  participantInfo,
  participantUpdate,
  roomListenerCounts,
  settle,
  spyOnDisconnect,
  startFullReconnect,
} from 'call-session-machine/testing/livekit';
import { createCallScreen, type CallScreenView } from './callScreen.js';

test('the call screen follows a LiveKit call: joined, someone arrives, a full reconnect, leave', async () => {
  const room = createLiveKitRoom();
  const disconnect = spyOnDisconnect(room);
  const views: CallScreenView[] = [];
  const screen = createCallScreen(room, (view) => views.push(view));

  connectRoom(room, [participantInfo('ana', 'Ana')]);
  expect(screen.view).toEqual({ status: 'In the call', others: ['Ana'], open: true });
  participantUpdate(room, participantInfo('bo'));
  expect(screen.view.others).toEqual(['Ana', 'bo']);

  const fromReconnect = views.length;
  startFullReconnect(room);
  expect(screen.view.status).toBe('Reconnecting…');
  await finishFullReconnect(room, [participantInfo('ana', 'Ana'), participantInfo('bo')]);
  expect(screen.view).toEqual({ status: 'In the call', others: ['Ana', 'bo'], open: true });
  // The reconnect flood never showed up as people leaving.
  expect(views.slice(fromReconnect).map((view) => view.status)).toEqual(['Reconnecting…', 'In the call']);
  expect(views.slice(fromReconnect).every((view) => view.others.length === 2)).toBe(true);

  screen.leave();
  await settle();
  expect(screen.view).toEqual({ status: 'You left the call', others: ['Ana', 'bo'], open: false });
  expect(disconnect.calls).toBe(1);
  screen.close();
});

test('alone for the idle period: the call screen closes and the Room is disconnected', async () => {
  const room = createLiveKitRoom();
  const disconnect = spyOnDisconnect(room);
  const screen = createCallScreen(room, undefined, 1);
  connectRoom(room, []);
  expect(screen.view.status).toBe('In the call');
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect(screen.view).toEqual({ status: 'The call ended: nobody else was here', others: [], open: false });
  await settle();
  expect(disconnect.calls).toBe(1);
  screen.close();
});

test('the screen closed (unmounted) in the middle of a call: the Room is disconnected once, and let go of', async () => {
  const room = createLiveKitRoom();
  const disconnect = spyOnDisconnect(room);
  const listenersBefore = roomListenerCounts(room);
  const screen = createCallScreen(room);
  connectRoom(room, [participantInfo('ana', 'Ana')]);
  screen.close();
  await settle();
  expect(disconnect.calls).toBe(1);
  expect(room.state).toBe('disconnected');
  expect(roomListenerCounts(room)).toEqual(listenersBefore);
});
