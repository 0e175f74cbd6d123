// @ts-check
import eslint from '@eslint/js';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'data/',
      'bench/**/*.js',
      'jest.config.js',
      'eslint.config.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      curly: ['error', 'multi-line'],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='DomainError']",
          message:
            "Declare the error once as a class in the module's *.errors.ts (or common.errors.ts) and throw that.",
        },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'stripe',
              message: 'Only src/modules/payments/stripe/stripe.client.ts talks to Stripe.',
            },
          ],
          patterns: [
            {
              group: ['../*/*.entity', '../../modules/*/*.entity'],
              allowTypeImports: true,
              message: "Another module's entity is its own: use that module's exported service.",
            },
          ],
        },
      ],
    },
  },
  {
    // pg rows are untyped JSON: only where raw SQL lives are they typed at the boundary by hand.
    files: [
      'src/**/*.repository.ts',
      'src/database/**/*.ts',
      'src/queue/**/*.ts',
      'src/cli/**/*.ts',
      'migrations/**/*.ts',
      'src/**/*.spec.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['src/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'typeorm', message: 'Controllers pass data to services; no queries here.' },
            {
              name: 'stripe',
              message: 'Only src/modules/payments/stripe/stripe.client.ts talks to Stripe.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.errors.ts', 'src/common/errors/**/*.ts', '**/*.spec.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/modules/payments/stripe/stripe.client.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'request.**.expect'] }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The pages' small progressive scripts: plain browser JavaScript, no types, no modules.
    files: ['templates/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly' },
    },
  },
  prettier,
);
