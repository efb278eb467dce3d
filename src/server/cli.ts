/**
 * `call-session-machine serve`: parses the flags of SPEC §12, reads the secrets from the
 * environment, starts the server and runs until SIGTERM or Ctrl-C, which drain it.
 */
import { parseArgs } from 'node:util';
import { SessionSettingsBuilder } from '../index.js';
import { fromEnvironment, MissingSettingError } from './environment.js';
import { startSessionServer } from './listen.js';
import { createSessionServer, DEFAULT_COUNTED_KINDS, type SessionServerOptions } from './server.js';
import type { ProviderName, TimeoutAction } from './types.js';

/** What `serve` exits with. */
export const SERVE_EXIT = {
  /** Stopped by SIGTERM or Ctrl-C, after draining. */
  ok: 0,
  /** A bad flag, or a secret or endpoint missing from the environment (named in the message). */
  badInput: 1,
  /** The port is in use, or not allowed. */
  cannotListen: 2,
  /** `--redis` needs the optional peers bullmq and ioredis, or Redis cannot be reached. */
  redisUnavailable: 3,
} as const;

export const SERVE_USAGE = `Usage:
  call-session-machine serve --provider livekit|daily|twilio [--host 127.0.0.1] [--port 8080]
      [--idle 300] [--warning 60] [--on-timeout delete-room|remove-participant]
      [--count-kinds STANDARD,SIP,AGENT] [--redis URL]

  Ends calls in which someone is left alone: takes the provider's webhooks, runs one idle
  countdown per participant who has nobody else counted in the room, warns them (LiveKit
  SendData, Daily send-app-message; Twilio: the log) --warning seconds before the end,
  re-reads the room from the provider at the deadline and, if they are still alone,
  deletes the room (or removes them).

  Endpoints: POST /webhooks/<provider>, POST /extend (stay), GET /healthz

  --provider P        livekit, daily or twilio (required)
  --host H            the address to listen on; default 127.0.0.1 (loopback only)
  --port N            default 8080; 0 picks a free port
  --idle S            seconds alone before the end; default 300
  --warning S         seconds before the end that the warning goes; default 60; 0: none
  --on-timeout A      delete-room (default) or remove-participant
  --count-kinds K,…   LiveKit participant kinds that count as company;
                      default STANDARD,SIP,AGENT (EGRESS and INGRESS do not)
  --redis URL         keep sessions and deadlines in Redis (call-session-machine/durable):
                      several processes share them; needs bullmq and ioredis

  Environment (secrets and endpoints, never flags; never logged):
    livekit  LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL (http(s)://, the API base)
    daily    DAILY_API_KEY, DAILY_WEBHOOK_SECRET, DAILY_API_URL (default https://api.daily.co/v1)
    twilio   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WEBHOOK_URL (the public URL of
             /webhooks/twilio that Twilio signs), TWILIO_API_KEY and TWILIO_API_SECRET
             (they sign the access tokens /extend checks), TWILIO_API_URL (default
             https://video.twilio.com)

  The first line on stdout is "listening http://HOST:PORT"; then one JSON line per
  warning, action and refused request. SIGTERM drains and exits 0.

Exit codes:
  0  stopped by SIGTERM or Ctrl-C
  1  bad input: an unknown or malformed flag, a missing environment variable (named)
  2  cannot listen: the port is in use, or not allowed
  3  --redis: bullmq/ioredis not installed, or Redis not reachable
`;

export interface ServeIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

class ServeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new ServeError(`--${flag} must be a whole number from 0 to ${max}; got ${value}`, SERVE_EXIT.badInput);
  }
  return Number(value);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Parses the flags into the server's options, without the environment. */
