// Lets a plain `node` child process run our TypeScript (for tests that must crash or signal a
// real process). Only our .ts files are compiled; node_modules load natively.
const { addHook } = require('pirates');
const swc = require('@swc/core');

addHook(
  (code, filename) =>
    swc.transformSync(code, {
      filename,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
      },
      module: { type: 'commonjs', ignoreDynamic: true },
      sourceMaps: 'inline',
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
