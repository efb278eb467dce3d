/**
 * Stay (`POST /extend`, SPEC §12) on LiveKit: the participant's own access token, minted
 * by livekit-server-sdk and checked with the API secret, restarts the countdown (200);
 * a token for anyone or anywhere else is 401; no countdown running is 404.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { liveKitParticipantToken, liveKitWebhook, post, sentData } from '../support/serverStandIns.js';
import { startHarness, type Harness } from './harness.js';

async function harness(context: TestContext, options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness('livekit', options);
  context.onTestFinished(() => h.close());
  return h;
}

const stay = (h: Harness, token: string, body: unknown = { room: 'r', identity: 'ann' }) =>
  post(h.url, '/extend', {
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

describe.concurrent('Stay: POST /extend', () => {
  it('restarts the countdown for the participant’s own token after the warning; the call is not ended at the old deadline and warns afresh', async (context) => {
    const h = await harness(context);
    h.api.rooms.set('r', [{ identity: 'ann' }]);
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    const first = await h.server.idleDeadline('r', 'ann');
    const warning = await h.api.waitFor((c) => c.method === 'SendData');
    expect(sentData(warning).deadline).toBe(first);
    const answer = await stay(h, await liveKitParticipantToken('r', 'ann'));
    const stayedAt = Date.now();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ok: true, room: 'r', identity: 'ann' });
    const deadline = answer.json.deadline as number;
    expect(deadline).toBeGreaterThan(first!);
    expect(deadline).toBeGreaterThanOrEqual(stayedAt - 100 + 2000);
    expect(await h.server.idleDeadline('r', 'ann')).toBe(deadline);
    // Past the old deadline: nothing ended.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, first! - Date.now() + 200)));
    expect(h.api.calls.filter((c) => c.method === 'DeleteRoom')).toHaveLength(0);
    const second = await h.api.waitFor((c) => c.method === 'SendData' && c !== warning);
    expect(sentData(second).deadline).toBe(deadline);
    await h.api.waitFor((c) => c.method === 'DeleteRoom');
    expect(h.logged('stay')).toEqual([expect.objectContaining({ room: 'r', identity: 'ann', deadline })]);
  });

  it('refuses with 401 a token of another identity, another room, another secret, an expired one, one that does not join, and no token; nothing changes', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    const before = await h.server.idleDeadline('r', 'ann');
    const tokens: [string, string][] = [
      ['another identity', await liveKitParticipantToken('r', 'bob')],
      ['another room', await liveKitParticipantToken('other', 'ann')],
      [
        'another secret',
        await liveKitParticipantToken('r', 'ann', { secret: 'another-secret-another-secret-0123456789' }),
      ],
      ['another key', await liveKitParticipantToken('r', 'ann', { key: 'APIother' })],
      ['expired', await liveKitParticipantToken('r', 'ann', { ttl: -60 })],
      ['no roomJoin', await liveKitParticipantToken('r', 'ann', { roomJoin: false })],
      ['tampered', (await liveKitParticipantToken('r', 'ann')).slice(0, -2) + 'AA'],
    ];
    for (const [what, token] of tokens) expect((await stay(h, token)).status, what).toBe(401);
    const none = await post(h.url, '/extend', { body: '{"room":"r","identity":"ann"}' });
    expect(none.status).toBe(401);
    expect(await h.server.idleDeadline('r', 'ann')).toBe(before);
  });

  it('answers 404 when that participant has no countdown running, and 400 for a malformed body', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'bob' }),
    );
    // In company: no countdown.
    expect((await stay(h, await liveKitParticipantToken('r', 'ann'))).status).toBe(404);
    // Unknown to the server.
    expect((await stay(h, await liveKitParticipantToken('r', 'cy'), { room: 'r', identity: 'cy' })).status).toBe(404);
    const token = await liveKitParticipantToken('r', 'ann');
    for (const body of ['not json', '[]', '{"room":"r"}', '{"room":1,"identity":"ann"}']) {
      const answer = await post(h.url, '/extend', { body, headers: { authorization: `Bearer ${token}` } });
      expect(answer.status, body).toBe(400);
    }
  });
});

describe('Stay from a web page', () => {
  it('answers the browser’s preflight and lets any origin read the answer (the token is the only authority)', async (context) => {
    const h = await harness(context, { idle: 60, warning: 10 });
    const preflight = await fetch(`${h.url}/extend`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await fetch(`${h.url}/extend`, {
      method: 'POST',
      headers: { origin: 'https://app.example' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });
});
