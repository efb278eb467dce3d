import {
  DEFAULT_SESSION_SETTINGS,
  type CallSessionContext,
  type SessionSettings,
  type SessionTypeValue,
} from './callSession.types.js';
import { expected } from './participants.js';

/** The kinds of session, as CometChat's `SessionType`. */
export const SessionType = Object.freeze({
  /** A video call (the default). */
  VIDEO: 'VIDEO',
  /** An audio-only call. */
  AUDIO: 'AUDIO',
} as const);

/**
 * The largest period a JavaScript timer holds, in whole seconds: `setTimeout` keeps a
 * signed 32-bit millisecond count, and Node fires anything longer after 1 ms.
 */
export const MAX_PERIOD_SECONDS = 2_147_483;

export function checkPeriod(name: string, seconds: unknown): number {
  if (typeof seconds !== 'number') {
    throw new TypeError(
      expected(`${name} must be a number of seconds (an integer from 0 to ${MAX_PERIOD_SECONDS})`, seconds),
    );
  }
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_PERIOD_SECONDS) {
    throw new RangeError(`${name} must be an integer from 0 to ${MAX_PERIOD_SECONDS} seconds; got ${seconds}`);
  }
  return seconds;
}

export function checkType(type: unknown): SessionTypeValue {
  if (type !== SessionType.VIDEO && type !== SessionType.AUDIO) {
    throw new TypeError(expected('type must be SessionType.VIDEO or SessionType.AUDIO', type));
  }
  return type;
}

/**
 * Checks settings that did not come from the builder (the chart's input, a log, a
 * stored session); returns a frozen copy. A missing field takes its default; `null`
 * is no number.
 */
export function checkSettings(value: unknown): SessionSettings {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(expected('settings must be an object from SessionSettingsBuilder.build()', value));
  }
  const settings = value as Partial<Record<keyof SessionSettings, unknown>>;
  // Each field read once, so a getter cannot change a value after it was checked.
  const idle = settings.idleTimeoutPeriod;
  const reconnect = settings.reconnectTimeoutPeriod;
  const warning = settings.idleWarningPeriod;
  const type = settings.type;
  const defaults = DEFAULT_SESSION_SETTINGS;
  const idleTimeoutPeriod = checkPeriod('idleTimeoutPeriod', idle === undefined ? defaults.idleTimeoutPeriod : idle);
  const reconnectTimeoutPeriod = checkPeriod(
    'reconnectTimeoutPeriod',
    reconnect === undefined ? defaults.reconnectTimeoutPeriod : reconnect,
  );
  const idleWarningPeriod = checkPeriod(
    'idleWarningPeriod',
    warning === undefined ? defaults.idleWarningPeriod : warning,
  );
  checkWarningBeforeTimeout(idleWarningPeriod, idleTimeoutPeriod);
  return Object.freeze({
    idleTimeoutPeriod,
    reconnectTimeoutPeriod,
    idleWarningPeriod,
    type: checkType(type === undefined ? defaults.type : type),
  });
}

/**
 * A warning must come while the countdown still runs, not at its start or before it.
 * With the idle timeout disabled (0) there is no countdown, and any warning period is moot.
 */
export function checkWarningBeforeTimeout(idleWarningPeriod: number, idleTimeoutPeriod: number): void {
  if (idleTimeoutPeriod > 0 && idleWarningPeriod >= idleTimeoutPeriod) {
    throw new RangeError(
      `idleWarningPeriod (${idleWarningPeriod} s) must be shorter than idleTimeoutPeriod (${idleTimeoutPeriod} s)`,
    );
  }
}

/**
 * Builds frozen {@link SessionSettings}, as CometChat's `SessionSettingsBuilder`.
 * Every setter checks its value at once and throws without changing the builder.
 */
export class SessionSettingsBuilder {
  #idleTimeoutPeriod = DEFAULT_SESSION_SETTINGS.idleTimeoutPeriod;
  #reconnectTimeoutPeriod = DEFAULT_SESSION_SETTINGS.reconnectTimeoutPeriod;
  #idleWarningPeriod = DEFAULT_SESSION_SETTINGS.idleWarningPeriod;
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

  /**
   * Seconds before the idle timeout at which `onIdleTimeoutWarning` fires, as
   * CometChat's "Are you still there?" prompt: an integer 0..2_147_483, default 0 (no
   * warning). `build()` throws a `RangeError` when it is not shorter than a non-zero
   * idle timeout period.
   */
  setIdleWarningPeriod(seconds: number): this {
    this.#idleWarningPeriod = checkPeriod('idleWarningPeriod', seconds);
    return this;
  }

  /** `SessionType.VIDEO` (the default) or `SessionType.AUDIO`. */
  setType(type: SessionTypeValue): this {
    this.#type = checkType(type);
    return this;
  }

  /**
   * The settings so far, as a new frozen {@link SessionSettings}; the builder can go on
   * being used. Throws a `RangeError` when the warning period is not shorter than a
   * non-zero idle timeout period.
   */
  build(): SessionSettings {
    checkWarningBeforeTimeout(this.#idleWarningPeriod, this.#idleTimeoutPeriod);
    return Object.freeze({
      idleTimeoutPeriod: this.#idleTimeoutPeriod,
      reconnectTimeoutPeriod: this.#reconnectTimeoutPeriod,
      idleWarningPeriod: this.#idleWarningPeriod,
      type: this.#type,
    });
  }
}

/**
 * The settings the running idle countdown started on: `settings`, unless a restore with
 * new settings left an older countdown running, which keeps its period and warning
 * (docs/semantics.md, "One rule for time").
 */
export function idleCountdownSettings(context: CallSessionContext): SessionSettings {
  return context.idleSettings ?? context.settings;
}

/** The settings the running reconnect bound started on, as `idleCountdownSettings`. */
export function reconnectBoundSettings(context: CallSessionContext): SessionSettings {
  return context.reconnectSettings ?? context.settings;
}
