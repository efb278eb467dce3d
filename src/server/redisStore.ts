/** The server's state on Redis, through call-session-machine/durable (SPEC §11). */
import type { SessionServerOptions } from './server.js';
import type { ProviderName } from './types.js';

export async function connectRedisStore(
  _url: string,
  _provider: ProviderName,
): Promise<{ factory: NonNullable<SessionServerOptions['store']>; quit(): Promise<void> }> {
  throw new Error('the durable runtime is not in this build yet');
}
