const { statSync } = require('node:fs');
const path = require('node:path');
const TestSequencer = require('@jest/test-sequencer').default;

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

/*
 * Longest files first, so that a run never ends with one long file alone on one core. Jest orders
 * by each file's time in its cache (the last run on this machine); a fresh clone (CI) has none and
 * would order by size, which puts small slow files (the hostile sweeps) late. Files the cache does
 * not know are estimated: measured seconds for the slowest, else by kind (a browser file starts
 * Chromium and an app) and size.
 */
const KNOWN_SECONDS = {
  'test/browser/every-page.test.ts': 198,
  'test/e2e/hostile-sweep.test.ts': 111,
  'test/e2e/hostile-sweep-schemas.test.ts': 92,
};
const SECONDS_BY_KIND = { browser: 25, e2e: 12, integration: 8 };
function estimatedSeconds(file) {
  const relative = path.relative(__dirname, file).split(path.sep).join('/');
  if (relative in KNOWN_SECONDS) return KNOWN_SECONDS[relative];
  const kind = /^test\/(browser|e2e|integration)\//.exec(relative)?.[1];
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // a file gone since the run started: Jest reports it
  }
  return (kind ? SECONDS_BY_KIND[kind] : 0.5) + size / 5000;
}
const cachedTime = TestSequencer.prototype.time;
TestSequencer.prototype.time = function time(test) {
  return cachedTime.call(this, test) ?? estimatedSeconds(test.path) * 1000;
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
      testEnvironment: '<rootDir>/test/setup/environment.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts', '<rootDir>/test/setup/native-modules.ts'],
      testTimeout: 60_000,
    },
  ],
};
