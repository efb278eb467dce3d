/**
 * Every use of @opentok/client internals in the test suite, in one place.
 *
 * Pinned to @opentok/client 2.35.2. Test files using it run under vitest's happy-dom
 * environment. A real Session (`OT.initSession()`) runs its own `connect()`,
 * `disconnect()`, `isConnected()`, its Raptor dispatcher, its Rumor socket and its
 * reconnecting WebSocket wrapper, and emits its own events. What cannot run here is
 * Vonage's side of the wire; in its place this helper answers
 *
 * - the session-info request `connect()` sends (`GET https://anvil.opentok.com/session/<id>?extended=true`,
 *   an `XMLHttpRequest` through axios) with a session whose messaging URL is
 *   `wss://rumor.test/rumorsocket`, and the static-config request with an empty config;
 * - the Rumor WebSocket, speaking the binary Rumor framing of opentok.js's `RumorMessage`
 *   (`serialize` / `deserialize`: a 4-byte length, 2 reserved bytes, the type, the
 *   addresses, the headers, the data) and the Raptor v2 JSON messages inside it
 *   (`{method, uri: '/v2/partner/<key>/session/<id>/connection/<connectionId>', content}`):
 *   it acknowledges the Session's `connection#create` with the session state (the
 *   connections present), announces the Session's own connection, answers PING with PONG,
 *   and lets a test create and delete connections, close the socket (OpenTok reconnects,
 *   and a first message on the new socket completes the reconnect) or refuse the
 *   reconnect (a close with 1011, which OpenTok does not retry).
 *
 * The browser stubs: a Chrome user agent, and `XMLHttpRequest` / `WebSocket` / `fetch`
 * stand-ins that refuse everything else (OpenTok's analytics posts included): nothing
 * leaves the machine. `test/bindings/vonage.test.ts` has a test that fails when the
 * pinned version moves.
 */
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import type OTNamespace from '@opentok/client';

/** The @opentok/client version these internals were read from. */
export const OPENTOK_VERSION = '2.35.2';

/** The version of @opentok/client actually installed, from its package.json and from the SDK. */
export function installedOpenTokVersion(): { packageJson: string; sdk: string } {
  const manifest = new NodeURL('../../node_modules/@opentok/client/package.json', import.meta.url);
  return {
    packageJson: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version,
    sdk: String((OT as unknown as { version?: string }).version).replace(/^v/, ''),
  };
}

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const RUMOR_URL = 'wss://rumor.test/rumorsocket';
export const API_KEY = '100200300';

/** URLs the SDK tried to reach that the stand-ins refused. */
export const refusedRequests: string[] = [];

// -- Rumor framing (opentok.js RumorMessage.serialize / deserialize) ------------------

const RUMOR = { SUBSCRIBE: 0, MESSAGE: 2, CONNECT: 3, DISCONNECT: 4, PING: 7, PONG: 8, STATUS: 9 } as const;

interface RumorFrame {
  type: number;
  toAddress: string[];
  headers: Record<string, string>;
  data: string;
}

function serialize(frame: RumorFrame): ArrayBuffer {
  const encoder = new TextEncoder();
  const parts: number[] = [0, 0, 0, 0, 0, 0, frame.type, frame.toAddress.length];
  const pushString = (value: string) => {
    const bytes = encoder.encode(value);
    parts.push((bytes.length >> 8) & 0xff, bytes.length & 0xff, ...bytes);
  };
  for (const address of frame.toAddress) pushString(address);
  const headers = Object.entries(frame.headers);
  parts.push(headers.length);
  for (const [key, value] of headers) {
    pushString(key);
    pushString(value);
  }
  parts.push(...encoder.encode(frame.data));
  const length = parts.length - 4;
  parts[0] = (length >>> 24) & 0xff;
  parts[1] = (length >>> 16) & 0xff;
  parts[2] = (length >>> 8) & 0xff;
  parts[3] = length & 0xff;
  return new Uint8Array(parts).buffer;
}

