/**
 * The parts of OpenAPI 3.1 this API's document uses, as plain data. Only
 * what is written here is typed; the validator test checks the whole
 * document against the official schema.
 */

/** A JSON Schema in OpenAPI 3.1's dialect (JSON Schema 2020-12), as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export type HttpMethod = 'get' | 'post';

/** `{ "<scheme name>": [] }`; an operation's `security` lists alternatives, `[]` means none needed. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface ParameterObject {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly required?: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface MediaTypeObject {
  readonly schema: JsonSchema;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
}

export interface HeaderObject {
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject>>;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
  /** The error codes this answer can carry (an extension, so tests and tools can read them). */
  readonly 'x-error-codes'?: readonly string[];
}

export type Responses = Readonly<Record<string, ResponseObject>>;

export interface RequestBodyObject {
  readonly description: string;
  readonly required: boolean;
  readonly content: Readonly<Record<string, MediaTypeObject>>;
}

export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly security: readonly SecurityRequirement[];
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: RequestBodyObject;
  readonly responses: Responses;
}

export type PathItem = Partial<Readonly<Record<HttpMethod, OperationObject>>>;
export type Paths = Readonly<Record<string, PathItem>>;

export interface SecuritySchemeObject {
  readonly type: 'http';
  readonly scheme: 'bearer';
  readonly description: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.1';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly jsonSchemaDialect: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Paths;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly securitySchemes: Readonly<Record<string, SecuritySchemeObject>>;
  };
}

/** A reference to a schema under `components.schemas`. */
export function schemaRef(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A JSON body of `schema`, for a request or an answer. */
export function json(schema: JsonSchema, example?: unknown): Readonly<Record<string, MediaTypeObject>> {
  return { 'application/json': example === undefined ? { schema } : { schema, example } };
}

/** `type` or null. */
export function orNull(type: 'number' | 'integer' | 'string', extra: JsonSchema = {}): JsonSchema {
  return { type: [type, 'null'], ...extra };
}

/** An object whose every listed property is required. */
export function objectOf(properties: Readonly<Record<string, JsonSchema>>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', required: Object.keys(properties), properties, ...extra };
}
