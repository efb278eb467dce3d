/**
 * The client side of the server's warning (call-session-machine/livekit's
 * bindServerIdleWarning) on a real livekit-client Room (its own DataReceived event): the
 * exact bytes the server sent by SendData become onIdleTimeoutWarning(secondsLeft), and
 * stay() is the /extend call the server accepts; a message from another participant, or
 * for another identity, is not a warning.
 */
import { bindServerIdleWarning } from 'call-session-machine/livekit';
import { describe, expect, it } from 'vitest';
import { RoomEvent, type Room } from 'livekit-client';
import { connectRoom, createLiveKitRoom, participantInfo } from '../support/livekitRoom.js';
import { liveKitParticipantToken, liveKitWebhook, post } from '../support/serverStandIns.js';
import { startHarness } from './harness.js';

/**
 * A data message as the Room reports it (`RoomEvent.DataReceived`: payload, sender,
 * kind, topic): from the server when `from` is empty, as RoomService.SendData delivers it.
 */
function receiveData(room: Room, payload: Uint8Array, topic: string, from = ''): void {
  const sender = from ? room.remoteParticipants.get(from) : undefined;
  room.emit(RoomEvent.DataReceived, new Uint8Array(payload), sender, undefined, topic);
}

describe('bindServerIdleWarning', () => {
  it('turns the server’s SendData into onIdleTimeoutWarning and Stay into an accepted /extend', async (context) => {
    const h = await startHarness('livekit', { idle: 3, warning: 2 });
    context.onTestFinished(() => h.close());
    h.api.rooms.set('r', [{ identity: 'ann' }]);
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    const send = await h.api.waitFor((c) => c.method === 'SendData');

    const room = createLiveKitRoom();
    connectRoom(room, [participantInfo('mallory')], 'ann');
    const token = await liveKitParticipantToken('r', 'ann');
    const shown: number[] = [];
    const errors: unknown[] = [];
    const binding = bindServerIdleWarning(room, {
      extendUrl: `${h.url}/extend`,
      token: () => token,
      listener: { onIdleTimeoutWarning: (secondsLeft) => shown.push(secondsLeft) },
      onError: (error) => errors.push(error),
    });
    // Another participant's message on the topic, and a warning for someone else: not warnings.
    const forged = new TextEncoder().encode(
      JSON.stringify({ type: 'idle.warning', room: 'r', identity: 'ann', secondsLeft: 1, deadline: 0 }),
    );
    receiveData(room, forged, 'call-session-machine', 'mallory');
    receiveData(
      room,
      new TextEncoder().encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(forged)), identity: 'bob' })),
      'call-session-machine',
    );
    receiveData(room, new TextEncoder().encode('chat'), 'chat');
    expect(shown).toEqual([]);

    receiveData(room, Buffer.from(String(send.body.data), 'base64'), String(send.body.topic));
    expect(shown).toEqual([2]);
    const oldDeadline = binding.warning!.deadline;
    expect(oldDeadline).toBe(await h.server.idleDeadline('r', 'ann'));

    const deadline = await binding.stay();
    expect(deadline).toBeGreaterThan(oldDeadline);
    expect(await h.server.idleDeadline('r', 'ann')).toBe(deadline);
    expect(binding.warning).toBeNull();
    expect(errors).toEqual([]);
    binding.unbind();
    receiveData(room, Buffer.from(String(send.body.data), 'base64'), 'call-session-machine');
    expect(shown).toEqual([2]);
    await room.disconnect();
  });

  it('rejects stay() with the server’s answer when the token is refused, and reports a listener that throws', async (context) => {
    const h = await startHarness('livekit', { idle: 60, warning: 10 });
    context.onTestFinished(() => h.close());
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    const room = createLiveKitRoom();
    connectRoom(room, [], 'ann');
    const errors: unknown[] = [];
    const binding = bindServerIdleWarning(room, {
      extendUrl: `${h.url}/extend`,
      token: await liveKitParticipantToken('r', 'bob'),
      listener: {
        onIdleTimeoutWarning: () => {
          throw new Error('ui bug');
        },
      },
      onError: (error) => errors.push(error),
    });
    const warning = {
      type: 'idle.warning',
      room: 'r',
      identity: 'ann',
      secondsLeft: 10,
      deadline: Date.now() + 10_000,
    };
    receiveData(room, new TextEncoder().encode(JSON.stringify(warning)), 'call-session-machine');
    expect(errors).toEqual([new Error('ui bug')]);
    await expect(binding.stay()).rejects.toThrow(/Stay was refused: 401/);
    expect(binding.warning).toEqual(warning);
    expect(() => bindServerIdleWarning({} as never, { extendUrl: 'x', token: 't' })).toThrow(TypeError);
    binding.unbind();
    await room.disconnect();
  });
});
