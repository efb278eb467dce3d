/**
 * Restoring a stored session: the checks that a snapshot holds together, and the restart
 * of its countdowns. Apart from the main entry, so that an app that never restores does
 * not carry them.
 *
 * @module call-session-machine/persistence
 */
export { PERSISTED_FORMAT, PERSISTED_VERSION, type PersistedCallSession } from '../core/persistedFormat.js';
export { restoreCallSession } from './restore.js';
