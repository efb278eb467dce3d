// @vitest-environment happy-dom
// bindAgoraClient on a real agora-rtc-sdk-ng client (SPEC §7), in happy-dom. The client is
// driven through its gateway's signal channel (test/support/agoraClient.ts), so every
// connection-state-change, user-joined and user-left the binding hears comes from the SDK's
// own handlers. Expected outcomes are written from SPEC §2/§7 and the mapping table of
// docs/bindings.md, not read from the binding.
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { bindAgoraClient } from 'call-session-machine/agora';
import { countedEmitter, expectRefused, recordedSession } from '../support/bindingSession.js';
import {
  AGORA_RTC_SDK_VERSION,
  clientListenerCounts,
  createAgoraClient,
  describeInternals,
  installedAgoraVersion,
  joinChannel,
  RECONNECT_PRUNE_MS,
  settle,
  signalClosed,
  signalConnected,
  spyOnLeave,
  startConnecting,
  startReconnect,
  userOffline,
  userOnline,
  wait,
} from '../support/agoraClient.js';

/** A client bound to a fresh recorded session; not joined yet. */
async function bound(periods?: { idle?: number; reconnect?: number }) {
  const client = await createAgoraClient();
  const recorded = recordedSession(periods);
  const leave = spyOnLeave(client);
  const unbind = bindAgoraClient(client, recorded.session, { sessionId: 'standup' });
  return { client, leave, unbind, ...recorded };
}

/** Bound and joined with `uids` present; the records start empty after that. */
async function inCall(uids: (string | number)[] = [], periods?: { idle?: number; reconnect?: number }) {
  const setup = await bound(periods);
  joinChannel(setup.client, uids);
  setup.status.length = 0;
  setup.people.length = 0;
  return setup;
}

describe('joining', () => {
  test('join with people present: the users already there arrive as user-joined after CONNECTED, keyed by uid', async () => {
    const { client, session, status, people } = await bound();
    startConnecting(client);
    expect(session.state).toBe('joining');
    expect(session.actor.getSnapshot().context.sessionId).toBe('standup');
    signalConnected(client);
    // Agora reports the users already in the channel with user-joined once connected.
    userOnline(client, 'ana');
    userOnline(client, 'bo');
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.alone']);
    expect(session.participants).toEqual([{ uid: 'ana' }, { uid: 'bo' }]);
    expect(people).toEqual(['joined:ana', 'list:ana', 'joined:bo', 'list:ana,bo']);
  });

  test('join alone: joined.alone, and the idle countdown runs', async () => {
    const { session, status, advance } = await inCall([], { idle: 10 });
    expect(session.state).toBe('joined.alone');
    advance(10);
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });

  test('a numeric uid is the participant uid as a string', async () => {
    const { session } = await inCall([1234]);
    expect(session.participants).toEqual([{ uid: '1234' }]);
  });

  test('a client already connected at bind time is caught up: join, then joined with client.remoteUsers', async () => {
    const client = await createAgoraClient();
    joinChannel(client, ['ana']);
    const { session, status } = recordedSession();
    bindAgoraClient(client, session);
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual(['onSessionJoined@joined.accompanied']);
    expect(session.participants).toEqual([{ uid: 'ana' }]);
    // No channel name without a real join: the default.
    expect(session.actor.getSnapshot().context.sessionId).toBe('agora');
  });

  test('a real client.join() with no Agora server to reach: joining; leave() then ends the attempt once, join() rejects as aborted', async () => {
    const client = await createAgoraClient();
    const { session, status } = recordedSession();
    const leave = spyOnLeave(client);
    bindAgoraClient(client, session);
    const joined = client.join('0123456789abcdef0123456789abcdef', 'standup', null, 'me');
    await settle();
    expect(client.connectionState).toBe('CONNECTING');
    expect(session.state).toBe('joining');
    session.leave();
    expect(session.state).toBe('idle');
    await expect(joined).rejects.toMatchObject({ code: 'OPERATION_ABORTED' });
    expect(leave.calls).toBe(1);
    expect(client.connectionState).toBe('DISCONNECTED');
    expect(session.state).toBe('idle');
    expect(status).toEqual([]);
    // A second join() of the same client is a new attempt, and is ended once too.
    const again = client.join('0123456789abcdef0123456789abcdef', 'standup', null, 'me');
    await settle();
    expect(session.state).toBe('joining');
    session.leave();
    await expect(again).rejects.toMatchObject({ code: 'OPERATION_ABORTED' });
    expect(leave.calls).toBe(2);
    expect(status).toEqual([]);
  });
});

