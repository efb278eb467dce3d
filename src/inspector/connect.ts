import type { InspectionEvent, Observer } from 'xstate';
import { createStepRecorder } from './recorder.js';

/**
 * The part of a WebSocket `connectInspector` uses: what browsers, React Native, Node's
 * own `WebSocket` (Node 22, or Node 20 with `--experimental-websocket`) and the `ws`
 * package have in common.
 */
export interface InspectorWebSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet on the wire; read to bound memory when the receiver is slow. */
  readonly bufferedAmount?: number;
  /** Queues one message. */
  send(data: string): void;
  /** Starts closing. */
  close(): void;
  /**
   * Ends the connection at once, without the closing handshake (the `ws` package has it;
   * browsers have no need). Used when the inspector does not answer, so that a stalled
   * inspector never keeps a Node app's process alive.
   */
  terminate?(): void;
  // `never`: each platform types its event differently, and connectInspector reads none of them.
  /** Set by `connectInspector`: the connection is open. */
  onopen: ((event: never) => void) | null;
  /** Set by `connectInspector`: the connection closed, or never opened. */
  onclose: ((event: never) => void) | null;
  /** Set by `connectInspector`: the connection failed. */
  onerror: ((event: never) => void) | null;
}

/** A `WebSocket` constructor: the platform's, or one from the `ws` package. */
export type InspectorWebSocketConstructor = new (url: string) => InspectorWebSocket;

/** What `connectInspector` takes besides the URL; every field is optional. */
export interface ConnectInspectorOptions {
  /**
   * The `WebSocket` to connect with; default the platform's `globalThis.WebSocket`
   * (browsers, React Native, Node 22; Node 20 has it with `--experimental-websocket`).
   * In Node 20 without the flag pass one, e.g. `import { WebSocket } from 'ws'`.
   */
  WebSocket?: InspectorWebSocketConstructor;
  /**
   * How many bytes (UTF-16 code units) of messages to hold: while the socket connects,
   * and in its send buffer once open. Past it, messages are dropped (the oldest while
   * connecting, the newest once open); default 1 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * How long the socket may take to open, in ms; past it the connection is given up,
   * `onError` is told, and messages are dropped. Default 10,000.
   */
  connectTimeoutMs?: number;
  /**
   * After `close()`, how long the closing handshake may take before the connection is cut
   * (with the `ws` package's `terminate`), in ms: an inspector that stopped reading never
   * answers it. Default 1,000.
   */
  closeTimeoutMs?: number;
  /**
   * Told, once per connection, when the inspector cannot be reached or goes away, and of
   * anything else that went wrong; default `console.warn`. What it throws is ignored.
   */
  onError?: (error: unknown) => void;
}

/** What `connectInspector` returns: the observer for `createCallSession({ inspect })`, and its connection. */
export interface InspectorConnection extends Observer<InspectionEvent> {
  /** Takes one inspection event of a session. Never throws. */
  next(event: InspectionEvent): void;
  /** Closes the connection (messages already sent are delivered first); later messages are dropped. */
  close(): void;
  /** `connecting` until the socket opens, `open`, then `closed` for good: it does not reconnect. */
  readonly status: 'connecting' | 'open' | 'closed';
  /** How many messages were dropped: while connecting past the bound, on a slow or dead inspector, or after close. */
  readonly dropped: number;
}

const DEFAULT_MAX_BUFFERED = 1 << 20;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 1_000;
const OPEN = 1;

/**
 * A timer that does not itself keep a Node process alive (`unref`); a plain timer in
 * browsers and React Native, which have no such notion.
 */
function backgroundTimer(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms) as unknown as { unref?: () => void };
  timer.unref?.();
  return () => clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
}

function checkMs(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0))
    throw new TypeError(`connectInspector options.${name} must be a number of ms above 0`);
  return value;
}

function reportToConsole(error: unknown): void {
  console.warn('call-session-machine inspector:', error instanceof Error ? error.message : error);
}

/**
 * Connects a session to the `call-session-machine inspect` page at `url`
 * (`ws://127.0.0.1:PORT`, as the command prints) and returns an XState inspection
 * observer for `createCallSession({ inspect })`. Each event the session handles goes
 * over as one message: the session's clock time, the transition taken (from → to, the
 * event, the callbacks fired), the participants and the countdowns.
 *
 * The app never depends on the inspector: if it cannot be reached or goes away, the
 * session goes on and messages are dropped, with memory bounded by `maxBufferedBytes`;
 * nothing is ever thrown into the session. It connects once, when called, and does not
 * retry. It imports no Node module, so it runs in browsers and React Native too.
 *
 * @throws TypeError when `url` is not a `ws://` or `wss://` URL, or an option has the wrong type.
 *
 * @example
 * ```ts
 * import { createCallSession } from 'call-session-machine';
 * import { connectInspector } from 'call-session-machine/inspector';
 *
 * const inspector = connectInspector('ws://127.0.0.1:5173');
 * const session = createCallSession({ inspect: inspector });
 * session.join('standup');
 * // … when done looking: inspector.close();
 * ```
 */
