import { SetMetadata, type INestApplication, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ALLOW_PENDING_PASSWORD_CHANGE, PUBLIC_ROUTE, ROUTE_ROLES } from '../auth/access.decorators';
import { ProblemDetailsDto } from '../errors/problem-details.dto';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';

export const DOCS_PATH = 'api/docs';

const WITHOUT_DATABASE = 'nx:openapi-without-database';

/**
 * A route-specific error: its status and the codes (or a description naming them) that answer it.
 * Statuses every route of a kind can answer (400, 401, 403, 413, 415, 503) are added for you;
 * declare here only what the handler's own service throws (404, 409, 422 ...).
 */
export const ApiProblem = (status: number, description: string): MethodDecorator & ClassDecorator =>
  ApiResponse({ status, description, type: ProblemDetailsDto });

/** The route answers without touching the database, so it never answers 503 for an outage. */
export const ApiWithoutDatabase = (): MethodDecorator & ClassDecorator => SetMetadata(WITHOUT_DATABASE, true);

/** What the post-processor needs to know of the handler behind one operation. */
interface RouteFacts {
  readonly isPublic: boolean;
  readonly hasRoles: boolean;
  readonly allowsPendingPasswordChange: boolean;
  readonly validatesPath: boolean;
  readonly usesDatabase: boolean;
}

/** Methods whose body Fastify parses: a body can be malformed, too large or of the wrong type. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Reads the access and parameter metadata of every controller method, keyed like the default
 * operationId (`Controller_method`), so the document can be completed from what the guards and
 * pipes will actually do.
 */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const reflector = new Reflector();
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const targets = [handler, controller];
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          { pipes?: unknown[] }
        >;
        facts.set(`${controller.name}_${name}`, {
          isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
          hasRoles: reflector.getAllAndOverride<unknown[]>(ROUTE_ROLES, targets) !== undefined,
          allowsPendingPasswordChange:
            reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD_CHANGE, targets) ?? false,
          validatesPath: Object.entries(args).some(
            ([key, arg]) => key.startsWith(`${RouteParamtypes.PARAM}:`) && (arg.pipes?.length ?? 0) > 0,
          ),
          usesDatabase: !(reflector.getAllAndOverride<boolean>(WITHOUT_DATABASE, targets) ?? false),
        });
      }
    }
  }
  return facts;
}

/** The statuses (with the codes behind them) an operation can answer whatever its handler does. */
function commonProblems(method: string, op: OperationObject, route: RouteFacts): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const add = (status: number, code: string): void => {
    problems.set(status, [...(problems.get(status) ?? []), code]);
  };
  const params = (op.parameters ?? []) as { in?: string }[];
  if (op.requestBody || params.some((p) => p.in === 'query')) {
    add(400, '`VALIDATION_FAILED`: a field breaks its rules or is not declared (`errors` lists each)');
  }
  if (route.validatesPath) add(400, '`REQUEST_MALFORMED`: a path parameter is not of its type');
  if (params.some((p) => p.in === 'path')) {
    add(
      400,
      '`VALIDATION_FAILED`: a path parameter holds text that cannot be stored (NUL, unpaired surrogates)',
    );
  }
  if (BODY_METHODS.has(method)) {
    add(400, '`REQUEST_MALFORMED`: the body is not valid JSON');
    add(413, '`PAYLOAD_TOO_LARGE`: the body is over `BODY_LIMIT_BYTES`');
    add(415, '`UNSUPPORTED_MEDIA_TYPE`: send `application/json`');
  }
  if (!route.isPublic) {
    add(401, '`AUTH_UNAUTHENTICATED`, `AUTH_TOKEN_EXPIRED`, `AUTH_TOKEN_INVALID` or `AUTH_API_KEY_INVALID`');
    if (route.hasRoles) add(403, '`AUTH_FORBIDDEN`: your role may not do this');
    add(403, '`AUTH_SCOPE_MISSING`: the API key lacks a scope this route admits');
    add(403, '`AUTH_USER_DISABLED`: the account is disabled');
    if (!route.allowsPendingPasswordChange) {
      add(403, '`AUTH_PASSWORD_CHANGE_REQUIRED`: change the temporary password first');
    }
  }
  if (route.usesDatabase) {
    add(503, '`DATABASE_UNAVAILABLE`: the database is unavailable; retry after `Retry-After`');
  }
  return problems;
}

const problemContent = {
  [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
};

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/** A body whose schema requires nothing may be left out (the ValidationPipe reads none as `{}`). */
function mayOmitBody(doc: OpenAPIObject, op: OperationObject): boolean {
  const body = op.requestBody;
  if (!body || isReference(body)) return false;
  const schema = body.content['application/json']?.schema;
  const resolved: SchemaObject | ReferenceObject | undefined = isReference(schema)
    ? doc.components?.schemas?.[schema.$ref.split('/').pop() ?? '']
    : schema;
  return resolved !== undefined && !isReference(resolved) && (resolved.required ?? []).length === 0;
}

/**
 * Completes every operation's responses: the statuses common to its kind (from its route
 * metadata) merged with those its controller declares, every error as problem+json with the
 * codes named, and bodies that require nothing marked optional. 500 is left out: any operation
 * can fail unexpectedly, and the document says so once, in its description.
 */
export function completeResponses(doc: OpenAPIObject, facts: ReadonlyMap<string, RouteFacts>): OpenAPIObject {
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const route = facts.get(op.operationId ?? '');
      if (!route) throw new Error(`OpenAPI: no route metadata for operation ${op.operationId}`);
      for (const [status, codes] of commonProblems(method, op, route)) {
        const declared = op.responses[status] as ResponseObject | undefined;
        const description = [...new Set(codes), ...(declared?.description ? [declared.description] : [])];
        op.responses[status] = { description: description.join('; ') };
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && response && !isReference(response)) response.content = problemContent;
      }
      if (op.requestBody && !isReference(op.requestBody) && mayOmitBody(doc, op)) {
        op.requestBody.required = false;
      }
    }
  }
  return doc;
}

/**
 * The OpenAPI document of `app`'s routes, completed as described above. Needs only the scanned
 * modules, so `npm run api:types` builds it on an app that never connects (preview mode).
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Nexecute Connect API')
    .setDescription(
      'Incidents in two-way sync with ServiceNow, worked from Slack. Every error is an RFC 9457 ' +
        '`application/problem+json` document with a stable `code` to branch on and the `requestId` to quote. ' +
        'Each operation lists the statuses it answers and the codes behind them; any operation may also ' +
        'answer `500 INTERNAL_ERROR` if something unexpected fails.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addTag('health', 'Liveness and readiness for load balancers and orchestrators')
    .build();
  return completeResponses(
    SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto] }),
    routeFacts(app),
  );
}

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. */
export function setUpOpenApi(app: INestApplication, version: string): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app, version), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Nexecute Connect API',
    swaggerOptions: { persistAuthorization: true },
  });
}
