/** The parts of the served OpenAPI document the fuzzer reads. */
export interface Schema {
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly example?: unknown;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly $ref?: string;
}

interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Schema;
}

interface OperationObject {
  readonly operationId?: string;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: Record<string, { schema?: Schema }>;
  };
  readonly responses: Readonly<Record<string, unknown>>;
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationObject>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, Schema>> };
}

export interface Parameter {
  readonly name: string;
  readonly required: boolean;
  readonly schema: Schema;
}

/** One operation of the document, with $refs resolved. */
export interface Operation {
  /** e.g. `POST /api/incidents/{id}/acknowledge` */
  readonly key: string;
  readonly method: string;
  readonly template: string;
  readonly pathParams: readonly Parameter[];
  readonly queryParams: readonly Parameter[];
  readonly headerParams: readonly Parameter[];
  /** The JSON body's schema, if the operation declares one. */
  readonly body: Schema | undefined;
  readonly documentedStatuses: ReadonlySet<number>;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const resolve = (schema: Schema | undefined): Schema => {
    if (!schema) return {};
    if (!schema.$ref) return schema;
    return doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] ?? {};
  };
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]): Operation => {
      const params = (where: ParameterObject['in']): Parameter[] =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required ?? false, schema: resolve(p.schema) }));
      const bodySchema = op.requestBody?.content['application/json']?.schema;
      return {
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        pathParams: params('path'),
        queryParams: params('query'),
        headerParams: params('header'),
        body: bodySchema ? resolve(bodySchema) : undefined,
        documentedStatuses: new Set(Object.keys(op.responses).map(Number)),
      };
    }),
  );
}

/** A value the schema accepts: its example, default or first enum member, else one of its type. */
export function validValue(schema: Schema): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [validValue(schema.items ?? {})];
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, validValue(s)]));
    default:
      return 'x';
  }
}

/** A body of the schema with every property set to a valid value. */
export function validBody(schema: Schema | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema?.properties ?? {}).map(([k, s]) => [k, validValue(s)]));
}