function deserialize(buffer: ArrayBuffer): RumorFrame {
  const view = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  let offset = 8;
  const readString = () => {
    const length = (view[offset]! << 8) + view[offset + 1]!;
    offset += 2;
    const value = decoder.decode(view.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  const toAddress: string[] = [];
  for (let i = 0; i < view[7]!; i++) toAddress.push(readString());
  const headers: Record<string, string> = {};
  const count = view[offset++]!;
  for (let i = 0; i < count; i++) headers[readString()] = readString();
  return { type: view[6]!, toAddress, headers, data: decoder.decode(view.subarray(offset)) };
}

// -- The stand-in server ---------------------------------------------------------------

/** A remote client's connection, as Raptor describes it. */
export interface RemoteConnection {
  readonly id: string;
  readonly data?: string;
}

function connectionContent(connection: RemoteConnection): Record<string, unknown> {
  return {
    id: connection.id,
    creationTime: 1_700_000_000_000,
    data: connection.data ?? '',
    capablities: {},
    permissions: ['publish', 'subscribe'],
  };
}

/** One Rumor socket the SDK opened. */
interface RumorSocket {
  readonly url: string;
  readonly received: RumorFrame[];
  closed: boolean;
}

/** Vonage's side of the wire. */
export interface VonageServer {
  /** Every Rumor socket the SDK opened, oldest first (a reconnect opens a new one). */
  readonly sockets: readonly RumorSocket[];
  /** The connections present when a Session connects (its own is added). */
  present: RemoteConnection[];
  /** When set, the session-info request fails like an unreachable server. */
  offline: boolean;
  /** When set, the next Rumor socket the SDK opens is closed with 1011 (OpenTok does not retry that). */
  refuseReconnect: boolean;
  /** This client's connection id (the Rumor socket's id), once connected. */
  readonly ownConnectionId: string | undefined;
  /** Another client connecting. */
  connectionCreated(connection: RemoteConnection): Promise<void>;
  /** A client's connection ending, with OpenTok's reason. */
  connectionDeleted(connectionId: string, reason: string): Promise<void>;
  /** The socket dropping (close code 1006): OpenTok starts reconnecting. */
  dropSocket(): Promise<void>;
  /** Resolves once the SDK has opened its `n`th Rumor socket (1-based). */
  socket(n: number): Promise<RumorSocket>;
  /** A first message on the newest socket: OpenTok's reconnect completes with it. */
  resume(): Promise<void>;
}

let server: MutableServer | null = null;

interface MutableServer extends VonageServer {
  sockets: RumorSocket[];
  ownConnectionId: string | undefined;
  current: StandInWebSocket | null;
  waiters: { n: number; resolve: (socket: RumorSocket) => void }[];
}

function raptorUri(sessionId: string, connectionId: string): string {
  return `/v2/partner/${API_KEY}/session/${sessionId}/connection/${connectionId}`;
}

/** Waits for the SDK's work queued on timers (its socket opens and closes on them). */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (up to `ms`) until `condition` holds. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('until: the condition did not come true in time');
    await settle(20);
  }
}

class StandInWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  bufferedAmount = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly record: RumorSocket;
  sessionId = '';
  constructor(readonly url: string) {
    super();
    this.record = { url: String(url), received: [], closed: false };
    const current = server;
    if (!current || !String(url).startsWith(RUMOR_URL)) {
      refusedRequests.push(String(url));
      setTimeout(() => this.finish(1006, 'refused by the test stand-in'), 0);
      return;
    }
    current.sockets.push(this.record);
    current.current = this;
    for (const waiter of [...current.waiters]) {
      if (current.sockets.length >= waiter.n) {
        current.waiters.splice(current.waiters.indexOf(waiter), 1);
        waiter.resolve(current.sockets[waiter.n - 1]!);
      }
    }
    const refuse = current.refuseReconnect && current.sockets.length > 1;
    setTimeout(() => {
      if (refuse) {
        this.finish(1011, 'refused by the test stand-in');
        return;
      }
      this.readyState = 1;
      this.emit('open', new Event('open'));
    }, 0);
  }
  private emit(type: string, event: Event): void {
    const handler = (this as unknown as Record<string, ((event: Event) => void) | null>)[`on${type}`];
    handler?.call(this, event);
    this.dispatchEvent(event);
  }
  deliver(frame: RumorFrame): void {
    if (this.readyState !== 1) return;
    this.emit('message', new MessageEvent('message', { data: serialize(frame) }));
  }
  send(data: ArrayBuffer | ArrayBufferView): void {
    const buffer =
      data instanceof ArrayBuffer
        ? data
        : (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
    const frame = deserialize(buffer);
    this.record.received.push(frame);
    // Answer after the SDK's send returns, as a server would.
    setTimeout(() => this.answer(frame), 0);
  }
  private answer(frame: RumorFrame): void {
    const current = server;
    if (!current) return;
    const transactionId = frame.headers['TRANSACTION-ID'];
    if (frame.type === RUMOR.PING) {
      this.deliver({ type: RUMOR.PONG, toAddress: [], headers: {}, data: '' });
      return;
    }
    if (frame.type !== RUMOR.MESSAGE || !transactionId) return;
    const message = JSON.parse(frame.data || '{}') as { method?: string; uri?: string };
    const ownId = frame.headers['X-TB-FROM-ADDRESS'];
    const match = /\/session\/([^/]+)\/connection\/([^/]+)$/.exec(message.uri ?? '');
    if (message.method === 'create' && match && ownId) {
      this.sessionId = match[1]!;
      current.ownConnectionId = ownId;
      const own = connectionContent({ id: ownId });
      // The Session waits for its own connection#created, then for this acknowledgement.
      this.deliver({
        type: RUMOR.MESSAGE,
        toAddress: [ownId],
        headers: {},
        data: JSON.stringify({ method: 'created', uri: raptorUri(this.sessionId, ownId), content: own }),
      });
      this.deliver({
        type: RUMOR.STATUS,
        toAddress: [ownId],
        headers: { 'TRANSACTION-ID': transactionId, STATUS: '200' },
        data: JSON.stringify({ connection: [own, ...current.present.map(connectionContent)], stream: [], archive: [] }),
      });
      return;
    }
    // Anything else asked of the server (signals, disconnect notices): acknowledged.
    this.deliver({
      type: RUMOR.STATUS,
      toAddress: [],
      headers: { 'TRANSACTION-ID': transactionId, STATUS: '200' },
      data: '',
    });
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    setTimeout(() => this.finish(code, reason), 0);
  }
  finish(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.record.closed = true;
    const event = new Event('close') as Event & { code: number; reason: string; wasClean: boolean };
    Object.assign(event, { code, reason, wasClean: code === 1000 });
    this.emit('close', event);
  }
}

