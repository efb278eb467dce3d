/**
 * The server that ends calls in which someone is left alone (SPEC §12), as a library:
 * the same handler `call-session-machine serve` runs, for LiveKit, Daily and Twilio.
 * Mount `server.listener` in any `node:http` server, or give `server.handle` a request
 * whose raw body is read; replace the warning and the end with `onWarning` / `onEnd`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createSessionServer, fromEnvironment } from 'call-session-machine/server';
 *
 * const server = createSessionServer({ ...fromEnvironment('livekit'), idle: 300, warning: 60 });
 * createServer(server.listener).listen(8080, '127.0.0.1');
 * ```
 *
 * @module call-session-machine/server
 */
export {
  createSessionServer,
  SessionServer,
  MAX_BODY_BYTES,
  DEFAULT_COUNTED_KINDS,
  type DefaultAction,
  type LogLine,
  type ServerAnswer,
  type SessionServerOptions,
} from './server.js';
export { fromEnvironment, MissingSettingError, type ProviderCredentials } from './environment.js';
export { startSessionServer, type RunningSessionServer, type StartOptions } from './listen.js';
export { WARNING_TOPIC, type LiveKitCredentials } from './providers/livekit.js';
export { DAILY_API_URL, type DailyCredentials } from './providers/daily.js';
export { TWILIO_API_URL, type TwilioCredentials } from './providers/twilio.js';
export { ProviderApiError, type ApiResponse, type FetchLike } from './rest.js';
export type { IdleEnd, IdleWarning, ProviderName, RawRequest, RoomMember, TimeoutAction } from './types.js';
