/**
 * Twilio on loopback: status callbacks signed by the twilio package's own signer, no
 * server-to-client message (the warning is the callback and the log), the re-read of the
 * connected participants and the room's update to completed, Stay with an access token
 * minted by the twilio package, and the signature refusals.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import type { IdleWarning } from 'call-session-machine/server';
import { post, twilioAccepts, twilioParticipantToken, twilioWebhook } from '../support/serverStandIns.js';
import { startHarness, type Harness } from './harness.js';

async function harness(context: TestContext, options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness('twilio', options);
  context.onTestFinished(() => h.close());
  return h;
}

describe.concurrent('Twilio', () => {
  it('signs its test callbacks the way twilio’s validateRequest accepts them', () => {
    const url = 'https://calls.example.com/webhooks/twilio';
    const signed = twilioWebhook(url, 'participant-connected', 'r', 'ann');
    expect(twilioAccepts(url, signed.body, signed.headers['x-twilio-signature']!)).toBe(true);
    expect(twilioAccepts(`${url}x`, signed.body, signed.headers['x-twilio-signature']!)).toBe(false);
  });

  it('gives the warning to the callback and the log, re-reads the participants, then completes the room once', async (context) => {
    const warnings: IdleWarning[] = [];
    const h = await harness(context, { onWarning: (warning) => void warnings.push(warning) });
    h.api.rooms.set('tw', [{ identity: 'ann' }]);
    for (const [event, identity] of [
      ['participant-connected', 'ann'],
      ['participant-connected', 'bob'],
      ['participant-disconnected', 'bob'],
    ] as const) {
      expect((await post(h.url, '/webhooks/twilio', twilioWebhook(h.twilioUrl, event, 'tw', identity))).status).toBe(
        200,
      );
    }
    const deadline = await h.server.idleDeadline('tw', 'ann');
    const completed = await h.api.waitFor((c) => c.method === 'POST room');
    expect(completed.body).toMatchObject({ room: 'RM_tw', Status: 'completed' });
    expect(completed.at - deadline!).toBeLessThan(400);
    expect(warnings).toEqual([{ type: 'idle.warning', room: 'tw', identity: 'ann', secondsLeft: 1, deadline }]);
    expect(h.logged('warning')).toEqual([expect.objectContaining({ room: 'tw', identity: 'ann', delivered: false })]);
    expect(h.api.calls.map((c) => c.method)).toEqual(['GET participants', 'POST room']);
    expect(h.api.calls[0]!.body.query).toContain('Status=connected');
    await post(h.url, '/webhooks/twilio', twilioWebhook(h.twilioUrl, 'room-ended', 'tw'));
    expect(await h.server.sessionCount()).toBe(0);
  });

  it('disconnects only the participant with onTimeout remove-participant', async (context) => {
    const h = await harness(context, { onTimeout: 'remove-participant', warning: 0 });
    h.api.rooms.set('tw', [{ identity: 'ann' }]);
    await post(h.url, '/webhooks/twilio', twilioWebhook(h.twilioUrl, 'participant-connected', 'tw', 'ann'));
    const removed = await h.api.waitFor((c) => c.method === 'POST participant');
    expect(removed.body).toMatchObject({ room: 'RM_tw', participant: 'PA_ann', Status: 'disconnected' });
  });

  it('refuses unsigned, tampered, wrongly keyed and other-URL callbacks with 401 and changes nothing; a replayed SequenceNumber is 200 and changes nothing', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    const good = twilioWebhook(h.twilioUrl, 'participant-connected', 'r', 'ann', { sequence: 7 });
    const refused = [
      { body: good.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { body: good.body.replace('ann', 'eve'), headers: good.headers },
      twilioWebhook(h.twilioUrl, 'participant-connected', 'r', 'bob', { authToken: 'another-token' }),
      twilioWebhook('https://elsewhere.example.com/webhooks/twilio', 'participant-connected', 'r', 'bob'),
    ];
    for (const request of refused) expect((await post(h.url, '/webhooks/twilio', request)).status).toBe(401);
    expect(await h.server.sessionCount()).toBe(0);
    expect((await post(h.url, '/webhooks/twilio', good)).json).toEqual({ ok: true, applied: true });
    expect((await post(h.url, '/webhooks/twilio', good)).json).toMatchObject({ replay: true });
    expect(await h.server.sessionCount()).toBe(1);
    // An older callback (by Timestamp) than the last applied to ann is ignored.
    const older = twilioWebhook(h.twilioUrl, 'participant-disconnected', 'r', 'ann', {
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await post(h.url, '/webhooks/twilio', older)).json).toEqual({ ok: true, applied: false });
    expect(await h.server.sessionCount()).toBe(1);
  });

  it('stays with the participant’s access token (the API key secret signs it; identity and room grant match); others are 401', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    await post(h.url, '/webhooks/twilio', twilioWebhook(h.twilioUrl, 'participant-connected', 'r', 'ann'));
    const before = await h.server.idleDeadline('r', 'ann');
    const extend = (token: string) =>
      post(h.url, '/extend', { body: '{"room":"r","identity":"ann"}', headers: { authorization: `Bearer ${token}` } });
    for (const token of [
      twilioParticipantToken('r', 'bob'),
      twilioParticipantToken('other', 'ann'),
      twilioParticipantToken('r', 'ann', 'another-secret'),
    ]) {
      expect((await extend(token)).status).toBe(401);
    }
    expect(await h.server.idleDeadline('r', 'ann')).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const answer = await extend(twilioParticipantToken('r', 'ann'));
    expect(answer.status).toBe(200);
    expect(answer.json.deadline).toBeGreaterThan(before!);
  });
});