/** axios's XHR adapter reads these members; only the session-info request is answered. */
class StandInXHR extends EventTarget {
  readyState = 0;
  status = 0;
  statusText = '';
  response: unknown = null;
  responseText = '';
  responseType: XMLHttpRequestResponseType = '';
  responseURL = '';
  timeout = 0;
  withCredentials = false;
  readonly upload = new EventTarget();
  onloadend: ((event: Event) => void) | null = null;
  onreadystatechange: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onabort: ((event: Event) => void) | null = null;
  ontimeout: ((event: Event) => void) | null = null;
  private url = '';
  open(_method: string, url: string): void {
    this.url = String(url);
    this.readyState = 1;
  }
  setRequestHeader(): void {}
  getAllResponseHeaders(): string {
    return this.status ? 'content-type: application/json\r\n' : '';
  }
  getResponseHeader(): string | null {
    return this.status ? 'application/json' : null;
  }
  abort(): void {}
  send(): void {
    const url = this.url;
    setTimeout(() => {
      // The static config service: nothing to override.
      if (/^https:\/\/config\.opentok\.com\/project\/[^/]+\/config\.json/.test(url)) return this.answer({});
      const match = /^https:\/\/anvil\.opentok\.com\/session\/([^?]+)\?extended=true/.exec(url);
      if (!match || !server || server.offline) {
        refusedRequests.push(url);
        this.readyState = 4;
        this.fire('error');
        this.fire('loadend');
        return;
      }
      const sessionId = decodeURIComponent(match[1]!);
      const body = [
        {
          session_id: sessionId,
          partner_id: API_KEY,
          messaging_url: RUMOR_URL,
          messaging_server_url: 'rumor.test',
          symphony_address: '/symphony.test',
          ice_servers: [],
          properties: { reconnection: true, p2p: { preference: { value: 'disabled' } } },
        },
      ];
      this.answer(body);
    }, 0);
  }
  private answer(body: unknown): void {
    this.readyState = 4;
    this.status = 200;
    this.statusText = 'OK';
    this.responseURL = this.url;
    this.responseText = JSON.stringify(body);
    this.response = this.responseType === 'json' ? body : this.responseText;
    this.fire('readystatechange');
    this.fire('load');
    this.fire('loadend');
  }
  private fire(type: string): void {
    const event = new Event(type);
    const handler = (this as unknown as Record<string, ((event: Event) => void) | null>)[`on${type}`];
    handler?.call(this, event);
    this.dispatchEvent(event);
  }
}

let installed = false;

