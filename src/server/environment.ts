/** The server's secrets and endpoints, from the environment only (SPEC §12: never from flags, never logged). */
import type { DailyCredentials } from './providers/daily.js';
import type { LiveKitCredentials } from './providers/livekit.js';
import type { TwilioCredentials } from './providers/twilio.js';
import type { ProviderName } from './types.js';

/** The environment variables each provider needs; `?` marks an optional one. */
export const ENVIRONMENT: Readonly<Record<ProviderName, readonly string[]>> = Object.freeze({
  livekit: ['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'LIVEKIT_URL'],
  daily: ['DAILY_API_KEY', 'DAILY_WEBHOOK_SECRET', 'DAILY_API_URL?'],
  twilio: [
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'TWILIO_WEBHOOK_URL',
    'TWILIO_API_KEY',
    'TWILIO_API_SECRET',
    'TWILIO_API_URL?',
  ],
});

/** A variable the provider needs is not set; `names` lists every one missing. */
export class MissingSettingError extends Error {
  /** `MissingSettingError`. */
  override readonly name = 'MissingSettingError';
  constructor(
    /** Every variable missing. */
    readonly names: readonly string[],
  ) {
    super(
      `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not set (the environment holds the secrets and endpoints)`,
    );
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** A provider's credentials, as `createSessionServer` takes them. */
export interface ProviderCredentials {
  /** The provider they are for. */
  provider: ProviderName;
  /** With `provider: 'livekit'`. */
  livekit?: LiveKitCredentials;
  /** With `provider: 'daily'`. */
  daily?: DailyCredentials;
  /** With `provider: 'twilio'`. */
  twilio?: TwilioCredentials;
}

function read(provider: ProviderName, env: Env): Record<string, string> {
  const missing: string[] = [];
  const values: Record<string, string> = {};
  for (const entry of ENVIRONMENT[provider]) {
    const optional = entry.endsWith('?');
    const name = optional ? entry.slice(0, -1) : entry;
    const value = env[name];
    if (value !== undefined && value !== '') values[name] = value;
    else if (!optional) missing.push(name);
  }
  if (missing.length) throw new MissingSettingError(missing);
  return values;
}

function checkUrl(name: string, value: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be a URL (${schemes.join(' or ')}); got something that is not one`);
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) {
    throw new TypeError(`${name} must be a ${schemes.join(' or ')} URL; got ${url.protocol}`);
  }
  return value;
}

/**
 * The provider's credentials from the environment (default `process.env`), as
 * `createSessionServer` takes them. Throws `MissingSettingError` naming each missing
 * variable, or a `TypeError` for a malformed URL; the message never holds a value.
 */
export function fromEnvironment(
  provider: ProviderName,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProviderCredentials {
  if (!Object.hasOwn(ENVIRONMENT, provider)) {
    throw new TypeError(`provider must be livekit, daily or twilio; got ${JSON.stringify(provider)}`);
  }
  const v = read(provider, env);
  if (provider === 'livekit') {
    return {
      provider,
      livekit: {
        apiKey: v.LIVEKIT_API_KEY!,
        apiSecret: v.LIVEKIT_API_SECRET!,
        url: checkUrl('LIVEKIT_URL', v.LIVEKIT_URL!, ['http', 'https', 'ws', 'wss']),
      },
    };
  }
  if (provider === 'daily') {
    return {
      provider,
      daily: {
        apiKey: v.DAILY_API_KEY!,
        webhookSecret: v.DAILY_WEBHOOK_SECRET!,
        ...(v.DAILY_API_URL ? { apiUrl: checkUrl('DAILY_API_URL', v.DAILY_API_URL, ['http', 'https']) } : {}),
      },
    };
  }
  return {
    provider,
    twilio: {
      accountSid: v.TWILIO_ACCOUNT_SID!,
      authToken: v.TWILIO_AUTH_TOKEN!,
      webhookUrl: checkUrl('TWILIO_WEBHOOK_URL', v.TWILIO_WEBHOOK_URL!, ['http', 'https']),
      apiKey: v.TWILIO_API_KEY!,
      apiSecret: v.TWILIO_API_SECRET!,
      ...(v.TWILIO_API_URL ? { apiUrl: checkUrl('TWILIO_API_URL', v.TWILIO_API_URL, ['http', 'https']) } : {}),
    },
  };
}