describe('participants', () => {
  test('people joining and leaving (Quit); a user announced again sends nothing', async () => {
    const { client, session, people, status } = await inCall(['ana']);
    userOnline(client, 'bo');
    expect(people).toEqual(['joined:bo', 'list:ana,bo']);
    userOnline(client, 'bo');
    expect(people).toHaveLength(2);
    userOffline(client, 'ana', 'Quit');
    userOffline(client, 'bo', 'Quit');
    expect(session.state).toBe('joined.alone');
    expect(people.slice(2)).toEqual(['left:ana', 'list:bo', 'left:bo', 'list:']);
    expect(status).toEqual([]);
  });

  test('ServerTimeOut (the remote dropped offline, not left) is a departure; the same uid back is an arrival', async () => {
    const { client, session, people } = await inCall(['ana']);
    userOffline(client, 'ana', 'ServerTimeOut');
    expect(client.remoteUsers).toEqual([]);
    expect(session.state).toBe('joined.alone');
    userOnline(client, 'ana');
    expect(session.state).toBe('joined.accompanied');
    expect(people).toEqual(['left:ana', 'list:', 'joined:ana', 'list:ana']);
  });

  test('BecomeAudience (a host turned audience, still watching) leaves the list Agora reports; back as host it returns', async () => {
    const client = await createAgoraClient('live');
    const { session, people } = recordedSession();
    bindAgoraClient(client, session);
    joinChannel(client, ['host-ana']);
    people.length = 0;
    userOffline(client, 'host-ana', 'BecomeAudience');
    // Agora forgets the user: an audience member is never reported, not even leaving.
    expect(client.remoteUsers).toEqual([]);
    expect(session.state).toBe('joined.alone');
    userOnline(client, 'host-ana');
    expect(people).toEqual(['left:host-ana', 'list:', 'joined:host-ana', 'list:host-ana']);
  });
});

describe('reconnecting', () => {
  test('a reconnect that recovers: one lost/restored pair; a user not seen again is pruned by the SDK 3 s later', async () => {
    const { client, session, status, people } = await inCall(['ana', 'bo']);
    startReconnect(client);
    expect(session.state).toBe('reconnecting');
    // RECONNECTING keeps the users (Agora marks them untrusted), no user-left flood.
    expect(client.remoteUsers.map((user) => user.uid)).toEqual(['ana', 'bo']);
    signalConnected(client);
    userOnline(client, 'ana');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionRestored@joined.accompanied']);
    expect(people).toEqual([]);
    await wait(RECONNECT_PRUNE_MS + 200);
    expect(client.remoteUsers.map((user) => user.uid)).toEqual(['ana']);
    expect(people).toEqual(['left:bo', 'list:ana']);
    expect(status).toHaveLength(2);
  });

  test('a reconnect that gives up (the signal closes with NETWORK_ERROR): closed, and no leave() call', async () => {
    const { client, session, status, leave } = await inCall(['ana']);
    startReconnect(client);
    signalClosed(client, 'NETWORK_ERROR');
    expect(client.connectionState).toBe('DISCONNECTED');
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('server');
    expect(status).toEqual(['onConnectionLost@reconnecting', 'onConnectionClosed@closed']);
    await settle();
    expect(leave.calls).toBe(0);
  });

  test('the reconnect bound: the session gives up first and calls client.leave() once', async () => {
    const { client, session, leave, advance } = await inCall(['ana'], { reconnect: 5 });
    startReconnect(client);
    advance(5);
    expect(session.endReason).toBe('reconnectTimeout');
    await settle();
    expect(leave.calls).toBe(1);
  });
});

