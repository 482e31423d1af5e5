/**
 * The layer rule of DESIGN.md §1, checked on every `npm test`:
 *   clock < kv < txn < sql < src shell; bench and test may import anything;
 *   nothing imports src/cli; only test/ and bench/ import src/sim; no import cycles.
 * Each dependency (classic-level, libpg-query) is imported by one adapter folder only.
 */
/** @type {import('dependency-cruiser').IDependencyCruiserConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles hide layering mistakes.', from: {}, to: { circular: true } },
    {
      name: 'clock-is-the-bottom',
      severity: 'error',
      comment: 'clock/ may import only src/base.',
      from: { path: '^clock/' },
      to: { path: '^(kv|txn|sql|bench|test)/|^src/(?!base/)' },
    },
    {
      name: 'kv-below-txn',
      severity: 'error',
      comment: 'kv/ may import clock/, src/base and the src/env interfaces.',
      from: { path: '^kv/' },
      to: { path: '^(txn|sql|bench|test)/|^src/(?!base/|env/env\\.ts)' },
    },
    {
      name: 'kv-client-above-the-api-only',
      severity: 'error',
      comment: 'kv/client (imported by txn/ and sql/) may use kv/api, clock/ and src/base only, never the storage or replication internals.',
      from: { path: '^kv/client/' },
      to: { path: '^kv/(?!api/|client/)' },
    },
    {
      name: 'txn-below-sql',
      severity: 'error',
      comment: 'txn/ may import kv/api, kv/client, clock/ and src/base.',
      from: { path: '^txn/' },
      to: { path: '^(sql|bench|test)/|^src/(?!base/|env/env\\.ts)|^kv/(?!api/|client/)' },
    },
    {
      name: 'sql-below-shell',
      severity: 'error',
      comment: 'sql/ may import txn/, kv/api, kv/client, clock/ and src/base.',
      from: { path: '^sql/' },
      to: { path: '^(bench|test)/|^src/(?!base/|env/env\\.ts)|^kv/(?!api/|client/)' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-tests-import-sim',
      severity: 'error',
      from: { pathNot: '^(src/sim|test|bench)/' },
      to: { path: '^src/sim/' },
    },
    {
      name: 'src-base-is-foundation',
      severity: 'error',
      comment: 'src/base depends on nothing of ours.',
      from: { path: '^src/base/' },
      to: { path: '^(clock|kv|txn|sql|bench|test)/|^src/(?!base/)' },
    },
    {
      name: 'classic-level-only-in-kv-storage',
      severity: 'error',
      from: { pathNot: '^(kv/storage/|bench/)' },
      to: { path: 'node_modules/classic-level/' },
    },
    {
      name: 'libpg-query-only-in-sql-parser',
      severity: 'error',
      from: { pathNot: '^sql/parser/' },
      to: { path: 'node_modules/libpg-query/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'] },
  },
};
