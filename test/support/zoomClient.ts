/**
 * Every use of @zoom/videosdk internals in the test suite, in one place.
 *
 * Pinned to @zoom/videosdk 2.5.0. Test files using it run under vitest's happy-dom
 * environment. A real client (`ZoomVideo.createClient()`) runs its own `init()`,
 * `join()`, `leave()`, `getAllUser()`, `getCurrentUserInfo()`, `getSessionInfo()` and
 * emits its own `connection-change` / `user-*` events: everything from the client down
 * to its store, its epics and its RWG socket layer is the SDK's code. What cannot run here
 * is Zoom's side of the wire; in its place this helper answers
 *
 * - the meeting-info request `join()` sends (`POST https://<webEndpoint>/wc/lsdk`, an
 *   `XMLHttpRequest`) with a canned meeting (`mid`, `mn`, one RWC);
 * - the RWC ping (`fetch('https://<rwc>/wc/ping/<mn>…')`) with an RWG host;
 * - the RWG WebSocket (`wss://rwg.test/instantsdk/<mn>…`) with a stand-in socket: the SDK's
 *   own socket layer parses what {@link ZoomServer.deliver} sends as the JSON text frames
 *   Zoom's RWG sends (`{evt, body}`): 4098 the join response, 7937 the roster
 *   (`add` / `update` / `remove`), 7939 the conference status (`reason` 5 reconnect,
 *   7 kicked by host, 8 ended by host, 17 duplicate session, …). The numbers and field
 *   names were read from dist/index.esm.js (`meetingMainEpics1`, `meetingMainEpics3`,
 *   the participants `epics0` and its `Wg` field map).
 *
 * The browser stubs: a Chrome user agent, `navigator.mediaDevices` / `mediaCapabilities`,
 * `AudioWorklet` and `Worker` constructors (the SDK checks that they exist; none is made),
 * and `window.JsMediaSDK_Instance`, the media SDK that `init()` downloads (WebAssembly and
 * workers, skipped here with `skipJsMedia`), reduced to its capability queries: WebRTC
 * "not used", every other query "no". Nothing leaves the machine: any other request is
 * refused. `test/bindings/zoom.test.ts` has a test that fails when an internal used here
 * moves.
 */
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import type { VideoClient } from '@zoom/videosdk';
import * as ZoomModule from '@zoom/videosdk';

/** The @zoom/videosdk version these internals were read from. */
export const ZOOM_VIDEOSDK_VERSION = '2.5.0';

type ZoomClient = typeof VideoClient;
interface ZoomVideoStatic {
  VERSION: string;
  createClient(): ZoomClient;
  destroyClient(): Promise<void>;
}
// The package's typings declare a default export its CommonJS build does not name; the
// ESM build vitest loads has it.
const ZoomVideo = ((ZoomModule as unknown as { default?: ZoomVideoStatic }).default ??
  ZoomModule) as unknown as ZoomVideoStatic;

/** The version of @zoom/videosdk actually installed, from its package.json and from the SDK. */
export function installedZoomVersion(): { packageJson: string; sdk: string } {
  const manifest = new NodeURL('../../node_modules/@zoom/videosdk/package.json', import.meta.url);
  return {
    packageJson: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version,
    sdk: ZoomVideo.VERSION,
  };
}

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const RWG_HOST = 'rwg.test';
const MEETING_NUMBER = '9001';

/** URLs the SDK tried to reach that the stand-ins refused. */
export const refusedRequests: string[] = [];

/** One RWG socket the SDK opened, as the stand-in server sees it. */
interface RwgSocket {
  readonly url: string;
  readonly sent: { evt: number; body?: unknown }[];
  closed: boolean;
  deliver(evt: number, body: unknown): void;
}

