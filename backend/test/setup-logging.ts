import { Logger } from '@nestjs/common';

// Code under test that logs outside a test app (which captures its own log) only shows
// warnings and errors, so a failing test's output stays readable.
Logger.overrideLogger(['error', 'warn']);
