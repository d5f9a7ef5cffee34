import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { sendProblem } from '../errors/problem-details.filter';
import { RequestError, RequestErrorCode } from '../errors/request-errors';
import { isUnderPrefix } from './url-path';

/** Paths the console must never answer for: the API, its docs, and the live socket. */
const SERVER_PREFIXES = ['/api', '/socket.io'];
/** Angular's production file names carry a content hash, so they can be cached forever. */
const HASHED_ASSET = /-[A-Z0-9]{8,}\.(js|css|woff2?|ttf|svg|png)$/;

/**
 * Serves the built Angular console at `/` with a single-page-app fallback: any GET of
 * /incidents/42 gets index.html; a missing /main-XYZ.js or /api/x stays a 404 problem.
 */
export async function registerConsoleSite(fastify: FastifyInstance, consoleDir: string): Promise<void> {
  const logger = new Logger('ConsoleSite');
  const indexFile = join(consoleDir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await fastify.register(fastifyStatic, {
      root: consoleDir,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      setHeaders: (reply, path) => {
        if (path.endsWith('.html')) void reply.header('cache-control', 'no-cache');
        else if (HASHED_ASSET.test(path))
          void reply.header('cache-control', 'public, max-age=31536000, immutable');
        else void reply.header('cache-control', 'public, max-age=3600');
      },
    });
    logger.log(`Serving the console from ${consoleDir}`);
  } else {
    logger.warn(`No console build at ${consoleDir}; run "npm run build" to serve it`);
  }

  fastify.get('/*', (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const isServerPath = SERVER_PREFIXES.some((p) => isUnderPrefix(path, p));
    // Any extensionless path is a console route, whatever the client accepts (`curl /` gets the
    // page too); a path with an extension is a file that does not exist.
    const isConsoleRoute = extname(path) === '';
    if (isServerPath || !isConsoleRoute) {
      sendProblem(new RequestError(RequestErrorCode.NotFound, `Nothing at ${path}`), req, reply, logger);
      return;
    }
    if (!built) {
      sendProblem(
        new RequestError(
          RequestErrorCode.ServiceUnavailable,
          'The console is not built. Run "npm run build".',
        ),
        req,
        reply,
        logger,
      );
      return;
    }
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
