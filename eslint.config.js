// The lint's one job: keep nondeterminism out of the cores (DESIGN.md §2.1–2.2, STYLE.md habit 2).
// Each banned global names its replacement. Type checking is tsc's job; layering is
// dependency-cruiser's (.dependency-cruiser.cjs).
import tseslint from 'typescript-eslint';

const banned = {
  globals: [
    { name: 'setTimeout', message: 'Use env.timers.setTimeout (src/env).' },
    { name: 'setInterval', message: 'Use env.timers (src/env).' },
    { name: 'setImmediate', message: 'Use env.timers (src/env).' },
    { name: 'clearTimeout', message: 'Use env.timers.clearTimeout (src/env).' },
    { name: 'clearInterval', message: 'Use env.timers (src/env).' },
    { name: 'performance', message: 'Use env.clock.monotonicNanos (src/env).' },
  ],
  properties: [
    { object: 'Date', property: 'now', message: 'Use env.clock (src/env).' },
    { object: 'Math', property: 'random', message: 'Use env.random (src/env).' },
    { object: 'process', property: 'hrtime', message: 'Use env.clock.monotonicNanos (src/env).' },
    { object: 'crypto', property: 'randomUUID', message: 'Use env.random (src/env).' },
  ],
  syntax: [
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the real clock: use env.clock (src/env).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.cjs', 'scripts/**', '.scratch/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-globals': ['error', ...banned.globals],
      'no-restricted-properties': ['error', ...banned.properties],
      'no-restricted-syntax': ['error', ...banned.syntax],
      'no-console': 'error',
      'no-debugger': 'error',
    },
  },
  {
    // The real environment and the adapters it builds are the only code that touches the world.
    files: ['src/env/real.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // Commands talk to a terminal; benchmarks measure real time against real systems.
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', 'no-restricted-globals': 'off', 'no-restricted-properties': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // Tests may wait on real I/O (child processes, sockets) but stay seeded: no Math.random, no
    // Date.now — a failing test must replay.
    files: ['test/**/*.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
