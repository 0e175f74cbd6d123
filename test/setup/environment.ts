import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's Node environment, handing the test file Node's own `require` for ./native-modules.ts.
 * This file is loaded by Node itself, outside the test's sandbox: its `require` is Node's.
 */
export default class LianxinEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global.__nodeRequire = require;
  }
}