export function parseServeArgs(argv: readonly string[]): {
  options: Omit<SessionServerOptions, 'livekit' | 'daily' | 'twilio'>;
  host: string;
  port: number;
  redis?: string;
} {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        provider: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        idle: { type: 'string' },
        warning: { type: 'string' },
        'on-timeout': { type: 'string' },
        'count-kinds': { type: 'string' },
        redis: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ServeError(`${(error as Error).message}\n\n${SERVE_USAGE}`, SERVE_EXIT.badInput);
  }
  const provider = values.provider;
  if (provider !== 'livekit' && provider !== 'daily' && provider !== 'twilio') {
    throw new ServeError(
      `--provider livekit|daily|twilio is needed${provider === undefined ? '' : `; got ${provider}`}\n\n${SERVE_USAGE}`,
      SERVE_EXIT.badInput,
    );
  }
  const idle = wholeNumber('idle', values.idle, 300, 2_147_483);
  const warning = wholeNumber('warning', values.warning, 60, 2_147_483);
  if (idle === 0) throw new ServeError('--idle must be at least 1 (seconds)', SERVE_EXIT.badInput);
  if (warning >= idle) {
    throw new ServeError(`--warning (${warning}) must be shorter than --idle (${idle})`, SERVE_EXIT.badInput);
  }
  const onTimeout = values['on-timeout'] ?? 'delete-room';
  if (onTimeout !== 'delete-room' && onTimeout !== 'remove-participant') {
    throw new ServeError(
      `--on-timeout must be delete-room or remove-participant; got ${onTimeout}`,
      SERVE_EXIT.badInput,
    );
  }
  const kinds = values['count-kinds']?.split(',').map((kind) => kind.trim().toUpperCase()) ?? [
    ...DEFAULT_COUNTED_KINDS,
  ];
  if (kinds.some((kind) => !/^[A-Z_]+$/.test(kind))) {
    throw new ServeError(
      `--count-kinds takes kinds such as STANDARD,SIP,AGENT; got ${values['count-kinds']}`,
      SERVE_EXIT.badInput,
    );
  }
  if (values.redis !== undefined && !/^rediss?:\/\//.test(values.redis)) {
    throw new ServeError('--redis takes a redis:// or rediss:// URL', SERVE_EXIT.badInput);
  }
  return {
    options: {
      provider: provider as ProviderName,
      idle,
      warning,
      onTimeout: onTimeout as TimeoutAction,
      countedKinds: kinds,
    },
    host: values.host ?? '127.0.0.1',
    port: wholeNumber('port', values.port, 8080, 65_535),
    ...(values.redis !== undefined ? { redis: values.redis } : {}),
  };
}

/** Runs `serve` with `argv` (the words after `serve`); resolves with the exit code once stopped. */
export async function runServe(
  argv: readonly string[],
  io: ServeIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  stopped: () => Promise<void> = untilSignal,
): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(SERVE_USAGE);
      return SERVE_EXIT.ok;
    }
    const { options, host, port, redis } = parseServeArgs(argv);
    let credentials;
    try {
      credentials = fromEnvironment(options.provider, io.env ?? process.env);
    } catch (error) {
      throw new ServeError(`${(error as Error).message}`, SERVE_EXIT.badInput);
    }
    const log = (line: Record<string, unknown>) =>
      io.out(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
    const store =
      redis === undefined ? undefined : await redisStoreFor(redis, options.provider, options.idle!, options.warning!);
    const server = createSessionServer({
      ...options,
      ...credentials,
      log: log as SessionServerOptions['log'] & object,
      ...(store ? { store: store.factory } : {}),
    });
    let running;
    try {
      running = await startSessionServer(server, { host, port });
    } catch (error) {
      await server.close();
      await store?.quit();
      const code = (error as NodeJS.ErrnoException).code;
      throw new ServeError(
        `cannot listen on ${host}:${port} (${code ?? (error as Error).message})`,
        SERVE_EXIT.cannotListen,
      );
    }
    io.out(`listening ${running.url}\n`);
    log({
      event: 'started',
      provider: options.provider,
      idle: options.idle,
      warning: options.warning,
      onTimeout: options.onTimeout,
      redis: redis !== undefined,
    });
    await stopped();
    log({ event: 'draining' });
    await running.close();
    await store?.quit();
    log({ event: 'stopped' });
    return SERVE_EXIT.ok;
  } catch (error) {
    if (error instanceof ServeError) {
      io.err(`call-session-machine serve: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof MissingSettingError) {
      io.err(`call-session-machine serve: ${error.message}\n`);
      return SERVE_EXIT.badInput;
    }
    io.err(`call-session-machine serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return SERVE_EXIT.badInput;
  }
}

/** The Redis store, loaded only for `--redis` (its peers are optional). */
async function redisStoreFor(
  url: string,
  provider: ProviderName,
  idle: number,
  warning: number,
): Promise<{ factory: NonNullable<SessionServerOptions['store']>; quit(): Promise<void> }> {
  try {
    const { connectRedisStore } = await import('./redisStore.js');
    const settings = new SessionSettingsBuilder()
      .setIdleTimeoutPeriod(idle)
      .setIdleWarningPeriod(warning)
      .setReconnectTimeoutPeriod(0)
      .build();
    // ioredis retries forever: an unreachable Redis is an error after a while, not a hang.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${new URL(url).host} did not answer within 10 s`)), 10_000);
    });
    try {
      return await Promise.race([connectRedisStore(url, provider, settings), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    throw new ServeError(
      `--redis: ${(error as Error).message}\n(--redis needs the optional peers: npm install bullmq ioredis)`,
      SERVE_EXIT.redisUnavailable,
    );
  }
}
