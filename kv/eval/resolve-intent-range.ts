/** ResolveIntentRange: see resolve-intent.ts (both share the resolution). */
export { evalResolveIntentRange } from './resolve-intent.js';
