import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * One policy for the console and Swagger UI, both served from this origin. Angular and
 * Angular Material add component styles at run time, hence 'unsafe-inline' for styles only;
 * scripts stay 'self'. Socket.IO connects back to the same origin ('self' covers ws/wss).
 */
export const securityHeaders: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  crossOriginEmbedderPolicy: false,
};