/** Zoom's side of the wire: the meeting-info answer, the ping, and the RWG sockets. */
export interface ZoomServer {
  /** Every RWG socket the SDK opened, oldest first (a failover opens a new one). */
  readonly sockets: RwgSocket[];
  /** Meeting-info requests the SDK sent (one per join, and one per failover rejoin). */
  meetingInfoRequests: number;
  /** When set, the next meeting-info request fails like an unreachable server. */
  offline: boolean;
  /** Resolves with the `n`th RWG socket (1-based) once the SDK has opened it. */
  socket(n: number): Promise<RwgSocket>;
  /**
   * Sends an RWG message on the newest socket, and waits for the SDK to have handled it
   * (its socket layer hands messages on asynchronously).
   */
  deliver(evt: number, body: unknown): Promise<void>;
}

/** A remote (or this user's own) roster entry, as the RWG sends it (`id`, `dn2` base64 name). */
export interface RosterUser {
  readonly id: number;
  readonly name: string;
}

/** A zoomID: the SDK base64-decodes it (`sendUserNodeList`). */
function zoomId(userId: number): string {
  return btoa(`zoom-${userId}`);
}

/** The roster entry fields of the RWG's 7937 message (the SDK maps `id` → userId, `dn2` → displayName). */
export function rosterEntry(user: RosterUser): Record<string, unknown> {
  return { id: user.id, dn2: btoa(user.name), role: 0, zoomID: zoomId(user.id) };
}

let server: MutableServer | null = null;

interface MutableServer extends ZoomServer {
  sockets: RwgSocket[];
  waiters: { n: number; resolve: (socket: RwgSocket) => void }[];
}

function refuse(url: string): void {
  refusedRequests.push(url);
}

/** A `Response`-compatible answer for fetch (happy-dom's Response is the window's). */
function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/** The meeting the meeting-info stand-in answers with (the fields `meetingInfoEpic` reads). */
function meetingInfo(): unknown {
  return {
    status: true,
    result: {
      mid: 'meeting-1',
      mn: MEETING_NUMBER,
      ts: 1,
      auth: 'auth',
      encryptedRWC: JSON.stringify({ 'rwc.test': 'rwc-token' }),
    },
  };
}

class StandInXHR extends EventTarget {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseText = '';
  responseType: XMLHttpRequestResponseType = '';
  timeout = 0;
  withCredentials = false;
  readonly upload = new EventTarget();
  private url = '';
  open(_method: string, url: string): void {
    this.url = String(url);
    this.readyState = 1;
  }
  setRequestHeader(): void {}
  getAllResponseHeaders(): string {
    return 'content-type: application/json\r\n';
  }
  getResponseHeader(): string {
    return 'application/json';
  }
  abort(): void {}
  send(): void {
    const url = this.url;
    setTimeout(() => {
      this.readyState = 4;
      // The whiteboard token request that follows the join: the whiteboard service says no.
      if (url.endsWith('/api/v1/tokens/inmeeting')) return this.answer({ status: false, errorCode: 1 });
      if (!url.endsWith('/wc/lsdk') || !server || (server.meetingInfoRequests++, server.offline)) {
        refuse(url);
        this.dispatchEvent(new Event('error'));
        this.dispatchEvent(new Event('loadend'));
        return;
      }
      this.answer(meetingInfo());
    }, 0);
  }
  private answer(body: unknown): void {
    this.status = 200;
    this.responseText = JSON.stringify(body);
    this.response = this.responseType === 'json' ? body : this.responseText;
    this.dispatchEvent(new Event('readystatechange'));
    this.dispatchEvent(new Event('load'));
    this.dispatchEvent(new Event('loadend'));
  }
}

class StandInWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  private readonly record: RwgSocket | null;
  constructor(readonly url: string) {
    super();
    const rwg = String(url).startsWith(`wss://${RWG_HOST}/`);
    this.record = rwg ? this.register() : null;
    // The media channel (`wss://…/wc/media/…`) is the media SDK's; it never opens here.
    if (!rwg) {
      refuse(String(url));
      return;
    }
    setTimeout(() => {
      this.readyState = 1;
      const event = new Event('open');
      this.onopen?.(event);
      this.dispatchEvent(event);
    }, 0);
  }
  private register(): RwgSocket {
    const socket: RwgSocket = {
      url: this.url,
      sent: [],
      closed: false,
      deliver: (evt, body) => {
        if (socket.closed) throw new Error('deliver: the SDK has closed this RWG socket');
        const event = new MessageEvent('message', { data: JSON.stringify({ evt, body }) });
        this.onmessage?.(event);
        this.dispatchEvent(event);
      },
    };
    const current = server!;
    current.sockets.push(socket);
    for (const waiter of [...current.waiters]) {
      if (current.sockets.length >= waiter.n) {
        current.waiters.splice(current.waiters.indexOf(waiter), 1);
        waiter.resolve(current.sockets[waiter.n - 1]!);
      }
    }
    return socket;
  }
  send(data: unknown): void {
    if (!this.record || typeof data !== 'string') return;
    try {
      this.record.sent.push(JSON.parse(data) as { evt: number; body?: unknown });
    } catch {
      // Binary frames (media) are not part of these tests.
    }
  }
  close(): void {
    if (this.record) this.record.closed = true;
    this.readyState = 3;
  }
}

let installed = false;

/** The browser stubs and network stand-ins above; once per test file (happy-dom gives each its own window). */
export function installBrowserStubs(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => CHROME });
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia: () => Promise.reject(new DOMException('no devices in this test', 'NotFoundError')),
      getDisplayMedia: () => Promise.reject(new DOMException('no screen in this test', 'NotFoundError')),
      enumerateDevices: () => Promise.resolve([]),
      addEventListener() {},
      removeEventListener() {},
    },
  });
  Object.defineProperty(navigator, 'mediaCapabilities', { configurable: true, value: {} });
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: () => false });
  const g = globalThis as Record<string, unknown>;
  g.AudioWorklet ??= function AudioWorklet() {
    throw new TypeError('no audio in this test');
  };
  g.Worker ??= function Worker() {
    throw new TypeError('no workers in this test');
  };
  // The media SDK's capability queries (`Sl.getWebRTCCapability` and friends read
  // `window.JsMediaSDK_Instance.util`): no WebRTC, and "no" to every other feature.
  (window as unknown as Record<string, unknown>).JsMediaSDK_Instance = {
    util: new Proxy(
      {},
      {
        get: (_target, name) =>
          name === 'evaluateWebRTCStrategy' ? () => ({ shouldUseWebRTC: false, errNo: 0 }) : () => undefined,
      },
    ),
  };
  g.XMLHttpRequest = StandInXHR;
  g.WebSocket = StandInWebSocket;
  globalThis.fetch = ((input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('https://rwc.test/wc/ping/')) return Promise.resolve(jsonResponse({ rwg: RWG_HOST }));
    refuse(url);
    return Promise.reject(new TypeError(`test stand-in: ${url} is not reachable from tests`));
  }) as typeof fetch;
}

