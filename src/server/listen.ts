/** The server on its own `node:http` server: listen, and drain on close. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionServer } from './server.js';

/** Where `startSessionServer` listens. */
export interface StartOptions {
  /** Default 127.0.0.1: nothing listens on other interfaces unless told to. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
}

/** A server listening, from `startSessionServer`. */
export interface RunningSessionServer {
  /** `http://HOST:PORT`, the port the system gave for 0. */
  readonly url: string;
  /** The `node:http` server. */
  readonly http: Server;
  /** Stops taking connections, lets the requests and provider calls under way finish, then stops the timers. */
  close(): Promise<void>;
}

/** Listens; rejects with the system's error (EADDRINUSE, EACCES) when it cannot. */
export function startSessionServer(server: SessionServer, options: StartOptions = {}): Promise<RunningSessionServer> {
  const host = options.host ?? '127.0.0.1';
  // Idle connections are kept longer than the usual load balancer's 60 s (and Go's
  // webhook client reuses them): a server closing first races the next request on it.
  const http = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, server.listener);
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8080, host, () => {
      http.off('error', reject);
      const { port } = http.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${shown}:${port}`,
        http,
        close: () =>
          (closing ??= (async () => {
            const stopped = new Promise<void>((done) => http.close(() => done()));
            http.closeIdleConnections();
            await server.close();
            http.closeAllConnections();
            await stopped;
          })()),
      });
    });
  });
}
