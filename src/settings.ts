import {
  DEFAULT_SESSION_SETTINGS,
  type SessionSettings,
  type SessionTypeValue,
} from '../machines/callSession.types.js';
import { checkPeriod, checkType, checkWarningBeforeTimeout } from '../machines/settings.js';

export { MAX_PERIOD_SECONDS, SessionType, checkSettings } from '../machines/settings.js';

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
