// @ts-check
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import eslintPluginPrettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layeredFolders } from './eslint.boundaries.mjs';

/** The customer portal's browser app (Preact), type-checked against its own tsconfig. */
const PORTAL_UI = 'libs/webhooks/portal-ui';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.cache/**',
      'eslint.config.mjs',
      'eslint.boundaries.mjs',
      'test/nest12-host/**',
      'test/nest11-host/**',
      `${PORTAL_UI}/dist/**`,
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  eslintPluginPrettierRecommended,
  {
    ignores: [`${PORTAL_UI}/**`],
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      sourceType: 'commonjs',
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The demo's browser script: plain JS, type-checked by apps/demo/public/tsconfig.json (DOM, no Node).
    files: ['apps/demo/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: [`${PORTAL_UI}/src/**/*.{ts,tsx}`],
    languageOptions: {
      globals: globals.browser,
      sourceType: 'module',
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // API strings (receiver answers, URLs, names) must only ever reach the page as text; the
      // page's CSP also forbids inline styles and eval.
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'render text as children: Preact escapes it',
        },
        {
          selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]',
          message: 'use textContent or Preact children',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]',
          message: 'use textContent or Preact children',
        },
        {
          selector: "JSXAttribute[name.name='style']",
          message: 'the CSP forbids inline styles: use a class in portal.css',
        },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // The portal's build script and the demo's scripts: plain Node ESM, outside any tsconfig.
    files: [`${PORTAL_UI}/build.mjs`, 'apps/demo/scripts/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
  { plugins: { boundaries } },
  ...layeredFolders,
);
