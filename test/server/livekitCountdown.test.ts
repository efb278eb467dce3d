/**
 * LiveKit, end to end on loopback: the warning (SendData, its JSON and its time), the end
 * (DeleteRoom or RemoveParticipant) once per countdown, the re-read before acting, who
 * counts as company, room_finished and participant_connection_aborted.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import {
  liveKitReceiver,
  liveKitWebhook,
  post,
  sentData,
  until,
  type LiveKitEventInit,
} from '../support/serverStandIns.js';
import { startHarness, type Harness } from './harness.js';

/** The test's own server; closed when that test ends (the context's hook: the tests run concurrently). */
async function harness(context: TestContext, options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness('livekit', options);
  context.onTestFinished(() => h.close());
  return h;
}

async function webhook(h: Harness, init: LiveKitEventInit) {
  const signed = await liveKitWebhook(init);
  const answer = await post(h.url, '/webhooks/livekit', signed);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

const calls = (h: Harness, method: string, room?: string) =>
  h.api.calls.filter((c) => c.method === method && (room === undefined || c.body.room === room));

// Each test has its own server and stand-in; they wait on real time side by side.
describe.concurrent('LiveKit: warning and end', () => {
  it('signs its test webhooks the way the SDK accepts them', async () => {
    const signed = await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'a' });
    const event = await liveKitReceiver().receive(signed.body, signed.headers.authorization);
    expect(event.participant?.identity).toBe('a');
  });

  it('warns the one left alone by SendData with the JSON of SPEC §12, one second before the end, then deletes the room once', async (context) => {
    const h = await harness(context);
    h.api.rooms.set('standup', [{ identity: 'ann' }]);
    await webhook(h, { event: 'participant_joined', room: 'standup', identity: 'ann' });
    await webhook(h, { event: 'participant_joined', room: 'standup', identity: 'bob' });
    expect(await h.server.idleDeadline('standup', 'ann')).toBeNull();
    const sentAt = Date.now();
    await webhook(h, { event: 'participant_left', room: 'standup', identity: 'bob' });
    const leftAt = Date.now();
    const deadline = await h.server.idleDeadline('standup', 'ann');
    expect(deadline).toBeGreaterThanOrEqual(sentAt + 2000);
    expect(deadline).toBeLessThanOrEqual(leftAt + 2000);

    const send = await h.api.waitFor((c) => c.method === 'SendData');
    expect(send.at - sentAt).toBeGreaterThanOrEqual(990);
    expect(send.at - leftAt).toBeLessThan(1400);
    expect(send.body).toMatchObject({ room: 'standup', destinationIdentities: ['ann'], topic: 'call-session-machine' });
    // RELIABLE is protobuf's zero value: the protojson of the request leaves it out.
    expect(send.body.kind ?? 'RELIABLE').toBe('RELIABLE');
    expect(sentData(send)).toEqual({
      type: 'idle.warning',
      room: 'standup',
      identity: 'ann',
      secondsLeft: 1,
      deadline,
    });

    const del = await h.api.waitFor((c) => c.method === 'DeleteRoom');
    expect(del.at - deadline!).toBeGreaterThanOrEqual(-5);
    expect(del.at - deadline!).toBeLessThan(400);
    const list = calls(h, 'ListParticipants', 'standup');
    expect(list).toHaveLength(1);
    expect(list[0]!.at).toBeLessThanOrEqual(del.at);
    // What LiveKit sends after a DeleteRoom changes nothing more.
    await webhook(h, { event: 'participant_left', room: 'standup', identity: 'ann' });
    await webhook(h, { event: 'room_finished', room: 'standup' });
    await new Promise((resolve) => setTimeout(resolve, 2300));
    expect(calls(h, 'DeleteRoom')).toHaveLength(1);
    expect(calls(h, 'SendData')).toHaveLength(1);
    expect(h.logged('end')).toEqual([
      expect.objectContaining({ room: 'standup', identity: 'ann', action: 'delete-room' }),
    ]);
    expect(await h.server.sessionCount()).toBe(0);
  });

  it('re-reads the room before acting: a lost participant_joined does not end a call that has company', async (context) => {
    const h = await harness(context, { warning: 0 });
    h.api.rooms.set('lost', [{ identity: 'ann' }, { identity: 'bob' }]);
    await webhook(h, { event: 'participant_joined', room: 'lost', identity: 'ann' });
    // bob's participant_joined never arrives.
    await until(() => calls(h, 'ListParticipants', 'lost').length === 1, 4000, 'the re-read');
    await until(() => h.logged('resync').length === 1, 1000, 'the resync');
    expect(calls(h, 'DeleteRoom')).toHaveLength(0);
    expect(await h.server.idleDeadline('lost', 'ann')).toBeNull();
    expect(await h.server.idleDeadline('lost', 'bob')).toBeNull();
    // bob leaves for real: the countdown starts afresh and ends the call.
    h.api.rooms.set('lost', [{ identity: 'ann' }]);
    const answer = await webhook(h, { event: 'participant_left', room: 'lost', identity: 'bob' });
    expect(answer).toEqual({ ok: true, applied: true });
    expect(await h.server.idleDeadline('lost', 'ann')).not.toBeNull();
    await h.api.waitFor((c) => c.method === 'DeleteRoom' && c.body.room === 'lost', 4000);
  });

  it('does not act when the person has gone from the room (a lost participant_left)', async (context) => {
    const h = await harness(context, { warning: 0 });
    h.api.rooms.set('gone', []);
    await webhook(h, { event: 'participant_joined', room: 'gone', identity: 'ann' });
    await until(() => h.logged('resync').length === 1, 4000, 'the resync');
    expect(calls(h, 'DeleteRoom')).toHaveLength(0);
    expect(await h.server.sessionCount()).toBe(0);
  });

  it('counts an agent and a SIP caller as company, and not a recorder (EGRESS) or an ingress', async (context) => {
    const h = await harness(context, { warning: 0 });
    h.api.rooms.set('recorded', [
      { identity: 'ann' },
      { identity: 'egress-1', kind: 'EGRESS' },
      { identity: 'in-1', kind: 'INGRESS' },
    ]);
    for (const [room, identity, kind] of [
      ['agent', 'ann', 'STANDARD'],
      ['agent', 'helper', 'AGENT'],
      ['phone', 'ann', 'STANDARD'],
      ['phone', 'caller', 'SIP'],
      ['recorded', 'ann', 'STANDARD'],
      ['recorded', 'egress-1', 'EGRESS'],
      ['recorded', 'in-1', 'INGRESS'],
    ] as const) {
      await webhook(h, { event: 'participant_joined', room, identity, kind });
    }
    expect(await h.server.idleDeadline('agent', 'ann')).toBeNull();
    expect(await h.server.idleDeadline('agent', 'helper')).toBeNull();
    expect(await h.server.idleDeadline('phone', 'ann')).toBeNull();
    expect(await h.server.idleDeadline('recorded', 'ann')).not.toBeNull();
    expect(await h.server.idleDeadline('recorded', 'egress-1')).toBeNull();
    await h.api.waitFor((c) => c.method === 'DeleteRoom' && c.body.room === 'recorded', 4000);
    expect(calls(h, 'DeleteRoom')).toHaveLength(1);
  });

  it('counts the kinds it is told to (countedKinds, the --count-kinds flag)', async (context) => {
    const h = await harness(context, { countedKinds: ['STANDARD', 'EGRESS'] });
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'ann' });
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'rec', kind: 'EGRESS' });
    expect(await h.server.idleDeadline('r', 'ann')).toBeNull();
  });

  it('ends every session of a room on room_finished, and only that room', async (context) => {
    const h = await harness(context);
    for (const identity of ['ann', 'bob', 'cy'])
      await webhook(h, { event: 'participant_joined', room: 'big', identity });
    await webhook(h, { event: 'participant_joined', room: 'other', identity: 'dee' });
    expect(await h.server.sessionCount()).toBe(4);
    await webhook(h, { event: 'room_finished', room: 'big' });
    expect(await h.server.sessionCount()).toBe(1);
    expect(await h.server.idleDeadline('other', 'dee')).not.toBeNull();
    expect(await h.server.idleDeadline('big', 'ann')).toBeNull();
  });

  it('takes participant_connection_aborted as leaving', async (context) => {
    const h = await harness(context);
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'ann' });
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'bob' });
    expect(await h.server.idleDeadline('r', 'ann')).toBeNull();
    await webhook(h, { event: 'participant_connection_aborted', room: 'r', identity: 'bob' });
    expect(await h.server.idleDeadline('r', 'ann')).not.toBeNull();
    expect(await h.server.idleDeadline('r', 'bob')).toBeNull();
  });

  it('removes only the participant with onTimeout remove-participant', async (context) => {
    const h = await harness(context, { onTimeout: 'remove-participant', warning: 0 });
    h.api.rooms.set('r', [{ identity: 'ann' }, { identity: 'rec', kind: 'EGRESS' }]);
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'ann' });
    const removed = await h.api.waitFor((c) => c.method === 'RemoveParticipant', 4000);
    expect(removed.body).toEqual({ room: 'r', identity: 'ann' });
    expect(calls(h, 'DeleteRoom')).toHaveLength(0);
  });

  it('calls an operator’s onWarning and onEnd instead of the defaults; one that throws is logged and the server goes on', async (context) => {
    const seen: string[] = [];
    const h = await harness(context, {
      onWarning: (warning) => {
        seen.push(`warning ${warning.identity} ${warning.secondsLeft}`);
        throw new Error('operator bug');
      },
      onEnd: async (end, action) => {
        seen.push(`end ${end.identity} ${end.action}`);
        await action.run();
      },
    });
    h.api.rooms.set('r', [{ identity: 'ann' }]);
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'ann' });
    await h.api.waitFor((c) => c.method === 'DeleteRoom', 4000);
    expect(seen).toEqual(['warning ann 1', 'end ann delete-room']);
    expect(calls(h, 'SendData')).toHaveLength(0);
    expect(h.logged('warning.failed')).toEqual([expect.objectContaining({ error: 'operator bug' })]);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
  });

  it('sends the end once, even when LiveKit answers it too late (no retry that could end a call twice)', async (context) => {
    const h = await harness(context, { warning: 0, providerTimeoutMs: 150 });
    h.api.rooms.set('slow', [{ identity: 'ann' }]);
    h.api.slow.set('DeleteRoom', 400);
    await webhook(h, { event: 'participant_joined', room: 'slow', identity: 'ann' });
    await until(() => h.logged('end.failed').length === 1, 5000, 'the end to time out');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(calls(h, 'DeleteRoom')).toHaveLength(1);
    expect(calls(h, 'ListParticipants')).toHaveLength(1);
  });

  it('does not end anybody when the re-read fails, and tries again after a fresh countdown', async (context) => {
    const h = await harness(context, { warning: 0 });
    h.api.rooms.set('r', [{ identity: 'ann' }]);
    await webhook(h, { event: 'participant_joined', room: 'r', identity: 'ann' });
    // Three attempts at the re-read all fail.
    h.api.failNext(3, 503);
    await until(() => h.logged('end.skipped').length === 1, 5000, 'the skipped end');
    expect(calls(h, 'DeleteRoom')).toHaveLength(0);
    expect(await h.server.idleDeadline('r', 'ann')).not.toBeNull();
    await h.api.waitFor((c) => c.method === 'DeleteRoom', 4000);
  });
});
