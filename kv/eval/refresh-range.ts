/** RefreshRange: see refresh.ts (both share the checks). */
export { evalRefreshRange } from './refresh.js';
