// Type-aware linting for the backend, the database/ folder, benchmarks and scripts.
// The console has its own config (frontend/eslint.config.js, Angular rules).
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The module graph of docs/architecture.md, enforced: who may import whom in backend/src.
/** Modules the product is built from; they may use each other's exported services and events. */
const CORE_MODULES = ['incidents', 'users', 'auth', 'audit', 'deliveries', 'inbox', 'health'];
/** Integrations: each depends on the core (Incidents' service and events), never on another. */
const INTEGRATIONS = ['servicenow', 'slack', 'gateway', 'analytics', 'events'];
const src = 'backend/src';

const moduleBoundaries = {
  files: [`${src}/**/*.ts`],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': [
      { type: 'app', pattern: `${src}/*.ts`, mode: 'file' },
      { type: 'common', pattern: `${src}/common` },
      { type: 'config', pattern: `${src}/config` },
      ...CORE_MODULES.map((name) => ({ type: 'core', pattern: `${src}/${name}`, capture: ['module'] })),
      ...INTEGRATIONS.map((name) => ({ type: name, pattern: `${src}/${name}` })),
      { type: 'migrations', pattern: 'database' },
      { type: 'test-harness', pattern: 'backend/test' },
    ],
    'boundaries/files': [
      { category: 'entity', pattern: '**/*.entity.ts' },
      { category: 'test', pattern: '**/{*.spec.ts,*.e2e-spec.ts,test/**}' },
      // Every file gets a category, so "not a test" can be selected.
      { category: 'source', pattern: '**/*.ts' },
    ],
    'boundaries/legacy-warnings': false,
    // Patterns are relative to the repository, whichever folder eslint runs from.
    'boundaries/root-path': import.meta.dirname,
    // Relative TypeScript imports name no extension; resolve them as the compiler does.
    'import/resolver': { node: { extensions: ['.ts', '.js'] } },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'allow',
        policies: [
          {
            from: { element: { types: { anyOf: ['common', 'config'] } } },
            disallow: { to: { element: { types: { anyOf: ['app', 'core', ...INTEGRATIONS] } } } },
            message: 'common/ and config/ know no feature module',
          },
          {
            from: { element: { type: 'core' }, file: { categories: { noneOf: ['test'] } } },
            disallow: { to: { element: { types: { anyOf: ['app', ...INTEGRATIONS] } } } },
            message:
              'Incidents and the other core modules know no integration: integrations subscribe to their events',
          },
          ...INTEGRATIONS.map((name) => ({
            from: { element: { type: name } },
            disallow: {
              to: {
                element: { types: { anyOf: ['app', ...INTEGRATIONS.filter((other) => other !== name)] } },
              },
            },
            message:
              "Integrations never import each other; they meet at the core modules' services and events",
          })),
          {
            from: { file: { categories: { noneOf: ['test'] } } },
            disallow: { to: { file: { categories: 'entity' } } },
            message: "Modules meet at exported services, never at another module's entities and repositories",
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'frontend/**',
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'data/**',
      'reports/**',
      'test-results/**',
      'bench/**/.build/**',
      'backend/jest.config.js',
      'backend/test/support/*.cjs',
      'backend/test/fixtures/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: ['./backend/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  moduleBoundaries,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
  {
    // supertest bodies are `any` by design; asserting on them is the point of these files.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'backend/test/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