/** The browser stubs and network stand-ins above; once per test file (happy-dom gives each its own window). */
export function installBrowserStubs(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => CHROME });
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: () => false });
  const g = globalThis as Record<string, unknown>;
  g.XMLHttpRequest = StandInXHR;
  g.WebSocket = StandInWebSocket;
  globalThis.fetch = ((input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    refusedRequests.push(url);
    return Promise.reject(new TypeError(`test stand-in: ${url} is not reachable from tests`));
  }) as typeof fetch;
}

let sessionCount = 0;

/** A fresh `OT.initSession()` Session (offline: nothing is sent until `connect()`), and a fresh stand-in server. */
export function createVonageSession(): { otSession: OTNamespace.Session; server: VonageServer } {
  installBrowserStubs();
  const fresh: MutableServer = {
    sockets: [],
    present: [],
    offline: false,
    refuseReconnect: false,
    ownConnectionId: undefined,
    current: null,
    waiters: [],
    async connectionCreated(connection) {
      const socket = this.current!;
      socket.deliver({
        type: RUMOR.MESSAGE,
        toAddress: [],
        headers: {},
        data: JSON.stringify({
          method: 'created',
          uri: raptorUri(socket.sessionId, connection.id),
          content: connectionContent(connection),
        }),
      });
      await settle();
    },
    async connectionDeleted(connectionId, reason) {
      const socket = this.current!;
      socket.deliver({
        type: RUMOR.MESSAGE,
        toAddress: [],
        headers: {},
        data: JSON.stringify({ method: 'deleted', uri: raptorUri(socket.sessionId, connectionId), reason }),
      });
      await settle();
    },
    async dropSocket() {
      this.current!.finish(1006, 'dropped by the test');
      await settle();
    },
    socket(n) {
      const socket = this.sockets[n - 1];
      if (socket) return Promise.resolve(socket);
      return new Promise((resolve) => this.waiters.push({ n, resolve }));
    },
    async resume() {
      const socket = this.current!;
      await until(() => socket.readyState === 1);
      socket.deliver({ type: RUMOR.PONG, toAddress: [], headers: {}, data: '' });
      await settle();
    },
  };
  server = fresh;
  sessionCount++;
  const otSession = OT.initSession(API_KEY, `1_MX4${API_KEY}fake-session-${sessionCount}`);
  return { otSession, server: fresh };
}

/** `otSession.connect(token)` to the stand-in; resolves once OpenTok reported the outcome. */
export function connect(otSession: OTNamespace.Session): Promise<unknown> {
  return new Promise((resolve) => {
    otSession.connect('T1==test-token', (error?: unknown) => resolve(error));
  });
}

/**
 * Counts `otSession.disconnect()` calls from outside opentok.js, still calling OpenTok's
 * own. OpenTok calls its own `disconnect()` when it ends the session itself (its
 * `sessionDisconnectedHandler` does, before the public event): those calls, made from
 * opentok.js (the caller's stack frame), are counted apart in `sdkCalls`.
 */
export function spyOnDisconnect(otSession: OTNamespace.Session): { readonly calls: number; readonly sdkCalls: number } {
  const spy = { calls: 0, sdkCalls: 0 };
  const disconnect = otSession.disconnect.bind(otSession);
  (otSession as unknown as { disconnect: typeof disconnect }).disconnect = () => {
    const caller = new Error().stack?.split('\n')[2] ?? '';
    if (caller.includes('@opentok/client')) spy.sdkCalls++;
    else spy.calls++;
    return disconnect();
  };
  return spy;
}

/** `otSession.isConnected()`, which opentok.js has and its typings leave out. */
export function isConnected(otSession: OTNamespace.Session): boolean {
  return (otSession as unknown as { isConnected(): boolean }).isConnected();
}

/** How many listeners the Session has for each of `events` (OpenTok's own `listenerCount`). */
export function listenerCounts(otSession: OTNamespace.Session, events: readonly string[]): Record<string, number> {
  const count = (otSession as unknown as { listenerCount(event: string): number }).listenerCount.bind(otSession);
  return Object.fromEntries(events.map((event) => [event, count(event)]));
}

type OTStatic = typeof OTNamespace;
// opentok.js picks its WebSocket class when the module is evaluated (its `WebSocket`
// module reads `window.WebSocket` once), so the stand-ins go in before it is loaded.
installBrowserStubs();
const OTModule: unknown = await import('@opentok/client');
// The package is CommonJS (`module.exports = OT`); the typings declare a namespace.
const OT = ((OTModule as { default?: OTStatic }).default ?? OTModule) as OTStatic;