export function connectInspector(url: string, options: ConnectInspectorOptions = {}): InspectorConnection {
  if (typeof url !== 'string' || !/^wss?:\/\/[^/\s]/i.test(url)) {
    throw new TypeError(
      `connectInspector needs a ws:// or wss:// URL, as \`call-session-machine inspect\` prints; got ${JSON.stringify(url)}`,
    );
  }
  if (typeof options !== 'object' || options === null)
    throw new TypeError('connectInspector options must be an object');
  const {
    WebSocket: givenWebSocket,
    maxBufferedBytes = DEFAULT_MAX_BUFFERED,
    onError = reportToConsole,
    connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
    closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS,
  } = options;
  if (givenWebSocket !== undefined && typeof givenWebSocket !== 'function') {
    throw new TypeError('connectInspector options.WebSocket must be a WebSocket constructor');
  }
  if (typeof maxBufferedBytes !== 'number' || !(maxBufferedBytes >= 0)) {
    throw new TypeError('connectInspector options.maxBufferedBytes must be a number of bytes, 0 or more');
  }
  if (typeof onError !== 'function') throw new TypeError('connectInspector options.onError must be a function');
  checkMs(connectTimeoutMs, 'connectTimeoutMs');
  checkMs(closeTimeoutMs, 'closeTimeoutMs');

  let status: InspectorConnection['status'] = 'connecting';
  let dropped = 0;
  let queue: string[] = [];
  let queuedBytes = 0;
  let reported = false;
  let socket: InspectorWebSocket | undefined;
  let stopConnectTimer = (): void => {};

  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // An app's error handler must not take the session down either.
    }
  };
  const reportOnce = (error: unknown): void => {
    if (reported) return;
    reported = true;
    report(error);
  };
  const shutDown = (): void => {
    stopConnectTimer();
    status = 'closed';
    dropped += queue.length;
    queue = [];
    queuedBytes = 0;
  };
  /** Cuts the connection now when the socket can (`ws`), else starts closing it. */
  const cut = (): void => {
    try {
      if (socket?.terminate) socket.terminate();
      else socket?.close();
    } catch (error) {
      report(error);
    }
  };
  const transmit = (message: string): void => {
    if (!socket || socket.readyState !== OPEN || (socket.bufferedAmount ?? 0) + message.length > maxBufferedBytes) {
      dropped++;
      return;
    }
    socket.send(message);
  };

  try {
    const Constructor = givenWebSocket ?? (globalThis as { WebSocket?: InspectorWebSocketConstructor }).WebSocket;
    if (!Constructor) {
      throw new Error(
        'no WebSocket here: Node 20 has one with --experimental-websocket, or pass connectInspector(url, { WebSocket }) from the ws package; the session goes on uninspected',
      );
    }
    const opened = new Constructor(url);
    socket = opened;
    stopConnectTimer = backgroundTimer(() => {
      if (status !== 'connecting') return;
      shutDown();
      reportOnce(
        new Error(
          `the inspector at ${url} did not answer within ${connectTimeoutMs} ms; the session goes on, its messages are dropped`,
        ),
      );
      cut();
    }, connectTimeoutMs);
    opened.onopen = () => {
      if (status !== 'connecting') return;
      stopConnectTimer();
      status = 'open';
      const held = queue;
      queue = [];
      queuedBytes = 0;
      try {
        for (const message of held) transmit(message);
      } catch (error) {
        report(error);
      }
    };
    opened.onerror = () => {
      reportOnce(
        new Error(
          `cannot reach the inspector at ${url}, or it went away; the session goes on, its messages are dropped`,
        ),
      );
    };
    opened.onclose = () => {
      if (status !== 'closed') {
        reportOnce(
          new Error(`the inspector at ${url} closed the connection; the session goes on, its messages are dropped`),
        );
      }
      shutDown();
    };
  } catch (error) {
    reportOnce(error);
    shutDown();
  }

  const record = createStepRecorder((step) => {
    if (status === 'closed') {
      dropped++;
      return;
    }
    const message = JSON.stringify(step);
    if (status === 'open') {
      transmit(message);
      return;
    }
    queue.push(message);
    queuedBytes += message.length;
    while (queuedBytes > maxBufferedBytes && queue.length) {
      queuedBytes -= queue.shift()!.length;
      dropped++;
    }
  });

  return {
    next(event) {
      try {
        record(event);
      } catch (error) {
        report(error);
      }
    },
    close() {
      if (status === 'closed') return;
      shutDown();
      try {
        socket?.close();
      } catch (error) {
        report(error);
      }
      // An inspector that stopped reading never answers the closing handshake (ws waits 30 s).
      if (socket?.terminate) backgroundTimer(cut, closeTimeoutMs);
    },
    get status() {
      return status;
    },
    get dropped() {
      return dropped;
    },
  };
}
