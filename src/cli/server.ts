/**
 * The inspector's local server: the page over HTTP, and in live mode the apps'
 * WebSocket connections on the same port (an HTTP upgrade), whose messages reach open
 * pages as server-sent events. It listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { STEP_MESSAGE_TYPE, type InspectorStep } from '../inspector/protocol.js';
import { checkStep, nestsWithin } from '../inspector/stepCheck.js';
import { LiveFeed } from './liveFeed.js';
import { createStatelyConverter } from './stately.js';

/** The address every listener of this package binds: loopback, never another interface. */
export const LOOPBACK = '127.0.0.1';

/** What live mode needs of the `ws` package (an optional peer dependency): its server, attached to ours. */
export interface WsModule {
  WebSocketServer: new (options: { noServer: true; maxPayload: number }) => WsServer;
}

interface WsServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (client: WsClient) => void): void;
  close(): void;
}

interface WsClient {
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
  terminate(): void;
}

export interface InspectorServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** The page, given the server's origin (`http://127.0.0.1:PORT`). */
  readonly page: (origin: string) => string;
  /** Live mode: accept apps' WebSocket connections; needs the `ws` package. */
  readonly ws?: WsModule;
  /** Origins besides the page's own whose WebSocket upgrades are accepted (a browser app's dev server). */
  readonly allowOrigins?: readonly string[];
  /** How many live messages to keep for pages opened later; default 10,000. */
  readonly keep?: number;
  /** How many characters of live messages to keep, at most (plus the newest); default 32 MiB. */
  readonly keepBytes?: number;
  /** A page is sent more only while fewer bytes than this wait for it; default 1 MiB. */
  readonly pageBufferBytes?: number;
  /** How many pages may read live messages at once; default 16. More get 503. */
  readonly maxPages?: number;
  /** How many apps may be connected at once; default 32. More get 503. */
  readonly maxApps?: number;
}

export interface InspectorServer {
  /** The page: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Where apps connect: `ws://127.0.0.1:PORT`. */
  readonly appUrl: string;
  readonly port: number;
  /** How many app messages were dropped as not fitting the step type. */
  readonly rejected: number;
  close(): Promise<void>;
}

/** The server could not listen: `code` is Node's (`EADDRINUSE`, `EACCES`). */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(
    readonly code: string,
    readonly port: number,
    message: string,
  ) {
    super(message);
  }
}

/** The bounds of docs/inspecting.md, "Bounds": what the server holds at most. */
export const LIVE_BOUNDS = {
  /** An app's message, in bytes (the WebSocket's own limit: a longer one closes that app's connection). */
  messageBytes: 1 << 20,
  keep: 10_000,
  keepBytes: 32 << 20,
  pageBufferBytes: 1 << 20,
  maxPages: 16,
  maxApps: 32,
  /** How deep a message from `@statelyai/inspect` may nest; a step has its own fixed depth. */
  statelyDepth: 64,
} as const;

/** Sockets of any kind at once: the pages and apps allowed, and a few for the page itself. */
const EXTRA_CONNECTIONS = 16;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Our own names, filled in once the port is known: DNS rebinding and foreign pages are told apart by them. */
interface Names {
  port: number;
  origins: Set<string>;
  hosts: Set<string>;
}

// DNS rebinding: a page of another site whose name now points at 127.0.0.1 still sends
// its own name as Host. Only our own names are served.
const hostIsOurs = (names: Names, request: IncomingMessage): boolean =>
  names.hosts.has((request.headers.host ?? '').toLowerCase());

const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** The HTTP side: the page, and `/events` in live mode. */
function servePages(
  options: InspectorServerOptions,
  names: Names,
  feed: LiveFeed | undefined,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
      response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);
    if (!hostIsOurs(names, request))
      return plain(421, 'wrong Host: this server answers to 127.0.0.1 and localhost only\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return plain(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const origin = request.headers.origin;
    if (origin !== undefined && !names.origins.has(origin)) return plain(403, 'forbidden origin\n');
    if (path === '/' || path === '/index.html') {
      const body = options.page(`http://${LOOPBACK}:${names.port}`);
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'x-frame-options': 'DENY',
        'content-length': Buffer.byteLength(body),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/events' && feed) {
      // A page that reconnects says what it has; it gets only what came after.
      const after = Number(request.headers['last-event-id'] ?? 0) || 0;
      if (feed.full) return plain(503, 'too many pages read live messages at once\n');
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream' });
      // Sent at once, so that the page knows it is connected before any session arrives.
      response.write(': connected\n\n');
      feed.addPage(response, after);
      return;
    }
    plain(404, 'not found\n');
  };
}

/**
 * One app connection's messages: each step checked against the step type, each
 * `@statelyai/inspect` snapshot converted and then checked the same way; what does not
 * fit is dropped and counted, and nothing an app sends can throw out of here.
 */
