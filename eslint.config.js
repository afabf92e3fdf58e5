// Lint for the whole repository: typescript-eslint's recommended rules, plus
// the shape rules the team keeps (no `any` in code, lines short enough for a
// side-by-side diff). Formatting itself is Prettier's job (.prettierrc.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'artifacts/**', 'bench/results/**', 'dist/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // The coefficients are copied digit for digit from the reference implementations (Cephes, scipy) they are checked against.
    files: ['packages/drift-stats/src/**/*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // The dashboard page's script runs in the browser, as plain JavaScript.
    files: ['apps/api/src/dashboard/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        uPlot: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        URLSearchParams: 'readonly',
        console: 'readonly',
        location: 'readonly',
        Intl: 'readonly',
        prompt: 'readonly',
        performance: 'readonly',
        requestAnimationFrame: 'readonly',
        ResizeObserver: 'readonly',
        HTMLElement: 'readonly',
        Date: 'readonly',
        URL: 'readonly',
        history: 'readonly',
        Node: 'readonly',
      },
    },
  },
);
