import fastifyCookie from '@fastify/cookie';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/errors/validation';
import { answerClientError } from './common/http/client-errors';
import { registerApiCacheControl } from './common/http/cache-headers';
import { registerConsoleSite } from './common/http/console-site';
import { registerJsonOnlyBodies } from './common/http/body-media-types';
import { DrainingFastifyAdapter } from './common/http/draining-fastify-adapter';
import { registerJsonBodyParser } from './common/http/json-body';
import { setUpOpenApi } from './common/http/openapi';
import { requestIdFor, REQUEST_ID_HEADER } from './common/http/request-id';
import { registerRequestLogging } from './common/http/request-logging';
import { registerStorableTextCheck } from './common/http/request-text-check';
import { answerRoutingError, MAX_PATH_PARAM_LENGTH } from './common/http/routing-errors';
import { registerSecurityHeaders } from './common/http/security-headers';
import { SocketIoAdapter } from './common/http/socket-io.adapter';
import { liveServerOptions } from './gateway/live-server-options';
import { createLogger } from './common/logging/logger';
import { NestPinoLogger } from './common/logging/nest-pino-logger';
import type { AppConfig } from './config/app-config';
import { repositoryRoot } from './config/repository-root';

export const API_PREFIX = 'api';

export function productVersion(): string {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * Assembles the whole product on one Fastify server: API under /api, Swagger at /api/docs,
 * Socket.IO at /socket.io, and the console at /. Used by main.ts and by every integration
 * test, so tests exercise the same stack that ships. Fastify was chosen by measurement
 * (bench/http-adapter; figures in docs/architecture.md).
 */
export async function createHttpApplication(
  config: AppConfig,
  databaseUrl: string,
  options: { readonly logger?: Logger; readonly extraImports?: ModuleMetadata['imports'] } = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.log.level);
  const adapter = new DrainingFastifyAdapter({
    clientErrorHandler: answerClientError,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logger: false,
    // Let keep-alive sockets go at close; in-flight requests still finish.
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: answerRoutingError(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl, options.extraImports),
    adapter,
    {
      rawBody: true, // webhook signatures are computed over the exact bytes received
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  registerRequestLogging(fastify, logger);
  registerSecurityHeaders(fastify);
  registerApiCacheControl(fastify, `/${API_PREFIX}`);
  registerJsonOnlyBodies(app, `/${API_PREFIX}`);
  registerJsonBodyParser(app);
  registerStorableTextCheck(fastify, `/${API_PREFIX}`);
  await app.register(fastifyCookie);
  app.enableCors({
    origin: config.http.corsOrigins.length > 0 ? [...config.http.corsOrigins] : false,
    credentials: true,
    exposedHeaders: [REQUEST_ID_HEADER],
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new SocketIoAdapter(app, config.http.corsOrigins, liveServerOptions(config.live)));
  setUpOpenApi(app, productVersion());
  await registerConsoleSite(fastify, config.consoleDir);
  return app;
}
