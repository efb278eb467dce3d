/**
 * Vue 3 composables for call-session-machine: {@link useCallSession} keeps a readonly
 * ref of a session's view (the same view React's hook returns), {@link useCreateCallSession}
 * makes a session for an effect scope's life, and {@link useCountdown} counts down to one
 * of its deadlines. Vue 3 is an optional peer dependency; the main entry never imports
 * it. The contracts are in docs/vue.md.
 *
 * @example
 * ```vue
 * <script setup lang="ts">
 * import { useCallSession, useCountdown, useCreateCallSession } from 'call-session-machine/vue';
 *
 * const session = useCreateCallSession();
 * const view = useCallSession(session);
 * const secondsLeft = useCountdown(() => view.value.deadlines.idle);
 * </script>
 *
 * <template>
 *   <p v-if="view.idleWarningActive">The call ends in {{ secondsLeft }} s</p>
 *   <p v-else>{{ view.state }}</p>
 * </template>
 * ```
 *
 * @module call-session-machine/vue
 */
export type { CallSessionView } from '../core/callSessionView.js';
export { useCallSession } from './useCallSession.js';
export { useCountdown, type CountdownOptions } from './useCountdown.js';
export { useCreateCallSession } from './useCreateCallSession.js';
