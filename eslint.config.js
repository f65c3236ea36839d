import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LIBS_BY_NAME = {
  group: ['**/libs/*/src/**', '../../libs/**'],
  message: 'Import libs through @pulseboard/<lib>.',
};

/** A transport's files may not import the other transports' libs. */
function transportBoundary(files, otherTransports) {
  return {
    files,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            LIBS_BY_NAME,
            {
              group: otherTransports,
              message: 'A transport steers other transports through @pulseboard/streaming, not sideways.',
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'node_modules/**', 'web/dist/**', 'test-output/**', 'data/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [LIBS_BY_NAME],
        },
      ],
    },
  },
  {
    files: ['libs/core/src/**/*.ts', 'libs/protocol/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'express', 'socket.io*'],
              message: 'The engine knows nothing of Nest, HTTP or sockets.',
            },
          ],
        },
      ],
    },
  },
  // transports depend on the engine and on transport-neutral services, never sideways on each other
  transportBoundary(['libs/gateway/src/**/*.ts', 'libs/ingest/src/**/*.ts'], ['@pulseboard/delivery']),
  transportBoundary(['libs/delivery/src/**/*.ts'], ['@pulseboard/gateway', '@pulseboard/ingest']),
  {
    files: ['**/*.svelte', '**/*.svelte.ts', 'web/**/*.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser },
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