describe('the end, from Agora', () => {
  test('banned (UID_BANNED, the kicking-rule API): onSessionLeft, reason removed, no leave() call', async () => {
    const { client, session, status, leave } = await inCall(['ana']);
    signalClosed(client, 'UID_BANNED');
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('removed');
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.calls).toBe(0);
  });

  // docs/bindings.md, Agora table: every ConnectionDisconnectedReason the client reports.
  const CLOSED = { state: 'closed', endReason: 'server' };
  const REMOVED = { state: 'left', endReason: 'removed' };
  const reasons: [reason: string | undefined, joined: object, reconnecting: object][] = [
    ['LEAVE', { state: 'left', endReason: 'user' }, { state: 'left', endReason: 'user' }],
    ['NETWORK_ERROR', CLOSED, CLOSED],
    ['SERVER_ERROR', CLOSED, CLOSED],
    ['UID_BANNED', REMOVED, REMOVED],
    ['IP_BANNED', REMOVED, REMOVED],
    ['CHANNEL_BANNED', CLOSED, CLOSED],
    ['UID_CONFLICT', REMOVED, CLOSED],
    ['TOKEN_EXPIRE', CLOSED, CLOSED],
    ['LICENSE_MISSING', CLOSED, CLOSED],
    ['LICENSE_EXPIRED', CLOSED, CLOSED],
    ['LICENSE_MINUTES_EXCEEDED', CLOSED, CLOSED],
    ['LICENSE_PERIOD_INVALID', CLOSED, CLOSED],
    ['LICENSE_MULTIPLE_SDK_SERVICE', CLOSED, CLOSED],
    ['LICENSE_ILLEGAL', CLOSED, CLOSED],
    ['FALLBACK_TO_HLS', CLOSED, CLOSED],
    [undefined, CLOSED, CLOSED],
  ];
  test('every ConnectionDisconnectedReason, while joined, while reconnecting and while joining, as the mapping table says', async () => {
    const outcome = (session: { state: string; endReason: string | null }) => ({
      state: session.state,
      endReason: session.endReason,
    });
    for (const [reason, whileJoined, whileReconnecting] of reasons) {
      const joined = await inCall(['ana']);
      signalClosed(joined.client, reason);
      expect(outcome(joined.session), `${reason} while joined`).toEqual(whileJoined);

      const reconnecting = await inCall(['ana']);
      startReconnect(reconnecting.client);
      signalClosed(reconnecting.client, reason);
      expect(outcome(reconnecting.session), `${reason} while reconnecting`).toEqual(whileReconnecting);

      const joining = await bound();
      startConnecting(joining.client);
      signalClosed(joining.client, reason);
      expect(joining.session.state, `${reason} while joining`).toBe('idle');
      expect(joining.status, `${reason} while joining`).toEqual([]);
      await settle();
      expect(joined.leave.calls + reconnecting.leave.calls + joining.leave.calls, String(reason)).toBe(0);
    }
  });

  test('the FALLBACK reason is not reported by the client at all: nothing changes', async () => {
    const { client, session, status } = await inCall(['ana']);
    signalClosed(client, 'FALLBACK');
    expect(session.state).toBe('joined.accompanied');
    expect(status).toEqual([]);
  });
});

describe('the end, from the session', () => {
  test('leave(): client.leave() exactly once; the DISCONNECTED it causes adds nothing', async () => {
    const { client, session, status, leave } = await inCall(['ana']);
    session.leave();
    expect(status).toEqual(['onSessionLeft@left']);
    await settle();
    expect(leave.calls).toBe(1);
    expect(client.connectionState).toBe('DISCONNECTED');
    expect(status).toEqual(['onSessionLeft@left']);
  });

  test('the idle timeout calls client.leave() once', async () => {
    const { client, session, status, leave, advance } = await inCall([], { idle: 5 });
    advance(4);
    expect(leave.calls).toBe(0);
    advance(1);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
    await settle();
    expect(leave.calls).toBe(1);
    expect(client.connectionState).toBe('DISCONNECTED');
  });

  test('the app calling client.leave() itself is the user leaving', async () => {
    const { client, session, status, leave } = await inCall(['ana']);
    await client.leave();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(status).toEqual(['onSessionLeft@left']);
    expect(leave.calls).toBe(1);
  });
});

describe('the session disposed', () => {
  test('while in the call: the binding calls client.leave() once and lets go of the client', async () => {
    const { client, session, leave } = await inCall(['ana']);
    session.dispose();
    await settle();
    expect(leave.calls).toBe(1);
    expect(client.connectionState).toBe('DISCONNECTED');
    expect(() => bindAgoraClient(client, recordedSession().session)).not.toThrow();
  });
});

describe('after the end', () => {
  test('a client joining again while still bound to the ended session is left: nothing watches that call', async () => {
    const { client, session, leave, advance, status } = await inCall([], { idle: 5 });
    advance(5);
    await settle();
    expect(leave.calls).toBe(1);
    joinChannel(client, ['ana']);
    await settle();
    expect(leave.calls).toBe(2);
    expect(client.connectionState).toBe('DISCONNECTED');
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['onSessionTimedOut@timedOut']);
  });
});

