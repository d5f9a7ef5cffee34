import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module';
import { buildOpenApiDocument } from '../../src/common/http/openapi';
import { loadConfig } from '../../src/config/app-config';
import { API_PREFIX, productVersion } from '../../src/http-application';

/** Every optional route on (SSO), as in the specs that check the document; throwaway secrets. */
export const DOCUMENT_ENV = {
  NODE_ENV: 'test',
  JWT_SECRET: 'openapi-export-only-0123456789abcdefghijklmnopq',
  ENCRYPTION_KEYS: `export:${Buffer.alloc(32, 3).toString('base64')}`,
  SSO_PROVIDER: 'servicenow',
  SSO_BASE_URL: 'http://127.0.0.1:9',
  SSO_CLIENT_ID: 'openapi-client',
  SSO_CLIENT_SECRET: 'openapi-secret',
} as const;

/**
 * The OpenAPI document the app serves at /api/docs-json (as JSON), built without a database:
 * Nest's preview mode scans the modules and controllers but instantiates nothing (no connection,
 * no worker), which is all the document needs. `openapi-document.e2e-spec.ts` proves it equal to
 * the served one.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig(DOCUMENT_ENV);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, 'postgres://preview@127.0.0.1:9/none'),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    app.setGlobalPrefix(API_PREFIX);
    return JSON.parse(JSON.stringify(buildOpenApiDocument(app, productVersion()))) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
