/**
 * Drives a real @daily-co/daily-js call object from the inside, for an app's own tests:
 * `join()`, `leave()`, `participants()`, `meetingState()` and every event are daily-js's
 * own code, fed the call machine's messages (`joined-meeting`, `participant-joined`,
 * `network-connection`, `error`, …) with no Daily server. This is the helper the
 * package's own binding tests use. It needs a DOM: run such tests under happy-dom (or
 * jsdom), one window per test file.
 *
 * **Pinned to @daily-co/daily-js 0.87.0** (0.92 needs Node 22). What cannot run offline
 * is the *call machine*, the bundle `join()` downloads from Daily's CDN. In its place
 * this helper marks the call object's bundle loader as loaded
 * (`_callObjectLoader._currentLoad`), registers a stand-in at
 * `window._daily.instances[callClientId].callMachine` with the two things daily-js reads
 * from the real one (`reset()` and a `store.getState()` with no media), and delivers the
 * call machine's messages as `message` events on `window`, the channel the real bundle
 * uses (`what: 'iframe-call-message'`); it answers `leave-meeting` with `left-meeting` as
 * the real one does. The browser stubs: a Chrome user agent (Daily refuses other
 * browsers), `getUserMedia`, `MediaStreamTrack` / `RTCPeerConnection` classes, and a
 * `fetch` that only reaches 127.0.0.1 (daily-js reports fatal errors to Sentry; nothing
 * may leave the machine). Another daily-js version may have moved an internal: compare
 * {@link describeInternals} against a known-good run. @daily-co/daily-js is an optional
 * peer dependency; this subpath imports it.
 *
 * @example
 * ```ts
 * // @vitest-environment happy-dom
 * import { bindDailyCall } from 'call-session-machine/daily';
 * import { createDailyCall, dailyParticipant, participantsObject, settle } from 'call-session-machine/testing/daily';
 *
 * const { call, machine } = await createDailyCall();
 * bindDailyCall(call, session);
 * const joined = call.join({ url: 'https://example.daily.co/standup' });
 * await settle();
 * machine.send({ action: 'joined-meeting', participants: participantsObject([dailyParticipant('ana-session', 'Ana')]) });
 * await joined;
 * ```
 *
 * @module call-session-machine/testing/daily
 */
import type { DailyCall, DailyParticipant } from '@daily-co/daily-js';

/** The @daily-co/daily-js version these internals were read from. */
export const DAILY_JS_VERSION = '0.87.0';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** URLs daily-js tried to fetch that the guard refused (anything not on 127.0.0.1). */
export const refusedFetches: string[] = [];

let installed = false;

/** The browser stubs above; once per test file (happy-dom gives each file its own window). */
export function installBrowserStubs(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => CHROME });
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia: () => Promise.reject(new DOMException('no devices in this test', 'NotFoundError')),
      enumerateDevices: () => Promise.resolve([]),
      addEventListener() {},
      removeEventListener() {},
    },
  });
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: () => false });
  const g = globalThis as Record<string, unknown>;
  // Daily checks that these exist (supportedBrowser); no instance is ever made here.
  g.MediaStreamTrack ??= function MediaStreamTrack() {
    throw new TypeError('no media in this test');
  };
  g.RTCPeerConnection ??= function RTCPeerConnection() {
    throw new TypeError('no WebRTC in this test');
  };
  const realFetch = globalThis.fetch.bind(globalThis);
  const guarded = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
    if (url.hostname !== '127.0.0.1') {
      refusedFetches.push(url.href);
      return Promise.reject(new TypeError(`test fetch guard: ${url.host} is not reachable from tests`));
    }
    return realFetch(input, init);
  };
  globalThis.fetch = guarded as typeof fetch;
  window.fetch = guarded as typeof fetch;
}

type DailyModule = typeof import('@daily-co/daily-js').default;

async function daily(): Promise<DailyModule> {
  installBrowserStubs();
  const module = (await import('@daily-co/daily-js')) as unknown as { default: DailyModule };
  return module.default;
}

/** Messages the call object sent to the call machine (`join-meeting`, `leave-meeting`, …). */
export interface CallMachine {
  /** Every message the call object sent to the call machine, in order. */
  readonly received: {
    /** The message's action: `join-meeting`, `leave-meeting`, … */
    action: string;
  }[];
  /** Delivers a message from the call machine to the call object, synchronously. */
  send(message: { action: string } & Record<string, unknown>): void;
}

interface CallInternals {
  callClientId: string;
  _callObjectLoader: { _currentLoad: unknown };
}

