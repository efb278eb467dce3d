/**
 * Every use of agora-rtc-sdk-ng internals in the test suite, in one place.
 *
 * Pinned to agora-rtc-sdk-ng 4.24.8. Test files using it run under vitest's happy-dom
 * environment. A real client (`AgoraRTC.createClient()`) is driven through its own code:
 * its `connection-state-change`, `user-joined` and `user-left` events, its `remoteUsers`,
 * its `leave()` and its 3-second prune of users not seen again after a reconnect are
 * agora-rtc-sdk-ng's. What cannot run here is Agora's side: the access points the SDK asks
 * for a gateway, and the gateway's signal WebSocket. In their place this helper
 *
 * - moves the gateway's signal (`client._gateway.signal`, the SDK's `AgoraRTCSignal`)
 *   through its own `connectionState` setter, which emits `ws_connected` and `ws_closed`
 *   (with the signal's `_disconnectedReason`: kicked, banned, the network gone for good) to
 *   the gateway's own handlers, as the signal's WebSocket does;
 * - delivers the server's `on_user_online` / `on_user_offline {uid, reason}` on that
 *   signal, handled by the client's own handlers;
 * - sets the gateway's `state` for `CONNECTING` and `RECONNECTING`, as the gateway's join
 *   and its `ws_reconnecting` handler do (that handler needs a join's `joinInfo`, which only
 *   a server's answer gives); the gateway's own setter emits the change the client reports.
 *
 * Nothing may leave the machine: `fetch`, `XMLHttpRequest` and `navigator.sendBeacon`
 * reach only 127.0.0.1 (the SDK reports events and logs to Agora's collectors), and the
 * SDK's log is off. `test/bindings/agora.test.ts` has a test that fails when any internal
 * used here moves.
 */
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import type { IAgoraRTC, IAgoraRTCClient } from 'agora-rtc-sdk-ng';

/** The agora-rtc-sdk-ng version these internals were read from. */
export const AGORA_RTC_SDK_VERSION = '4.24.8';

