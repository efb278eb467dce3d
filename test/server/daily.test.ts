/**
 * Daily on loopback: webhooks signed with Daily's HMAC, the warning by send-app-message to
 * the participant's session_id, the re-read (presence) and the end (room delete or eject),
 * Stay with a meeting token signed with the API key, and the signature refusals.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { signHs256 } from '../../src/server/jwt.js';
import { DAILY_KEY, dailySignature, dailyWebhook, post } from '../support/serverStandIns.js';
import { startHarness, type Harness } from './harness.js';

async function harness(context: TestContext, options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness('daily', options);
  context.onTestFinished(() => h.close());
  return h;
}

/** A self-signed Daily meeting token (HS256 with the API key; `r` the room, `ud` the user_id), as Daily documents it. */
const meetingToken = (room: string, userId: string, key = DAILY_KEY) =>
  signHs256({ r: room, ud: userId, u: userId, exp: Math.floor(Date.now() / 1000) + 3600 }, key);

describe.concurrent('Daily', () => {
  it('warns by send-app-message to the session_id with the JSON of SPEC §12, re-reads the presence, then deletes the room once', async (context) => {
    const h = await harness(context);
    h.api.rooms.set('daily-room', [{ identity: 'ann', sid: 's-ann' }]);
    await post(h.url, '/webhooks/daily', dailyWebhook('participant.joined', 'daily-room', 'ann'));
    await post(h.url, '/webhooks/daily', dailyWebhook('participant.joined', 'daily-room', 'bob'));
    expect(await h.server.idleDeadline('daily-room', 'ann')).toBeNull();
    const left = await post(h.url, '/webhooks/daily', dailyWebhook('participant.left', 'daily-room', 'bob'));
    expect(left.json).toEqual({ ok: true, applied: true });
    const deadline = await h.server.idleDeadline('daily-room', 'ann');
    const message = await h.api.waitFor((c) => c.method === 'POST send-app-message');
    expect(message.body).toEqual({
      room: 'daily-room',
      recipient: 's-ann',
      data: { type: 'idle.warning', room: 'daily-room', identity: 'ann', secondsLeft: 1, deadline },
    });
    const deleted = await h.api.waitFor((c) => c.method === 'DELETE room');
    expect(deleted.at - deadline!).toBeLessThan(400);
    expect(h.api.calls.map((c) => c.method)).toEqual(['POST send-app-message', 'GET presence', 'DELETE room']);
    await post(h.url, '/webhooks/daily', dailyWebhook('meeting.ended', 'daily-room'));
    expect(await h.server.sessionCount()).toBe(0);
  });

  it('ejects the participant with onTimeout remove-participant, and does not act when the presence shows company', async (context) => {
    const h = await harness(context, { onTimeout: 'remove-participant', warning: 0 });
    h.api.rooms.set('solo', [{ identity: 'ann', sid: 's-ann' }]);
    h.api.rooms.set('company', [
      { identity: 'cy', sid: 's-cy' },
      { identity: 'dee', sid: 's-dee' },
    ]);
    await post(h.url, '/webhooks/daily', dailyWebhook('participant.joined', 'solo', 'ann'));
    await post(h.url, '/webhooks/daily', dailyWebhook('participant.joined', 'company', 'cy'));
    const eject = await h.api.waitFor((c) => c.method === 'POST eject');
    expect(eject.body).toEqual({ room: 'solo', ids: ['s-ann'] });
    await h.api.waitFor((c) => c.method === 'GET presence' && c.body.room === 'company');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.api.calls.filter((c) => c.body.room === 'company').map((c) => c.method)).toEqual(['GET presence']);
  });

  it('refuses an unsigned or wrongly signed webhook with 401 and changes nothing; a replay is 200 and changes nothing', async (context) => {
    const h = await harness(context);
    const good = dailyWebhook('participant.joined', 'r', 'ann', { id: 'same-id' });
    const forged = dailyWebhook('participant.joined', 'r', 'bob', {
      secret: Buffer.from('another').toString('base64'),
    });
    const tampered = { body: good.body.replace('"ann"', '"eve"'), headers: good.headers };
    const unsigned = { body: good.body, headers: { 'content-type': 'application/json' } };
    for (const request of [forged, tampered, unsigned])
      expect((await post(h.url, '/webhooks/daily', request)).status).toBe(401);
    expect(await h.server.sessionCount()).toBe(0);
    expect((await post(h.url, '/webhooks/daily', good)).json).toEqual({ ok: true, applied: true });
    expect((await post(h.url, '/webhooks/daily', good)).json).toMatchObject({ replay: true });
    expect(await h.server.sessionCount()).toBe(1);
    const bad = dailyWebhook('participant.joined', 'r', 'x');
    expect(
      (
        await post(h.url, '/webhooks/daily', {
          body: '{"type": ',
          headers: {
            ...bad.headers,
            'x-webhook-signature': dailySignature('{"type": ', bad.headers['x-webhook-timestamp']!),
          },
        })
      ).status,
    ).toBe(400);
  });

  it('stays with the participant’s meeting token (signed with the API key, r and ud matching); others are 401', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    await post(h.url, '/webhooks/daily', dailyWebhook('participant.joined', 'r', 'ann'));
    const before = await h.server.idleDeadline('r', 'ann');
    const extend = (token: string) =>
      post(h.url, '/extend', { body: '{"room":"r","identity":"ann"}', headers: { authorization: `Bearer ${token}` } });
    for (const token of [
      meetingToken('r', 'bob'),
      meetingToken('other', 'ann'),
      meetingToken('r', 'ann', 'another-key'),
    ]) {
      expect((await extend(token)).status).toBe(401);
    }
    expect(await h.server.idleDeadline('r', 'ann')).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const answer = await extend(meetingToken('r', 'ann'));
    expect(answer.status).toBe(200);
    expect(answer.json.deadline).toBeGreaterThan(before!);
  });
});
