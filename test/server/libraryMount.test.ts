/**
 * The server as a library: its `listener` mounted in an existing node:http server, with a
 * body a framework already read (express.raw gives a Buffer; express.json an object, which
 * is refused since the signature covers the exact bytes), and `handle` for a request read
 * elsewhere.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionServer, fromEnvironment, MissingSettingError } from 'call-session-machine/server';
import { describe, expect, it } from 'vitest';
import { LIVEKIT_KEY, LIVEKIT_SECRET, liveKitWebhook, post } from '../support/serverStandIns.js';

const env = { LIVEKIT_API_KEY: LIVEKIT_KEY, LIVEKIT_API_SECRET: LIVEKIT_SECRET, LIVEKIT_URL: 'http://127.0.0.1:9' };

describe('call-session-machine/server as a library', () => {
  it('serves inside an existing server, with the raw body a framework read first; a parsed body is 400', async (context) => {
    const sessions = createSessionServer({ ...fromEnvironment('livekit', env), idle: 60, warning: 10, log: () => {} });
    let parse = false;
    const http = createServer((request: IncomingMessage & { body?: unknown }, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        request.body = parse ? JSON.parse(raw.toString()) : raw;
        sessions.listener(request, response);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    context.onTestFinished(async () => {
      await sessions.close();
      await new Promise((resolve) => http.close(resolve));
    });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const answer = await post(
      url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
    );
    expect(answer).toEqual({ status: 200, json: { ok: true, applied: true } });
    expect(await sessions.idleDeadline('r', 'ann')).not.toBeNull();
    parse = true;
    const parsed = await post(
      url,
      '/webhooks/livekit',
      await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'bob' }),
    );
    expect(parsed.status).toBe(400);
    expect(parsed.json.error).toMatch(/raw body/);
    expect(await sessions.sessionCount()).toBe(1);
  });

  it('answers a request read elsewhere through handle, and names every missing variable', async () => {
    const sessions = createSessionServer({ ...fromEnvironment('livekit', env), log: () => {} });
    const signed = await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' });
    const answer = await sessions.handle({
      method: 'POST',
      url: '/webhooks/livekit',
      headers: signed.headers,
      body: Buffer.from(signed.body),
    });
    expect(answer).toEqual({ status: 200, body: { ok: true, applied: true } });
    expect(sessions.provider).toBe('livekit');
    await sessions.close();
    expect(() => fromEnvironment('twilio', { TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(MissingSettingError);
    expect(() => fromEnvironment('twilio', { TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(
      'TWILIO_AUTH_TOKEN, TWILIO_WEBHOOK_URL, TWILIO_API_KEY, TWILIO_API_SECRET are not set',
    );
    expect(() => fromEnvironment('livekit', { ...env, LIVEKIT_URL: 'not a url' })).toThrow(/LIVEKIT_URL must be a URL/);
  });
});
