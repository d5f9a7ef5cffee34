import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../errors/problem-details.dto';

export const DOCS_PATH = 'api/docs';

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. */
export function setUpOpenApi(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Nexecute Connect API')
    .setDescription(
      'Incidents in two-way sync with ServiceNow, worked from Slack. Every error is an RFC 9457 ' +
        '`application/problem+json` document with a stable `code` to branch on and the `requestId` to quote.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addTag('health', 'Liveness and readiness for load balancers and orchestrators')
    .build();
  SwaggerModule.setup(
    DOCS_PATH,
    app,
    () => SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto] }),
    {
      jsonDocumentUrl: `${DOCS_PATH}-json`,
      customSiteTitle: 'Nexecute Connect API',
      swaggerOptions: { persistAuthorization: true },
    },
  );
}