function readApp(
  connection: number,
  feed: LiveFeed,
): (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void {
  const fromStately = createStatelyConverter();
  return (data, isBinary) => {
    if (isBinary) return feed.reject('a binary frame');
    let message: unknown;
    try {
      message = JSON.parse(textOf(data));
    } catch {
      return feed.reject('not JSON');
    }
    try {
      const type = (message as { type?: unknown } | null)?.type;
      let step: InspectorStep | undefined;
      if (type === STEP_MESSAGE_TYPE) step = checkStep(message);
      else if (typeof type === 'string' && type.startsWith('@xstate.')) {
        if (!nestsWithin(message, LIVE_BOUNDS.statelyDepth))
          return feed.reject(`nested deeper than ${LIVE_BOUNDS.statelyDepth} levels`);
        const converted = fromStately(message);
        // Other actors and other kinds of Stately message are not ours to show.
        if (converted === undefined) return;
        step = checkStep(converted);
      } else return feed.reject('neither a step nor an @statelyai/inspect message');
      feed.publish({ kind: 'step', connection, step });
    } catch (error) {
      feed.reject(error instanceof Error ? error.message : String(error));
    }
  };
}

/** The WebSocket side (live mode): apps' connections, upgraded on the same port. */
function acceptApps(
  options: InspectorServerOptions,
  names: Names,
  feed: LiveFeed,
  wss: WsServer,
  clients: Set<WsClient>,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { allowOrigins = [], maxApps = LIVE_BOUNDS.maxApps } = options;
  let nextConnection = 1;
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!hostIsOurs(names, request)) return refuse(socket, 421, 'Misdirected Request');
    // Browsers always send Origin; a page of another site must not feed (or fake) sessions
    // here. Apps in Node send none; React Native sends the server's own origin.
    const origin = request.headers.origin;
    if (origin !== undefined && !names.origins.has(origin) && !allowOrigins.includes(origin))
      return refuse(socket, 403, 'Forbidden');
    if (clients.size >= maxApps) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(request, socket, head, (client) => {
      const connection = nextConnection++;
      clients.add(client);
      feed.publish({ kind: 'connection', connection, open: true, origin: origin ?? null });
      client.on('message', readApp(connection, feed));
      client.on('error', () => {});
      client.on('close', () => {
        clients.delete(client);
        feed.publish({ kind: 'connection', connection, open: false, origin: origin ?? null });
      });
    });
  };
}

function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      reject(
        new ListenError(
          code,
          port,
          code === 'EADDRINUSE'
            ? `port ${port} on ${LOOPBACK} is in use; pick another with --port N, or --port 0 for a free one`
            : `cannot listen on ${LOOPBACK}:${port}: ${error.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts the server on 127.0.0.1. Rejects with a {@link ListenError} when the port
 * cannot be had. Its memory is bounded whatever pages and apps do: see {@link LIVE_BOUNDS}.
 */
export async function startInspectorServer(options: InspectorServerOptions): Promise<InspectorServer> {
  const { ws, maxPages = LIVE_BOUNDS.maxPages, maxApps = LIVE_BOUNDS.maxApps } = options;
  const names: Names = { port: options.port ?? 0, origins: new Set(), hosts: new Set() };
  const feed = ws
    ? new LiveFeed({
        keep: options.keep ?? LIVE_BOUNDS.keep,
        keepBytes: options.keepBytes ?? LIVE_BOUNDS.keepBytes,
        pageBufferBytes: options.pageBufferBytes ?? LIVE_BOUNDS.pageBufferBytes,
        maxPages,
      })
    : undefined;
  const sockets = new Set<Socket>();
  const clients = new Set<WsClient>();
  const server = createServer(servePages(options, names, feed));
  server.maxConnections = maxPages + maxApps + EXTRA_CONNECTIONS;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = ws ? new ws.WebSocketServer({ noServer: true, maxPayload: LIVE_BOUNDS.messageBytes }) : undefined;
  server.on(
    'upgrade',
    wss && feed
      ? acceptApps(options, names, feed, wss, clients)
      : (_request: IncomingMessage, socket: Duplex) => {
          socket.on('error', () => socket.destroy());
          refuse(socket, 404, 'Not Found');
        },
  );

  await listenOnLoopback(server, names.port);
  const port = (server.address() as AddressInfo).port;
  names.port = port;
  for (const origin of [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]) names.origins.add(origin);
  for (const host of [`${LOOPBACK}:${port}`, `localhost:${port}`]) names.hosts.add(host);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${port}/`,
    appUrl: `ws://${LOOPBACK}:${port}`,
    port,
    get rejected() {
      return feed?.rejected ?? 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        feed?.close();
        for (const client of clients) client.terminate();
        wss?.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