/** A call object made by {@link createDailyCall}, with the stand-in for its call machine. */
export interface DrivenDailyCall {
  /** The real daily-js call object. */
  call: DailyCall;
  /** The stand-in call machine: send it the messages Daily's servers would cause. */
  machine: CallMachine;
}

/** A real call object with the call-machine stand-in (see above). */
export async function createDailyCall(): Promise<DrivenDailyCall> {
  const Daily = await daily();
  const call = Daily.createCallObject({ allowMultipleCallInstances: true });
  const internals = call as unknown as CallInternals;
  const id = internals.callClientId;
  internals._callObjectLoader._currentLoad = { succeeded: true, cancelled: false, cancel() {}, start() {} };
  const instances = (window as unknown as { _daily: { instances: Record<string, Record<string, unknown>> } })._daily
    .instances;
  instances[id]!.callMachine = {
    reset() {},
    store: { getState: () => ({ local: { streams: {}, public: {} }, participants: {}, streams: {} }) },
  };
  const received: { action: string }[] = [];
  const deliver = (message: Record<string, unknown>) => {
    window.dispatchEvent(
      new MessageEvent('message', {
        data: { what: 'iframe-call-message', from: 'embedded', callClientId: id, ...message },
      }),
    );
  };
  window.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { what?: string; from?: string; callClientId?: string; action?: string } | null;
    if (data?.what !== 'iframe-call-message' || data.from !== 'module' || data.callClientId !== id || !data.action)
      return;
    received.push({ action: data.action });
    if (data.action === 'leave-meeting') deliver({ action: 'left-meeting' });
  });
  return { call, machine: { received, send: deliver } };
}

/** A real call object with nothing standing in: `join()` really downloads the bundle from `bundleUrl`. */
export async function createUnloadedDailyCall(): Promise<DailyCall> {
  const Daily = await daily();
  return Daily.createCallObject({ allowMultipleCallInstances: true });
}

/** A remote (or local) participant as the call machine reports it. */
export function dailyParticipant(
  sessionId: string,
  userName?: string,
  userId = sessionId,
  local = false,
): DailyParticipant {
  return {
    session_id: sessionId,
    user_id: userId,
    user_name: userName ?? '',
    local,
    owner: false,
    tracks: {},
    permissions: {},
  } as unknown as DailyParticipant;
}

/** The participants object of `joined-meeting`: `local` plus each remote by session_id. */
export function participantsObject(
  remotes: readonly DailyParticipant[],
  local = dailyParticipant('me-session', 'Me', 'me', true),
) {
  const object: Record<string, DailyParticipant> = { local };
  for (const remote of remotes) object[remote.session_id] = remote;
  return object;
}

/** Lets daily-js's promise chains (join's load step) and window.postMessage deliveries run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A spy's count. */
export interface CallCount {
  /** How many times the spied method was called. */
  readonly calls: number;
}

/** Counts `call.leave()` calls, still calling through to the real method. */
export function spyOnLeave(call: DailyCall): CallCount {
  const original = call.leave;
  const spy = { calls: 0 };
  call.leave = () => {
    spy.calls++;
    return original.call(call);
  };
  return spy;
}

/** Listener counts on the call object's emitter, for every event that has any. */
export function callListenerCounts(call: DailyCall): Record<string, number> {
  const emitter = call as unknown as {
    eventNames(): (string | symbol)[];
    listenerCount(name: string | symbol): number;
  };
  const counts: Record<string, number> = {};
  for (const name of emitter.eventNames()) counts[String(name)] = emitter.listenerCount(name);
  return counts;
}

/** The internals this helper relies on, as found on a fresh call object; the internals test compares them. */
export async function describeInternals(): Promise<Record<string, unknown>> {
  const Daily = await daily();
  const call = Daily.createCallObject({ allowMultipleCallInstances: true });
  const internals = call as unknown as CallInternals & Record<string, unknown>;
  const loader = internals._callObjectLoader as unknown as Record<string, unknown> & {
    constructor: { prototype: object };
  };
  const described = {
    callClientId: typeof internals.callClientId,
    handleMessageFromCallMachine: typeof internals.handleMessageFromCallMachine,
    'loader._currentLoad': '_currentLoad' in loader,
    'loader.loaded getter': typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(loader), 'loaded')?.get,
    'window._daily.instances[id]': typeof (window as unknown as { _daily?: { instances?: Record<string, unknown> } })
      ._daily?.instances?.[internals.callClientId],
  };
  await call.destroy();
  return described;
}
