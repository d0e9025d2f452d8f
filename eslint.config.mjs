import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.matador/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // ---- the layering (README "Layout"): data flows config -> plan -> workflows -> activities ->
  // drivers/lib -> records -> store -> report; production code never imports the emulator.
  // Tests may reach across layers (they build worlds and drive workers), so these rules skip them.
  ...layer('lib', ['activities', 'drivers', 'workflows', 'workers', 'store', 'testbed', 'cli', 'temporal', 'bench', 'test'], {
    extraPatterns: [{ group: ['@temporalio/*'], message: 'lib/ is pure domain code: Temporal plumbing lives in temporal/.' }],
    message: 'lib/ is the bottom layer: it imports nothing above it.',
  }),
  ...layer('drivers', ['activities', 'workflows', 'workers', 'store', 'testbed', 'cli', 'temporal', 'bench', 'test'], {
    message: 'drivers/ talk to the outside world for activities: they import only lib/ and each other.',
  }),
  ...layer('store', ['activities', 'drivers', 'workflows', 'workers', 'testbed', 'cli', 'temporal', 'bench', 'test'], {
    message: 'store/ keeps records: it imports only lib/.',
  }),
  ...layer('activities', ['workflows', 'workers', 'testbed', 'cli', 'bench', 'test'], {
    message: 'activities/ run steps over drivers/ and lib/; the lab they reach is handed to them (StepEnv.lab).',
  }),
  ...layer('temporal', ['activities', 'drivers', 'workflows', 'workers', 'store', 'testbed', 'cli', 'bench', 'test'], {
    message: 'temporal/ holds Temporal conventions derived from lib/: it imports only lib/.',
  }),
  ...layer('workers', ['cli', 'bench', 'test', 'testbed'], {
    message: 'workers/ pick their lab in workers/lab.ts, the one place that may import the emulator.',
    ignores: ['workers/lab.ts'],
  }),
  ...layer('ops', ['activities', 'drivers', 'workflows', 'workers', 'store', 'testbed', 'cli', 'bench', 'test'], {
    message: 'ops/ starts and stops processes (server, workers) for the CLI and the benches: it imports only lib/ and temporal/.',
  }),
  ...layer('cli', ['bench', 'test'], { message: 'The CLI never imports benchmarks or test helpers.' }),
  ...layer('bench', ['test'], { message: 'Benchmarks import no test helpers: shared pieces live in production modules.' }),
  {
    // Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O,
    // and activities only as types.
    files: ['workflows/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code.' })),
        patterns: [
          { group: ['../activities/*', '../activities'], allowTypeImports: true, message: 'Workflows import only types from activities.' },
          { group: above(['drivers', 'store', 'workers', 'testbed', 'cli', 'bench', 'test']), message: 'Workflows never import drivers, the store, workers, the emulator, the CLI, benches or tests.' },
        ],
      }],
    },
  },
);

/** Import patterns that reach folder `name` of the project root from anywhere below it. */
function above(names) {
  return names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);
}

/** A folder's production files may not import these other top-level folders. */
function layer(folder, forbidden, { message, extraPatterns = [], ignores = [] }) {
  return [{
    files: [`${folder}/**/*.ts`],
    ignores: ['**/*.test.ts', ...ignores],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: above(forbidden), message }, ...extraPatterns] }] },
  }];
}