/** The version of agora-rtc-sdk-ng actually installed. */
export function installedAgoraVersion(): string {
  // Node's URL: under happy-dom the global URL is the DOM's.
  const manifest = new NodeURL('../../node_modules/agora-rtc-sdk-ng/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** URLs the SDK tried to reach that the guard refused (anything not on 127.0.0.1). */
export const refusedRequests: string[] = [];

const isLoopback = (url: string) => new URL(url, location.href).hostname === '127.0.0.1';

let installed = false;

/** The network guard above; once per test file (happy-dom gives each file its own window). */
function installGuards(): void {
  if (installed) return;
  installed = true;
  const realFetch = globalThis.fetch.bind(globalThis);
  const guardedFetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    if (!isLoopback(url)) {
      refusedRequests.push(url);
      return Promise.reject(new TypeError(`test guard: ${url} is not reachable from tests`));
    }
    return realFetch(input, init);
  };
  globalThis.fetch = guardedFetch as typeof fetch;
  window.fetch = guardedFetch as typeof fetch;
  const RealXHR = window.XMLHttpRequest;
  class GuardedXHR extends RealXHR {
    #refused = false;
    override open(method: string, url: string | URL, ...rest: unknown[]): void {
      this.#refused = !isLoopback(String(url));
      if (this.#refused) refusedRequests.push(String(url));
      (super.open as (...args: unknown[]) => void).call(this, method, url, ...rest);
    }
    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      if (!this.#refused) return super.send(body);
      // As a refused connection looks to the page: an error event, no response.
      setTimeout(() => this.dispatchEvent(new Event('error')), 0);
    }
  }
  Object.defineProperty(window, 'XMLHttpRequest', { configurable: true, value: GuardedXHR });
  Object.defineProperty(globalThis, 'XMLHttpRequest', { configurable: true, value: GuardedXHR });
  Object.defineProperty(navigator, 'sendBeacon', {
    configurable: true,
    value: (url: string) => {
      refusedRequests.push(url);
      return false;
    },
  });
}

async function agora(): Promise<IAgoraRTC> {
  installGuards();
  const module = (await import('agora-rtc-sdk-ng')) as unknown as { default: IAgoraRTC };
  const AgoraRTC = module.default;
  AgoraRTC.setLogLevel(4);
  AgoraRTC.disableLogUpload();
  return AgoraRTC;
}

interface Signal {
  emit(event: string, ...args: unknown[]): void;
  connectionState: string;
  _disconnectedReason?: string;
}

interface ClientInternals {
  _gateway: { state: string; signal: Signal; _disconnectedReason?: string };
  _events?: Record<string, unknown[] | undefined>;
}

const gatewayOf = (client: IAgoraRTCClient) => (client as unknown as ClientInternals)._gateway;

/** A real client in the `rtc` (communication) profile, not joined. */
export async function createAgoraClient(mode: 'rtc' | 'live' = 'rtc'): Promise<IAgoraRTCClient> {
  const AgoraRTC = await agora();
  return AgoraRTC.createClient({ mode, codec: 'vp8' });
}

/** The gateway starting a join (its `join()` sets `CONNECTING`). */
export function startConnecting(client: IAgoraRTCClient): void {
  const gateway = gatewayOf(client);
  gateway.signal.connectionState = 'connecting';
  gateway.state = 'CONNECTING';
}

/** The signal connected: it emits `ws_connected`, whose gateway handler sets `CONNECTED`. */
export function signalConnected(client: IAgoraRTCClient): void {
  gatewayOf(client).signal.connectionState = 'connected';
}

/** The server announcing a user in the channel (a new one, or one seen again after a reconnect). */
export function userOnline(client: IAgoraRTCClient, uid: string | number): void {
  gatewayOf(client).signal.emit('on_user_online', { uid });
}

/** The server reporting a user gone, with the reason it gives (`Quit`, `ServerTimeOut`, `BecomeAudience`). */
export function userOffline(client: IAgoraRTCClient, uid: string | number, reason?: string): void {
  gatewayOf(client).signal.emit('on_user_offline', { uid, reason });
}

/** A whole join: connecting, connected, then the users already there announced. */
export function joinChannel(client: IAgoraRTCClient, uids: readonly (string | number)[] = []): void {
  startConnecting(client);
  signalConnected(client);
  for (const uid of uids) userOnline(client, uid);
}

/** The signal lost: the gateway goes `RECONNECTING` (its `ws_reconnecting` handler's step). */
export function startReconnect(client: IAgoraRTCClient): void {
  const gateway = gatewayOf(client);
  gateway.signal.connectionState = 'reconnecting';
  gateway.state = 'RECONNECTING';
}

/** The signal closed with `reason`: it emits `ws_closed`, whose gateway handler goes `DISCONNECTED`. */
export function signalClosed(client: IAgoraRTCClient, reason?: string): void {
  const signal = gatewayOf(client).signal;
  signal._disconnectedReason = reason;
  signal.connectionState = 'closed';
}

/** The client's prune after a reconnect: users not announced again get `user-left` 3 s after CONNECTED. */
export const RECONNECT_PRUNE_MS = 3000;

/** Waits `ms` of real time (the SDK's own timers run on the page's clock). */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets the SDK's async steps (`leave()` and the rest) run to the end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Counts `client.leave()` calls, still calling through to the real method. */
export function spyOnLeave(client: IAgoraRTCClient): { readonly calls: number } {
  const original = client.leave.bind(client);
  const spy = { calls: 0 };
  client.leave = () => {
    spy.calls++;
    return original();
  };
  return spy;
}

/** Listener counts on the client's emitter, for every event that has any. */
export function clientListenerCounts(client: IAgoraRTCClient): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, listeners] of Object.entries((client as unknown as ClientInternals)._events ?? {}))
    if (listeners && listeners.length > 0) counts[name] = listeners.length;
  return counts;
}

/** The internals this helper relies on, as found on a fresh client; the internals test compares them. */
export async function describeInternals(): Promise<Record<string, unknown>> {
  const client = await createAgoraClient();
  const internals = client as unknown as ClientInternals;
  const gateway = internals._gateway as unknown as Record<string, unknown> & { signal: Record<string, unknown> };
  const stateSetter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(gateway), 'state')?.set;
  const seen: string[] = [];
  client.on('connection-state-change', (current: string) => seen.push(current));
  signalConnected(client);
  return {
    '_gateway.state setter': typeof stateSetter,
    '_gateway.signal.emit': typeof gateway.signal?.emit,
    '_gateway.signal connectionState setter': typeof Object.getOwnPropertyDescriptor(
      Object.getPrototypeOf(gateway.signal),
      'connectionState',
    )?.set,
    '_gateway.signal._disconnectedReason': '_disconnectedReason' in gateway.signal,
    _events: typeof internals._events,
    'ws_connected makes the client CONNECTED': seen.join() === 'CONNECTED' && client.connectionState === 'CONNECTED',
  };
}
