/**
 * Bad input at the webhook endpoint (SPEC §12): unsigned or tampered (401, nothing
 * changes), a replayed event id (200, nothing changes), malformed JSON (400), a body
 * over 1 MiB (413), an event older than the last applied to that participant (ignored),
 * and input of any shape never takes the server down. Signed with livekit-server-sdk.
 */
import { request as httpRequest } from 'node:http';
import { AccessToken } from 'livekit-server-sdk';
import { createHash } from 'node:crypto';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  LIVEKIT_KEY,
  LIVEKIT_SECRET,
  liveKitParticipantToken,
  liveKitWebhook,
  post,
} from '../support/serverStandIns.js';
import { startHarness, type Harness } from './harness.js';

async function harness(context: TestContext): Promise<Harness> {
  const h = await startHarness('livekit', { idle: 60, warning: 10 });
  context.onTestFinished(() => h.close());
  return h;
}

/** A signed token for `body`, from the SDK, with `sha256` as given. */
async function tokenFor(body: string, options: { secret?: string; ttl?: number | string; sha256?: string } = {}) {
  const token = new AccessToken(
    LIVEKIT_KEY,
    options.secret ?? LIVEKIT_SECRET,
    options.ttl === undefined ? {} : { ttl: options.ttl },
  );
  token.sha256 = options.sha256 ?? createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

const joined = (room: string, identity: string, extra: { id?: string; createdAt?: number } = {}) =>
  liveKitWebhook({ event: 'participant_joined', room, identity, ...extra });

/** Everything a refused request must leave as it was. */
async function stateOf(h: Harness) {
  return {
    sessions: await h.server.sessionCount(),
    ann: await h.server.idleDeadline('r', 'ann'),
    calls: h.api.calls.length,
  };
}

describe.concurrent('LiveKit webhooks: bad input', () => {
  it('refuses an unsigned webhook with 401, and nothing changes', async (context) => {
    const h = await harness(context);
    await post(h.url, '/webhooks/livekit', await joined('r', 'ann'));
    const before = await stateOf(h);
    const { body } = await joined('r', 'bob');
    const answer = await post(h.url, '/webhooks/livekit', {
      body,
      headers: { 'content-type': 'application/webhook+json' },
    });
    expect(answer.status).toBe(401);
    expect(await stateOf(h)).toEqual(before);
    expect(h.logged('refused')).toEqual([expect.objectContaining({ status: 401, path: '/webhooks/livekit' })]);
  });

  it('refuses a tampered body, another secret, an expired token and alg none with 401, and nothing changes', async (context) => {
    const h = await harness(context);
    await post(h.url, '/webhooks/livekit', await joined('r', 'ann'));
    const before = await stateOf(h);
    const signed = await joined('r', 'bob');
    const tampered = signed.body.replace('"bob"', '"eve"');
    const header = (claims: object) =>
      [
        Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
        Buffer.from(JSON.stringify(claims)).toString('base64url'),
        '',
      ].join('.');
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, string][] = [
      ['tampered body', tampered, signed.headers.authorization!],
      [
        'another secret',
        signed.body,
        await tokenFor(signed.body, { secret: 'not-the-secret-not-the-secret-0123456789' }),
      ],
      ['expired', signed.body, await tokenFor(signed.body, { ttl: -60 })],
      [
        'sha256 of another body',
        signed.body,
        await tokenFor(signed.body, { sha256: createHash('sha256').update('x').digest('base64') }),
      ],
      [
        'alg none',
        signed.body,
        header({ iss: LIVEKIT_KEY, exp: now + 600, sha256: createHash('sha256').update(signed.body).digest('base64') }),
      ],
      ['not a JWT', signed.body, 'Bearer garbage'],
      // A participant's access token is signed with the same secret but has no sha256 claim.
      ['a participant token', signed.body, await liveKitParticipantToken('r', 'bob')],
    ];
    for (const [what, body, authorization] of cases) {
      const answer = await post(h.url, '/webhooks/livekit', { body, headers: { authorization } });
      expect(answer.status, what).toBe(401);
    }
    expect(await stateOf(h)).toEqual(before);
    expect(h.logged('refused')).toHaveLength(cases.length);
  });

  it('answers a replayed event id with 200 and changes nothing', async (context) => {
    const h = await harness(context);
    const first = await joined('r', 'ann', { id: 'EV_same' });
    expect((await post(h.url, '/webhooks/livekit', first)).json).toEqual({ ok: true, applied: true });
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_left', room: 'r', identity: 'ann' }),
    );
    const before = await stateOf(h);
    expect(before.sessions).toBe(0);
    // The same delivery again (LiveKit retries), and a new signature over the same event id.
    const again = await post(h.url, '/webhooks/livekit', first);
    expect(again).toEqual({ status: 200, json: { ok: true, applied: false, replay: true } });
    const resigned = await post(h.url, '/webhooks/livekit', await joined('r', 'ann', { id: 'EV_same' }));
    expect(resigned.json).toMatchObject({ replay: true });
    expect(await stateOf(h)).toEqual(before);
  });

  it('answers malformed JSON and a signed body that is not an event with 400, and nothing changes', async (context) => {
    const h = await harness(context);
    await post(h.url, '/webhooks/livekit', await joined('r', 'ann'));
    const before = await stateOf(h);
    for (const body of [
      '{"event": "participant_joined", ',
      '[]',
      'null',
      '{"event": 5}',
      '{"event":"participant_joined","room":{"name":"r"}}',
      '{"event":"participant_left","room":{},"participant":{"identity":"ann"}}',
    ]) {
      const answer = await post(h.url, '/webhooks/livekit', { body, headers: { authorization: await tokenFor(body) } });
      expect(answer.status, body).toBe(400);
      expect(answer.json.ok).toBe(false);
    }
    expect(await stateOf(h)).toEqual(before);
  });

  it('answers a body over 1 MiB with 413, declared or streamed, and keeps serving', async (context) => {
    const h = await harness(context);
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const declared = await post(h.url, '/webhooks/livekit', {
      body: big,
      headers: { authorization: await tokenFor(big.toString()) },
    });
    expect(declared.status).toBe(413);
    // Chunked, with no Content-Length: the limit holds while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(h.url);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/webhooks/livekit',
          headers: { 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 1100 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed).toBe(413);
    // Exactly 1 MiB is read.
    const limit = Buffer.alloc(1024 * 1024, 0x20);
    expect(
      (
        await post(h.url, '/webhooks/livekit', {
          body: limit,
          headers: { authorization: await tokenFor(limit.toString()) },
        })
      ).status,
    ).toBe(400);
    expect((await post(h.url, '/webhooks/livekit', await joined('r', 'ann'))).status).toBe(200);
    expect(await h.server.sessionCount()).toBe(1);
  });

  it('ignores an event older than the last one applied to that participant', async (context) => {
    const h = await harness(context);
    const t = Math.floor(Date.now() / 1000);
    await post(h.url, '/webhooks/livekit', await joined('r', 'ann', { createdAt: t }));
    await post(h.url, '/webhooks/livekit', await joined('r', 'bob', { createdAt: t }));
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_left', room: 'r', identity: 'bob', createdAt: t + 5 }),
    );
    const before = await stateOf(h);
    expect(before.ann).not.toBeNull();
    // A late retry of bob's join, from before he left: ann stays alone.
    const late = await post(h.url, '/webhooks/livekit', await joined('r', 'bob', { createdAt: t + 1 }));
    expect(late.json).toEqual({ ok: true, applied: false });
    expect(await stateOf(h)).toEqual(before);
    // A leave from before ann's join does not remove her.
    const early = await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_left', room: 'r', identity: 'ann', createdAt: t - 1 }),
    );
    expect(early.json).toEqual({ ok: true, applied: false });
    expect(await stateOf(h)).toEqual(before);
    // Events from before a room_finished are ignored too.
    await post(
      h.url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'room_finished', room: 'r', createdAt: t + 10 }),
    );
    expect((await post(h.url, '/webhooks/livekit', await joined('r', 'cy', { createdAt: t + 9 }))).json.applied).toBe(
      false,
    );
    expect(await h.server.sessionCount()).toBe(0);
  });

  it('answers any signed input, other paths and other methods without crashing', async (context) => {
    const h = await harness(context);
    const shapes = [
      '{}',
      '""',
      '1e999',
      '{"event":"participant_joined","room":{"name":"r"},"participant":{"identity":""}}',
      '{"event":"participant_joined","room":{"name":"r"},"participant":{"identity":"a","kind":99}}',
      '{"event":"participant_joined","room":{"name":"r"},"participant":{"identity":"b","kind":{"x":1}},"createdAt":"soon"}',
      '{"event":"room_finished","room":{"name":["r"]}}',
      '{"event":"track_published","room":{"name":"r"}}',
      '{"__proto__":{"polluted":1},"event":"participant_joined","room":{"name":"__proto__"},"participant":{"identity":"constructor"}}',
      '\u0000\uffff',
      '{"event":"egress_started"}',
    ];
    for (const body of shapes) {
      const answer = await post(h.url, '/webhooks/livekit', { body, headers: { authorization: await tokenFor(body) } });
      expect([200, 400], body).toContain(answer.status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await post(h.url, '/webhooks/daily', { body: '{}' })).status).toBe(404);
    expect((await post(h.url, '/nowhere', { body: '{}' })).status).toBe(404);
    expect((await fetch(`${h.url}/webhooks/livekit`)).status).toBe(405);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, provider: 'livekit' });
  });

  it('never writes a secret or a token into its log', async (context) => {
    const h = await harness(context);
    const signed = await joined('r', 'ann');
    await post(h.url, '/webhooks/livekit', signed);
    await post(h.url, '/webhooks/livekit', {
      body: signed.body,
      headers: { authorization: `${signed.headers.authorization}x` },
    });
    const token = await liveKitParticipantToken('r', 'ann');
    await post(h.url, '/extend', {
      body: '{"room":"r","identity":"ann"}',
      headers: { authorization: `Bearer ${token}x` },
    });
    const text = JSON.stringify(h.log);
    expect(h.log.length).toBeGreaterThanOrEqual(2);
    for (const secret of [LIVEKIT_SECRET, signed.headers.authorization!, token, token.split('.')[2]!])
      expect(text).not.toContain(secret);
  });
});
