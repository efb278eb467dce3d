/** A session server on loopback against a provider stand-in, with its log lines kept. */
import {
  createSessionServer,
  startSessionServer,
  type LogLine,
  type SessionServerOptions,
} from 'call-session-machine/server';
import {
  DAILY_KEY,
  DAILY_SECRET,
  LIVEKIT_KEY,
  LIVEKIT_SECRET,
  startDailyStandIn,
  startLiveKitStandIn,
  startTwilioStandIn,
  TWILIO_ACCOUNT,
  TWILIO_API_KEY,
  TWILIO_API_SECRET,
  TWILIO_TOKEN,
} from '../support/serverStandIns.js';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(
  provider: 'livekit' | 'daily' | 'twilio',
  options: Partial<SessionServerOptions> = {},
) {
  const api =
    provider === 'livekit'
      ? await startLiveKitStandIn()
      : provider === 'daily'
        ? await startDailyStandIn()
        : await startTwilioStandIn();
  const log: LogLine[] = [];
  // Twilio signs the public URL, known before the port: a fixed public name stands in.
  const twilioUrl = 'https://calls.example.com/webhooks/twilio';
  const server = createSessionServer({
    provider,
    idle: 2,
    warning: 1,
    ...(provider === 'livekit' ? { livekit: { apiKey: LIVEKIT_KEY, apiSecret: LIVEKIT_SECRET, url: api.url } } : {}),
    ...(provider === 'daily' ? { daily: { apiKey: DAILY_KEY, webhookSecret: DAILY_SECRET, apiUrl: api.url } } : {}),
    ...(provider === 'twilio'
      ? {
          twilio: {
            accountSid: TWILIO_ACCOUNT,
            authToken: TWILIO_TOKEN,
            webhookUrl: twilioUrl,
            apiKey: TWILIO_API_KEY,
            apiSecret: TWILIO_API_SECRET,
            apiUrl: api.url,
          },
        }
      : {}),
    log: (line) => log.push(line),
    ...options,
  });
  const running = await startSessionServer(server, { port: 0 });
  return {
    api,
    server,
    url: running.url,
    log,
    twilioUrl,
    logged: (event: string) => log.filter((line) => line.event === event),
    async close() {
      await running.close();
      await api.close();
    },
  };
}
