/**
 * The client side of the server's idle warning (`call-session-machine serve`, SPEC §12):
 * the server's data message on topic `call-session-machine` becomes an
 * `onIdleTimeoutWarning(secondsLeft)` call, and Stay becomes the `POST /extend` call with
 * the participant's own access token. livekit-client stays an optional peer: this module
 * uses the Room's own `on`/`off` and its types only.
 */
import type { RemoteParticipant, Room } from 'livekit-client';
import type { SessionStatusListener } from '../index.js';

/** The topic of the server's warning message. */
export const SERVER_WARNING_TOPIC = 'call-session-machine';

/** The warning, as the server sends it (SPEC §12). */
export interface ServerIdleWarning {
  /** Always `idle.warning`. */
  readonly type: 'idle.warning';
  /** The room's name. */
  readonly room: string;
  /** The identity warned: this participant's. */
  readonly identity: string;
  /** Whole seconds left when the server sent it. */
  readonly secondsLeft: number;
  /** When the server ends the call, epoch ms. */
  readonly deadline: number;
}

/** Options of {@link bindServerIdleWarning}. */
export interface ServerIdleWarningOptions {
  /** The server's Stay endpoint, e.g. `https://calls.example.com/extend`. */
  readonly extendUrl: string;
  /** This participant's own LiveKit access token (the one it connected with), or a function that returns it. */
  readonly token: string | (() => string | Promise<string>);
  /**
   * Gets `onIdleTimeoutWarning(secondsLeft)` for each warning: pass the status listener
   * your call screen already gives `session.addSessionStatusListener`, and the server's
   * warning shows exactly as the session's own does. A listener that throws is reported
   * to `onError` and the binding goes on.
   */
  readonly listener?: Pick<SessionStatusListener, 'onIdleTimeoutWarning'>;
  /** Gets the whole warning (room, identity, deadline). */
  readonly onWarning?: (warning: ServerIdleWarning) => void;
  /** Told of a listener that threw and of a message that was not a warning; default `console.error`. */
  readonly onError?: (error: unknown) => void;
  /** Default the global `fetch`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** What {@link bindServerIdleWarning} returns. */
export interface ServerIdleWarningBinding {
  /** The last warning, until Stay succeeds or the binding is removed; `null` when none is pending. */
  readonly warning: ServerIdleWarning | null;
  /**
   * Stay: `POST /extend` for the pending warning (or, with none pending, for this
   * participant in this room). Resolves with the new deadline (epoch ms); rejects with an
   * Error naming the server's answer (401 a bad token, 404 no countdown running).
   */
  stay(): Promise<number>;
  /** Stops listening; idempotent. */
  unbind(): void;
}

function parseWarning(payload: Uint8Array): ServerIdleWarning | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const w = value as Record<string, unknown>;
  if (
    w.type !== 'idle.warning' ||
    typeof w.room !== 'string' ||
    typeof w.identity !== 'string' ||
    typeof w.secondsLeft !== 'number' ||
    typeof w.deadline !== 'number'
  ) {
    return null;
  }
  return Object.freeze({
    type: 'idle.warning',
    room: w.room,
    identity: w.identity,
    secondsLeft: w.secondsLeft,
    deadline: w.deadline,
  });
}

/**
 * Listens on `room` for the server's warning and gives it to `options.listener` as
 * `onIdleTimeoutWarning(secondsLeft)`; `stay()` asks the server to restart the countdown.
 * Only a message from the server itself is taken (no sending participant), so another
 * participant cannot fake a warning.
 *
 * @example
 * ```ts
 * import { bindServerIdleWarning } from 'call-session-machine/livekit';
 *
 * const warning = bindServerIdleWarning(room, {
 *   extendUrl: 'https://calls.example.com/extend',
 *   token, // the token the app connected with
 *   listener: { onIdleTimeoutWarning: (secondsLeft) => showStayPrompt(secondsLeft) },
 * });
 * stayButton.onclick = () => warning.stay();
 * ```
 */
export function bindServerIdleWarning(room: Room, options: ServerIdleWarningOptions): ServerIdleWarningBinding {
  if (typeof room?.on !== 'function' || typeof room.off !== 'function') {
    throw new TypeError('bindServerIdleWarning: room must be a livekit-client Room');
  }
  if (typeof options?.extendUrl !== 'string' || !/^https?:\/\//.test(options.extendUrl)) {
    throw new TypeError('bindServerIdleWarning: options.extendUrl must be the http(s) URL of the server’s /extend');
  }
  if (typeof options.token !== 'string' && typeof options.token !== 'function') {
    throw new TypeError(
      'bindServerIdleWarning: options.token must be the participant’s token or a function returning it',
    );
  }
  const report = options.onError ?? ((error: unknown) => console.error('call-session-machine:', error));
  let pending: ServerIdleWarning | null = null;
  let bound = true;

  const onData = (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (topic !== SERVER_WARNING_TOPIC || participant !== undefined) return;
    const warning = parseWarning(payload);
    if (!warning) {
      report(new TypeError('a message on topic call-session-machine that is not an idle.warning'));
      return;
    }
    const local = room.localParticipant?.identity;
    if (local && warning.identity !== local) return;
    pending = warning;
    for (const call of [
      () => options.listener?.onIdleTimeoutWarning?.(warning.secondsLeft),
      () => options.onWarning?.(warning),
    ]) {
      try {
        call();
      } catch (error) {
        report(error);
      }
    }
  };
  room.on('dataReceived' as Parameters<Room['on']>[0], onData as Parameters<Room['on']>[1]);

  return {
    get warning() {
      return pending;
    },
    async stay() {
      const target = pending ?? { room: room.name, identity: room.localParticipant?.identity ?? '' };
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
      const response = await send(options.extendUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ room: target.room, identity: target.identity }),
      });
      const answer = (await response.json().catch(() => ({}))) as { deadline?: unknown; error?: unknown };
      if (!response.ok || typeof answer.deadline !== 'number') {
        throw new Error(
          `Stay was refused: ${response.status}${typeof answer.error === 'string' ? ` (${answer.error})` : ''}`,
        );
      }
      if (pending === target) pending = null;
      return answer.deadline;
    },
    unbind() {
      if (!bound) return;
      bound = false;
      pending = null;
      room.off('dataReceived' as Parameters<Room['off']>[0], onData as Parameters<Room['off']>[1]);
    },
  };
}
