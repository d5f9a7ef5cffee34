// Prints the OpenAPI document (as served at /api/docs-json) on stdout, built without a database;
// `npm run api:types` turns it into the console's types. Run with test/support/register-typescript.cjs.
import { openApiDocument } from './openapi-document';

openApiDocument().then(
  (document) => {
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
