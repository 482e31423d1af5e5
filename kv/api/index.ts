/**
 * # kv/api: the boundary between KV and the layers above (placeholder essay; see below)
 */
export * from './describe.js';
export * from './keyspace.js';
export * from './pretty.js';
export * from './span.js';
export * from './descriptor.js';
export * from './transaction.js';
