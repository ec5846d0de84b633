// Lint rules: the recommended sets, type-aware where it catches real bugs (floating promises).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.venv-moto/**', '.venv-lint/**', '.tools/**', 'node_modules/**', 'lakehouse/**', '.cbbd/**', 'dist/**', 'coverage/**', 'test-artifacts/**', '.venv/**', 'infra/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['bin/**/*.js', 'src/**/*.js', '*.js'], languageOptions: { globals: globals.node } },
  { files: ['ui/**/*.js'], languageOptions: { globals: globals.browser } },
);
