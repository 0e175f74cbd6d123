/** @type {import('jest').Config} */
const ESM_ONLY = ['@nestjs', 'content-disposition'];
const swc = ['@swc/jest', { swcrc: true }];
const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  // Nest 12 (and a few of its dependencies) ship ESM only: swc turns them into CommonJS for Jest.
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_ONLY.join('|')})/).*/node_modules/`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      testTimeout: 60_000,
    },
  ],
};
