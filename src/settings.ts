import {
  DEFAULT_SESSION_SETTINGS,
  type SessionSettings,
  type SessionTypeValue,
} from '../machines/callSession.types.js';

/** The kinds of session, as CometChat's `SessionType`. */
export const SessionType = Object.freeze({
  /** A video call (the default). */
  VIDEO: 'VIDEO',
  /** An audio-only call. */
  AUDIO: 'AUDIO'
} as const);

/**
 * The largest period a JavaScript timer holds, in whole seconds: `setTimeout` keeps a
 * signed 32-bit millisecond count, and Node fires anything longer after 1 ms.
 */
export const MAX_PERIOD_SECONDS = 2_147_483;

function checkPeriod(name: string, seconds: unknown): number {
  if (typeof seconds !== 'number') {
    throw new TypeError(`${name} must be a number of seconds (an integer from 0 to ${MAX_PERIOD_SECONDS}); got ${typeof seconds}`);
  }
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_PERIOD_SECONDS) {
    throw new RangeError(`${name} must be an integer from 0 to ${MAX_PERIOD_SECONDS} seconds; got ${seconds}`);
  }
  return seconds;
}

function checkType(type: unknown): SessionTypeValue {
  if (type !== SessionType.VIDEO && type !== SessionType.AUDIO) {
    throw new TypeError(`type must be SessionType.VIDEO or SessionType.AUDIO; got ${String(type)}`);
  }
  return type;
}

/**
 * Builds frozen {@link SessionSettings}, as CometChat's `SessionSettingsBuilder`.
 * Every setter checks its value at once and throws without changing the builder.
 */
export class SessionSettingsBuilder {
  #idleTimeoutPeriod = DEFAULT_SESSION_SETTINGS.idleTimeoutPeriod;
  #reconnectTimeoutPeriod = DEFAULT_SESSION_SETTINGS.reconnectTimeoutPeriod;
  #type: SessionTypeValue = DEFAULT_SESSION_SETTINGS.type;

  /** Seconds alone before the session times out: an integer 0..2_147_483, default 300, 0 disables. */
  setIdleTimeoutPeriod(seconds: number): this {
    this.#idleTimeoutPeriod = checkPeriod('idleTimeoutPeriod', seconds);
    return this;
  }

  /** Seconds of reconnecting before the session closes: an integer 0..2_147_483, default 60, 0 = no bound. */
  setReconnectTimeoutPeriod(seconds: number): this {
    this.#reconnectTimeoutPeriod = checkPeriod('reconnectTimeoutPeriod', seconds);
    return this;
  }

  /** `SessionType.VIDEO` (the default) or `SessionType.AUDIO`. */
  setType(type: SessionTypeValue): this {
    this.#type = checkType(type);
    return this;
  }

  /** The settings so far, as a new frozen {@link SessionSettings}; the builder can go on being used. */
  build(): SessionSettings {
    return Object.freeze({
      idleTimeoutPeriod: this.#idleTimeoutPeriod,
      reconnectTimeoutPeriod: this.#reconnectTimeoutPeriod,
      type: this.#type,
    });
  }
}

/** Checks settings that did not come from the builder; returns a frozen copy. */
export function checkSettings(value: unknown): SessionSettings {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`settings must be an object from SessionSettingsBuilder.build(); got ${value === null ? 'null' : typeof value}`);
  }
  const settings = value as Partial<Record<keyof SessionSettings, unknown>>;
  // Each field read once; only a missing one takes its default (null is no number).
  const idle = settings.idleTimeoutPeriod;
  const reconnect = settings.reconnectTimeoutPeriod;
  const type = settings.type;
  return Object.freeze({
    idleTimeoutPeriod: checkPeriod('idleTimeoutPeriod', idle === undefined ? DEFAULT_SESSION_SETTINGS.idleTimeoutPeriod : idle),
    reconnectTimeoutPeriod: checkPeriod(
      'reconnectTimeoutPeriod',
      reconnect === undefined ? DEFAULT_SESSION_SETTINGS.reconnectTimeoutPeriod : reconnect,
    ),
    type: checkType(type === undefined ? DEFAULT_SESSION_SETTINGS.type : type),
  });
}