describe('binding again', () => {
  test('to a joined session after users changed while unbound: the session is resynced from client.remoteUsers', async () => {
    const { client, session, unbind, people } = await inCall(['ana', 'bo']);
    unbind();
    userOffline(client, 'bo', 'Quit');
    userOnline(client, 'cy');
    bindAgoraClient(client, session);
    expect(session.participants).toEqual([{ uid: 'ana' }, { uid: 'cy' }]);
    expect(people).toEqual(['left:bo', 'list:ana', 'joined:cy', 'list:ana,cy']);
  });

  test('to a session whose client was disconnected while unbound: the session closes, and nothing calls the client', async () => {
    const { client, session, unbind, leave, status } = await inCall(['ana']);
    unbind();
    signalClosed(client, 'NETWORK_ERROR');
    bindAgoraClient(client, session);
    expect(session.state).toBe('closed');
    expect(status).toEqual(['onConnectionClosed@closed']);
    await settle();
    expect(leave.calls).toBe(0);
  });
});

describe('unbind', () => {
  test('removes every listener on the client and on the session, and is idempotent', async () => {
    const client = await createAgoraClient();
    const before = clientListenerCounts(client);
    const { session, status } = recordedSession();
    const leave = spyOnLeave(client);
    const unbind = bindAgoraClient(client, session);
    expect(clientListenerCounts(client)).not.toEqual(before);
    joinChannel(client, []);
    expect(session.state).toBe('joined.alone');

    unbind();
    expect(clientListenerCounts(client)).toEqual(before);
    unbind();
    expect(clientListenerCounts(client)).toEqual(before);

    userOnline(client, 'ana');
    startReconnect(client);
    expect(session.state).toBe('joined.alone');
    session.leave();
    await settle();
    expect(leave.calls).toBe(0);
    expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  });
});

describe('bad input', () => {
  test('an empty sessionId is a TypeError at bind time, and nothing is bound', async () => {
    const client = await createAgoraClient();
    const before = clientListenerCounts(client);
    const { session } = recordedSession();
    expect(() => bindAgoraClient(client, session, { sessionId: '' })).toThrow(TypeError);
    expect(clientListenerCounts(client)).toEqual(before);
    joinChannel(client, ['ana']);
    expect(session.state).toBe('idle');
  });

  test('an object that is not a client is a TypeError naming the binder and what is missing; nothing changes', () => {
    const { emitter, calls } = countedEmitter();
    expectRefused(
      bindAgoraClient,
      emitter,
      /^bindAgoraClient: client must be an agora-rtc-sdk-ng 4\.x client.*no leave\(\), no connectionState string, no remoteUsers object$/,
    );
    expectRefused(bindAgoraClient, null, /^bindAgoraClient: client must be .*AgoraRTC\.createClient\(\)\), got null$/);
    expectRefused(bindAgoraClient, {}, /^bindAgoraClient: client must be .*, got an object with no on\(\), no off\(\)/);
    const lookAlike = Object.assign(new EventEmitter(), {
      leave() {},
      connectionState: 'CONNECTED',
      remoteUsers: new Map(),
    });
    expectRefused(bindAgoraClient, lookAlike, /^bindAgoraClient: .*; its remoteUsers is not an array$/);
    expect(calls.disconnect).toBe(0);
  });

  test('a real client with something that is not a session: TypeError, and no listener left on the client', async () => {
    const client = await createAgoraClient();
    const before = clientListenerCounts(client);
    expect(() => bindAgoraClient(client, {} as never)).toThrow(/^bindAgoraClient: session must be a CallSession/);
    expect(clientListenerCounts(client)).toEqual(before);
  });

  test('a client already bound is refused (Error), and the first binding goes on', async () => {
    const { client, session, leave } = await inCall(['ana']);
    expect(() => bindAgoraClient(client, recordedSession().session)).toThrow(
      /^bindAgoraClient: this client is already bound/,
    );
    session.leave();
    await settle();
    expect(leave.calls).toBe(1);
  });
});

describe('the agora-rtc-sdk-ng internals the test helper drives', () => {
  test(`are those of agora-rtc-sdk-ng ${AGORA_RTC_SDK_VERSION}`, async () => {
    expect(installedAgoraVersion()).toBe(AGORA_RTC_SDK_VERSION);
    expect(await describeInternals()).toEqual({
      '_gateway.state setter': 'function',
      '_gateway.signal.emit': 'function',
      '_gateway.signal connectionState setter': 'function',
      '_gateway.signal._disconnectedReason': true,
      _events: 'object',
      'ws_connected makes the client CONNECTED': true,
    });
  });
});