/** A JWT-shaped token: the SDK decodes its payload (`tpc`, `role_type`), it never verifies it. */
function token(topic: string): string {
  const part = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ app_key: 'test-key', tpc: topic, role_type: 1, iat: 1, exp: 4102444800 })}.unsigned`;
}

/**
 * A fresh client (the previous one destroyed: `createClient()` returns one shared
 * client until `destroyClient()`), initialised, and a fresh stand-in server.
 */
export async function createZoomClient(): Promise<{ client: ZoomClient; server: ZoomServer }> {
  installBrowserStubs();
  await ZoomVideo.destroyClient();
  const fresh: MutableServer = {
    sockets: [],
    waiters: [],
    meetingInfoRequests: 0,
    offline: false,
    socket(n) {
      const socket = this.sockets[n - 1];
      if (socket) return Promise.resolve(socket);
      return new Promise((resolve) => this.waiters.push({ n, resolve }));
    },
    async deliver(evt, body) {
      const socket = this.sockets.at(-1);
      if (!socket) throw new Error('deliver: the SDK has not opened an RWG socket');
      socket.deliver(evt, body);
      await settle();
    },
  };
  server = fresh;
  const client = ZoomVideo.createClient();
  await client.init('en-US', 'Global', { skipJsMedia: true, webEndpoint: 'zoom.test' });
  return { client, server: fresh };
}

/** The join response (evt 4098, `res: 0`) that makes the SDK report `Connected`; `userId` is this user's. */
export function joinResponse(userId: number): Record<string, unknown> {
  return { res: 0, userID: userId, zoomID: zoomId(userId), mn: MEETING_NUMBER, participantID: userId, role: 1 };
}

/** Waits for the SDK's work queued on timers (its socket opens on one) to run. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (up to `ms`) until `condition` holds; the SDK's failover waits about a second before it rejoins. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('until: the condition did not come true in time');
    await settle(50);
  }
}

/**
 * `client.join()` run to the point where the RWG socket is open (the session is not
 * connected yet); `answer` then completes it with the join response and the roster.
 */
export async function startJoin(
  client: ZoomClient,
  zoom: ZoomServer,
  topic = 'standup',
): Promise<{ joined: Promise<unknown>; answer(self: RosterUser, remotes: readonly RosterUser[]): Promise<void> }> {
  const attempt = zoom.sockets.length + 1;
  const joined = client.join(topic, token(topic), 'Me') as Promise<unknown>;
  joined.catch(() => undefined);
  await zoom.socket(attempt);
  await settle();
  return {
    joined,
    async answer(self, remotes) {
      await answerJoin(zoom, attempt, self, remotes);
      await joined;
      await settle();
    },
  };
}

/** Answers the RWG socket number `attempt`: the join response, then the roster in one message. */
export async function answerJoin(
  zoom: ZoomServer,
  attempt: number,
  self: RosterUser,
  remotes: readonly RosterUser[],
): Promise<void> {
  const socket = await zoom.socket(attempt);
  await settle();
  socket.deliver(4098, joinResponse(self.id));
  await settle();
  socket.deliver(7937, { add: [self, ...remotes].map(rosterEntry) });
  await settle();
}

/** RWG conference-status reasons (the SDK's `MP` enum in dist/index.esm.js). */
export const CONFERENCE_REASON = {
  reconnect: 5,
  kickedByHost: 7,
  endByHost: 8,
  freeMeetingTimeout: 10,
  endByNone: 15,
  endByAdmin: 16,
  duplicateSession: 17,
  meetingTransfer: 18,
  rsgwTimeout: 20,
  kickedDueToMasterLeave: 21,
  userRequest: 2,
  archiveFail: 14,
} as const;

/** Sends the RWG's conference-status message (7939) with `reason`. */
export function conferenceStatus(zoom: ZoomServer, reason: number): Promise<void> {
  return zoom.deliver(7939, { reason });
}

/** Listener counts for the client's session events (`off` removes only the listener given). */
export function countingListeners(client: ZoomClient): { counts(): Record<string, number> } {
  // The SDK keeps its listener lists in a module-global map no test can read; counting
  // what on/off were asked for is the observable equivalent.
  const counts: Record<string, number> = {};
  const on = client.on.bind(client) as (event: string, listener: (payload: unknown) => void) => void;
  const off = client.off.bind(client) as (event: string, listener: (payload: unknown) => void) => void;
  const c = client as unknown as Record<'on' | 'off', (event: string, listener: (payload: unknown) => void) => void>;
  c.on = (event, listener) => {
    counts[event] = (counts[event] ?? 0) + 1;
    on(event, listener);
  };
  c.off = (event, listener) => {
    counts[event] = (counts[event] ?? 0) - 1;
    off(event, listener);
  };
  return { counts: () => Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0)) };
}

/** Counts `client.leave()` calls, still calling the SDK's own. */
export function spyOnLeave(client: ZoomClient): { readonly calls: number } {
  const spy = { calls: 0 };
  const leave = client.leave.bind(client);
  (client as unknown as { leave: typeof leave }).leave = (...args: Parameters<typeof leave>) => {
    spy.calls++;
    return leave(...args);
  };
  return spy;
}
