// A real connection attempt: twilio-video's connect() opens its signaling WebSocket to a
// closed loopback port (wsServer: ws://127.0.0.1:9), gives up after its own open timeout
// (15 s), and rejects; the binding, given that promise, reports the failed join. Runs in
// the vitest project "sdk-connect": with Node 20's global WebSocket (--experimental-websocket)
// twilio-video uses it instead of the `ws` package, whose unhandled 'error' event would
// crash the worker on ECONNREFUSED.
import { afterEach, expect, test } from 'vitest';
import { connect, type ConnectOptions } from 'twilio-video';
import { bindTwilioRoom } from 'call-session-machine/twilio';
import { recordedSession } from '../support/bindingSession.js';
import { stubBrowserForConnect } from '../support/twilioRoom.js';

let restore: (() => void) | undefined;
afterEach(() => restore?.());

test('connect() to a closed port: joining at bind, then session.joinFailed with its error, back to idle without a callback', async () => {
  expect(typeof WebSocket).toBe('function');
  restore = stubBrowserForConnect();
  const { session, status } = recordedSession();
  const states: string[] = [];
  const errors: unknown[] = [];
  session.actor.subscribe(() => states.push(session.state));
  session.actor.system.inspect((event) => {
    if (event.type === '@xstate.event' && event.event.type === 'session.joinFailed') errors.push(event.event.error);
  });

  // wsServer is an internal ConnectOptions field (tsdef/ConnectOptionsInternal.d.ts);
  // insights: false keeps connect() from also dialling Twilio's insights gateway.
  const options = { wsServer: 'ws://127.0.0.1:9', tracks: [], insights: false, logLevel: 'off' } as ConnectOptions;
  const pending = connect('token-for-a-server-that-is-not-there', options);
  bindTwilioRoom(pending, session, { sessionId: 'nobody-home' });
  expect(session.state).toBe('joining');

  await expect(pending).rejects.toMatchObject({ code: 53000 });
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(states).toEqual(['joining', 'idle']);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: 53000, message: 'Signaling connection error' });
  expect(status).toEqual([]);
});
