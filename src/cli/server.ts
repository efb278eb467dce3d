/**
 * The inspector's local server: the page over HTTP, and in live mode the apps'
 * WebSocket connections on the same port (an HTTP upgrade), whose messages reach open
 * pages as server-sent events. It listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LiveMessage } from '../inspector/pageData.js';
import { PROTOCOL_VERSION, STEP_MESSAGE_TYPE, type InspectorStep } from '../inspector/protocol.js';
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
}

export interface InspectorServer {
  /** The page: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Where apps connect: `ws://127.0.0.1:PORT`. */
  readonly appUrl: string;
  readonly port: number;
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

const MAX_MESSAGE_BYTES = 1 << 20;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}

function isStep(value: unknown): value is InspectorStep {
  const step = value as Partial<InspectorStep> | null;
  return (
    typeof step === 'object' &&
    step !== null &&
    step.type === STEP_MESSAGE_TYPE &&
    step.version === PROTOCOL_VERSION &&
    typeof step.actor === 'string' &&
    typeof step.seq === 'number' &&
    typeof step.at === 'number' &&
    typeof step.to === 'string' &&
    Array.isArray(step.countdowns) &&
    Array.isArray(step.participants) &&
    Array.isArray(step.transitions) &&
    Array.isArray(step.callbacks)
  );
}

/**
 * Starts the server on 127.0.0.1. Rejects with a {@link ListenError} when the port
 * cannot be had.
 */
export async function startInspectorServer(options: InspectorServerOptions): Promise<InspectorServer> {
  const { page, ws, allowOrigins = [], keep = 10_000 } = options;
  const sockets = new Set<Socket>();
  const pages = new Set<ServerResponse>();
  const kept: { id: number; data: string }[] = [];
  let nextMessageId = 1;
  let nextConnection = 1;
  let port = options.port ?? 0;
  let origins = new Set<string>();
  let hosts = new Set<string>();

  const broadcast = (message: LiveMessage): void => {
    const entry = { id: nextMessageId++, data: JSON.stringify(message) };
    kept.push(entry);
    if (kept.length > keep) kept.splice(0, kept.length - keep);
    for (const response of pages) response.write(`id: ${entry.id}\ndata: ${entry.data}\n\n`);
  };

  // DNS rebinding: a page of another site whose name now points at 127.0.0.1 still
  // sends its own name as Host. Only our own names are served.
  const hostIsOurs = (request: IncomingMessage): boolean => hosts.has((request.headers.host ?? '').toLowerCase());

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (!hostIsOurs(request)) {
      response
        .writeHead(421, { 'content-type': 'text/plain' })
        .end('wrong Host: this server answers to 127.0.0.1 and localhost only\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden origin\n');
      return;
    }
    if (path === '/' || path === '/index.html') {
      const body = page(`http://${LOOPBACK}:${port}`);
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-length': Buffer.byteLength(body),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/events' && ws) {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      // Sent at once, so that the page knows it is connected before any session arrives.
      response.write(': connected\n\n');
      // A page that reconnects says what it has; it gets only what came after.
      const after = Number(request.headers['last-event-id'] ?? 0) || 0;
      for (const entry of kept) if (entry.id > after) response.write(`id: ${entry.id}\ndata: ${entry.data}\n\n`);
      pages.add(response);
      request.on('close', () => pages.delete(response));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const wss = ws ? new ws.WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES }) : undefined;
  const clients = new Set<WsClient>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!wss) return refuse(socket, 404, 'Not Found');
    if (!hostIsOurs(request)) return refuse(socket, 421, 'Misdirected Request');
    // Browsers always send Origin; a page of another site must not feed (or fake) sessions
    // here. Apps in Node send none; React Native sends the server's own origin.
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin) && !allowOrigins.includes(origin))
      return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (client) => {
      const connection = nextConnection++;
      const fromStately = createStatelyConverter();
      clients.add(client);
      broadcast({ kind: 'connection', connection, open: true, origin: origin ?? null });
      client.on('message', (data, isBinary) => {
        if (isBinary) return;
        let message: unknown;
        try {
          message = JSON.parse(
            Array.isArray(data)
              ? Buffer.concat(data).toString('utf8')
              : Buffer.from(data as ArrayBuffer).toString('utf8'),
          );
        } catch {
          return;
        }
        const step = isStep(message) ? message : fromStately(message);
        if (step) broadcast({ kind: 'step', connection, step });
      });
      client.on('error', () => {});
      client.on('close', () => {
        clients.delete(client);
        broadcast({ kind: 'connection', connection, open: false, origin: origin ?? null });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
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
  port = (server.address() as AddressInfo).port;
  origins = new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]);
  hosts = new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${port}/`,
    appUrl: `ws://${LOOPBACK}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const response of pages) response.end();
        for (const client of clients) client.terminate();
        wss?.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
