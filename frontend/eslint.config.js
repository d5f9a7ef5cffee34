// @ts-check
const { defineConfig, globalIgnores } = require('eslint/config');
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');
const angular = require('angular-eslint');
const globals = require('globals');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

// Console features do not reach into each other's folders: what two features share lives in
// shared/ (presentational pieces, shared models) or core/ (app-wide services), and those two
// import no feature. Imports are relative, so a specifier is matched by the feature folder it
// climbs into (`../admin/…`, `../../incidents/…`); the feature list is read from the disk, so a
// new feature is covered without editing this file.
const FEATURES = readdirSync(join(__dirname, 'src/app/features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const FEATURE_BOUNDARY =
  'Features meet only in shared/ and core/: move what both need there (docs/development.md, "Console layout").';
const importsOnly = (regex, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
});
const featureBoundaries = FEATURES.map((feature) => ({
  files: [`src/app/features/${feature}/**/*.ts`],
  rules: importsOnly(
    `^(\\.\\./)+(features/)?(${FEATURES.filter((other) => other !== feature).join('|')})(/|$)`,
    FEATURE_BOUNDARY,
  ),
}));

module.exports = defineConfig([
  // openapi.d.ts is generated (`npm run api:types`) and checked against the API in CI instead.
  globalIgnores(['dist/', '.angular/', 'coverage/', 'out-tsc/', 'src/app/core/api/openapi.d.ts']),
  {
    files: ['**/*.ts'],
    extends: [
      eslint.configs.recommended,
      tseslint.configs.strictTypeChecked,
      tseslint.configs.stylisticTypeChecked,
      angular.configs.tsRecommended,
    ],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: __dirname,
      },
    },
    processor: angular.processInlineTemplates,
    rules: {
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'nx', style: 'kebab-case' }],
      '@angular-eslint/directive-selector': [
        'error',
        { type: 'attribute', prefix: 'nx', style: 'camelCase' },
      ],
      '@angular-eslint/prefer-on-push-component-change-detection': 'error',
      '@angular-eslint/prefer-output-readonly': 'error',
      '@angular-eslint/prefer-signals': 'error',
      '@angular-eslint/no-async-lifecycle-method': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Components, directives and services are decorated classes that may have no members.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
    },
  },
  ...featureBoundaries,
  {
    files: ['src/app/shared/**/*.ts', 'src/app/core/**/*.ts'],
    rules: importsOnly('(^|/)features(/|$)', FEATURE_BOUNDARY),
  },
  {
    files: ['**/*.spec.ts'],
    rules: {
      // Specs reach into the DOM, where a missing element should fail the test loudly.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.html'],
    extends: [angular.configs.templateRecommended, angular.configs.templateAccessibility],
    rules: {
      '@angular-eslint/template/prefer-control-flow': 'error',
      '@angular-eslint/template/prefer-self-closing-tags': 'error',
      '@angular-eslint/template/button-has-type': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [eslint.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
]);
