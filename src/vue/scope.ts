import { getCurrentInstance, getCurrentScope, inject, ssrContextKey } from 'vue';

/**
 * The composables tie what they start (a subscription, a session, a timer) to the
 * effect scope they are called in. Outside one nothing would ever end it, so they refuse:
 * an error at the call, not a leak found much later.
 */
export function requireScope(composable: string): void {
  if (getCurrentScope() === undefined) {
    throw new Error(
      `call-session-machine/vue: ${composable} must be called in a component's setup() or inside an effectScope(), ` +
        'which ends what it starts when it stops',
    );
  }
}

/**
 * Whether this is a component's setup during a server render. The server renderer
 * provides its context under `ssrContextKey` and never stops a component's scope, so
 * whatever is started there would run for ever.
 */
export function isServerRendering(): boolean {
  return getCurrentInstance() !== null && inject(ssrContextKey, null) !== null;
}
