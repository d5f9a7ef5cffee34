// The OpenAPI status check: runs after the main suite (`npm test`), reading what its specs
// recorded (see test/http-status-log.ts). It records nothing itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest loads its config as CommonJS
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.check.ts'],
  globals: { nexecuteStatusLogRead: base.globals.nexecuteStatusLog },
};
