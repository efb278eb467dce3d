// A process of its own running a DurableCallSessionFleet, driven by the test over IPC
// (test/durable/processes.ts): it adds, sends and removes as told, on a virtual clock
// the test sets or on real time, and reports every callback with the version of the
// transition that fired it, so the test can order the callbacks of many processes.
import { createDurableFleet, type DurableCallSessionFleet } from '../../src/durable/index.js';
import type { FleetParticipantListener, FleetStatusListener } from '../../src/fleet/index.js';
import type { SessionSettings } from '../../src/index.js';
import { describeList, describeParticipant } from '../oracle.js';
import { CALLBACKS_OF, isStatusId, type ListenerId } from '../oracleRun.js';

export interface ChildInit {
  readonly url: string;
  readonly prefix: string;
  /** A virtual clock starting at this time, moved by `now` messages; absent: real time. */
  readonly virtualNow?: number;
  readonly worker?: boolean;
  readonly settings?: SessionSettings;
  /** Listeners registered at start. */
  readonly listeners?: readonly ListenerId[];
}

export type ChildRequest =
  | { readonly op: 'add'; readonly id: string; readonly options?: object }
  | { readonly op: 'send'; readonly id: string; readonly event: object }
  | { readonly op: 'get'; readonly id: string }
  | { readonly op: 'remove'; readonly id: string }
  | { readonly op: 'now'; readonly now: number }
  | { readonly op: 'listen'; readonly listener: ListenerId; readonly how: 'add' | 'method' | 'unsubscribe' | 'abort'; readonly withSignal?: boolean }
  | { readonly op: 'settled' }
  | { readonly op: 'close' };

/** A callback as the child saw it: `listenerId:name[:argument]`, with the version that fired it. */
export interface ChildCallback {
  readonly id: string;
  readonly version: number;
  readonly order: number;
  readonly entry: string;
  /** `Date.now()` when it was called. */
  readonly at: number;
}

let now = 0;
let fleet: DurableCallSessionFleet;
let version = 0;
let order = 0;
interface Handle {
  readonly object: object;
  readonly unsubscribe: () => void;
  readonly controller: AbortController | null;
  live: boolean;
}
/** One object per listener id, so that adding it again while registered is the no-op a registry makes of it. */
const objects = new Map<ListenerId, object>();
const handles = new Map<ListenerId, Handle>();

function listenerObject(listenerId: ListenerId): object {
  const object: Record<string, (...args: never[]) => void> = {};
  const report = (id: string, entry: string) =>
    process.send!({ callback: { id, version, order: order++, entry, at: Date.now() } satisfies ChildCallback });
  for (const name of CALLBACKS_OF[listenerId]) {
    if (name === 'onParticipantJoined' || name === 'onParticipantLeft') {
      object[name] = (id: string, p: object) => report(id, `${listenerId}:${name}:${describeParticipant(p)}`);
    } else if (name === 'onParticipantListChanged') {
      object[name] = (id: string, l: readonly object[]) => report(id, `${listenerId}:${name}:${describeList(l)}`);
    } else if (name === 'onIdleTimeoutWarning') {
      object[name] = (id: string, secondsLeft: number) => report(id, `${listenerId}:${name}:${secondsLeft}`);
    } else {
      object[name] = (id: string) => report(id, `${listenerId}:${name}`);
    }
  }
  return object;
}

function register(listenerId: ListenerId, withSignal: boolean): void {
  let object = objects.get(listenerId);
  if (!object) objects.set(listenerId, (object = listenerObject(listenerId)));
  const controller = withSignal ? new AbortController() : null;
  const options = controller ? { signal: controller.signal } : undefined;
  const unsubscribe = isStatusId(listenerId)
    ? fleet.addSessionStatusListener(object as FleetStatusListener, options)
    : fleet.addParticipantEventListener(object as FleetParticipantListener, options);
  // Added again while registered: the first registration (and its handle) stays.
  if (!handles.get(listenerId)?.live) handles.set(listenerId, { object, unsubscribe, controller, live: true });
}

async function handle(request: ChildRequest): Promise<unknown> {
  switch (request.op) {
    case 'add':
      return fleet.add(request.id, request.options as never);
    case 'send':
      return fleet.send(request.id, request.event as never);
    case 'get':
      return (await fleet.get(request.id)) ?? null;
    case 'remove':
      return fleet.remove(request.id);
    case 'now':
      now = request.now;
      return null;
    case 'listen': {
      if (request.how === 'add') {
        register(request.listener, request.withSignal ?? false);
        return null;
      }
      const known = handles.get(request.listener);
      if (!known?.live) return null;
      if (request.how === 'unsubscribe') known.unsubscribe();
      else if (request.how === 'abort' && known.controller) known.controller.abort();
      else if (isStatusId(request.listener)) fleet.removeSessionStatusListener(known.object as FleetStatusListener);
      else fleet.removeParticipantEventListener(known.object as FleetParticipantListener);
      known.live = false;
      return null;
    }
    case 'settled':
      return fleet.settled();
    case 'close':
      await fleet.close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.once('message', (init: ChildInit) => {
  void (async () => {
    if (init.virtualNow !== undefined) now = init.virtualNow;
    fleet = await createDurableFleet({
      connection: init.url,
      prefix: init.prefix,
      worker: init.worker ?? true,
      ...(init.settings && { settings: init.settings }),
      ...(init.virtualNow !== undefined && { clock: { now: () => now } }),
      onStored: (_id, stored) => {
        version = stored;
      },
      onListenerError: (error) => process.send!({ listenerError: String(error) }),
      onError: (error) => process.send!({ backgroundError: String(error) }),
    });
    for (const listenerId of init.listeners ?? []) register(listenerId, false);
    process.on('message', (message: { seq: number; request: ChildRequest }) => {
      handle(message.request).then(
        (result) => process.send!({ seq: message.seq, ok: true, result: result ?? null }),
        (error: Error) => process.send!({ seq: message.seq, ok: false, error: { name: error.name, message: error.message } }),
      );
    });
    process.send!({ ready: process.pid });
  })().catch((error: unknown) => {
    process.send!({ fatal: String(error) });
    process.exit(1);
  });
});
