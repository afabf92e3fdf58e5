import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FeatureSpec, ModelSpec } from '@vigil/model';
import { ERROR_STATUS } from '../../src/error-status';
import { servedRoutes, useDocumentedApps, type DocumentedApp } from './documented-app';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[] };
interface Response {
  description: string;
  content?: Record<string, { schema: Schema; examples?: Record<string, { value: unknown }> }>;
  'x-error-codes'?: string[];
}
interface Operation {
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, Response>;
}
interface Document {
  openapi: string;
  info: { version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

async function documentOf(app: DocumentedApp): Promise<Document> {
  const answer = await app.request<Document>('GET', '/openapi.json');
  expect(answer.status).to.equal(200);
  expect(answer.contentType).to.match(/^application\/json/);
  return answer.body;
}

function operations(document: Document): [string, string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]): [string, string, Operation] => [method, path, op]));
}

/** Every `$ref` in the document, wherever it is. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refs(item, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refs(inner, found);
    }
  }
  return found;
}

/** What the Features schema must say of one feature, straight from the spec. */
function expectedFeatureSchema(feature: FeatureSpec): Schema {
  switch (feature.type) {
    case 'number':
    case 'integer':
      return { type: feature.type, minimum: feature.min, maximum: feature.max };
    case 'boolean':
      return { type: 'boolean' };
    case 'categorical':
      return { type: 'string', enum: [...feature.categories] };
  }
}

function expectFeaturesMatch(document: Document, spec: Pick<ModelSpec, 'features'>): void {
  const features = document.components.schemas.Features as Schema;
  expect(features.required, 'every feature is required').to.deep.equal(spec.features.map((feature) => feature.name));
  expect(features.additionalProperties, 'no other key').to.equal(false);
  expect(Object.keys(features.properties ?? {})).to.deep.equal(spec.features.map((feature) => feature.name));
  for (const feature of spec.features) {
    const { description, ...schema } = features.properties?.[feature.name] as Schema;
    expect(schema, feature.name).to.deep.equal(expectedFeatureSchema(feature));
    expect(description, feature.name).to.be.a('string').and.not.equal('');
    if (feature.description !== undefined) expect(description, feature.name).to.equal(feature.description);
  }
}

describe('GET /openapi.json: the OpenAPI 3.1 document of the app', function () {
  const apps = useDocumentedApps();

  it('is a valid OpenAPI 3.1 document by @seriousme/openapi-schema-validator, every $ref resolving', async function () {
    const document = await documentOf(await apps.build({ everything: true }));
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.valid, `validator errors:\n${JSON.stringify(result.errors, null, 2)}`).to.equal(true);
    expect(validator.version).to.equal('3.1');
    expect(document.openapi).to.match(/^3\.1\./);
    const schemas = new Set(Object.keys(document.components.schemas).map((name) => `#/components/schemas/${name}`));
    const dangling = refs(document).filter((ref) => !schemas.has(ref));
    expect(dangling, 'refs with no schema').to.deep.equal([]);
    expect(() => validator.resolveRefs()).not.to.throw();
  });

  it("builds /predict's request body from the loaded model's spec: names, types, ranges, categories, required, no other key", async function () {
    const app = await apps.build();
    const document = await documentOf(app);
    const { body: model } = await app.request<{ spec: ModelSpec; max_instances_per_request: number }>('GET', '/model');
    expectFeaturesMatch(document, model.spec);
    const body = document.paths['/predict']?.post?.requestBody?.content['application/json']?.schema;
    expect(body).to.deep.equal({ $ref: '#/components/schemas/PredictRequest' });
    const { PredictRequest, PredictOne, PredictBatch } = document.components.schemas as Record<string, Schema>;
    expect(PredictRequest?.oneOf).to.deep.equal([{ $ref: '#/components/schemas/PredictOne' }, { $ref: '#/components/schemas/PredictBatch' }]);
    expect(PredictOne).to.include({ additionalProperties: false }).and.to.have.deep.property('required', ['features']);
    expect(PredictBatch).to.include({ additionalProperties: false }).and.to.have.deep.property('required', ['instances']);
    expect(PredictBatch?.properties?.instances).to.deep.include({ minItems: 1, maxItems: model.max_instances_per_request });
    expect(document.info.description).to.include(model.spec.features[0]?.name).and.include(String(model.spec.threshold));
  });

  it('agrees with the API: its examples are scored (200); each feature pushed past what the schema allows is refused 422 there', async function () {
    const app = await apps.build();
    const document = await documentOf(app);
    const examples = document.paths['/predict']?.post?.requestBody?.content['application/json']?.examples ?? {};
    expect(Object.keys(examples)).to.deep.equal(['one', 'batch']);
    const one = await app.request<{ prediction: number; probability: number }>('POST', '/predict', examples.one?.value);
    expect(one.status, JSON.stringify(one.body)).to.equal(200);
    expect(one.body.probability).to.be.within(0, 1);
    const batch = await app.request<{ predictions: unknown[] }>('POST', '/predict', examples.batch?.value);
    expect(batch.status, JSON.stringify(batch.body)).to.equal(200);
    expect(batch.body.predictions).to.have.length(2);

    const features = (examples.one?.value as { features: Record<string, unknown> }).features;
    const schemas = document.components.schemas.Features?.properties ?? {};
    for (const [name, schema] of Object.entries(schemas)) {
      const outside = typeof schema.maximum === 'number' ? schema.maximum + 1 : Array.isArray(schema.enum) ? 'not-a-category' : 'not-a-boolean';
      const refused = await app.request<{ error: { code: string; details: { problems: { path: string }[] } } }>('POST', '/predict', {
        features: { ...features, [name]: outside },
      });
      expect(refused.status, name).to.equal(422);
      expect(
        refused.body.error.details.problems.map((problem) => problem.path),
        name,
      ).to.deep.equal([`features.${name}`]);
    }
    const extra = await app.request('POST', '/predict', { features: { ...features, not_a_feature: 1 } });
    expect(extra.status, 'a key the schema does not list').to.equal(422);
  });

  it('documents every (method, path) the Express router serves, and serves every one it documents', async function () {
    const app = await apps.build({ everything: true });
    const document = await documentOf(app);
    const served = servedRoutes(app.app);
    const documented = new Set(operations(document).map(([method, path]) => `${method.toUpperCase()} ${path}`));
    expect(served.size, 'the walk found the routes').to.be.greaterThan(20);
    expect(
      [...served].filter((route) => !documented.has(route)),
      'served, not documented',
    ).to.deep.equal([]);
    expect(
      [...documented].filter((route) => !served.has(route)),
      'documented, not served',
    ).to.deep.equal([]);
    for (const route of ['GET /monitoring/drift', 'GET /monitoring/alerts', 'GET /admin/queues', 'POST /admin/dead-letters/{id}/replay', 'GET /docs']) {
      expect(served.has(route), route).to.equal(true);
    }
  });

  it('leaves out the routes of services the app was built without', async function () {
    const app = await apps.build();
    const document = await documentOf(app);
    const served = servedRoutes(app.app);
    for (const path of ['/monitoring/drift', '/monitoring/drift/timeline', '/monitoring/alerts', '/admin/queues']) {
      expect(document.paths, path).not.to.have.property(path);
      expect(served.has(`GET ${path}`), path).to.equal(false);
    }
    const documented = new Set(operations(document).map(([method, path]) => `${method.toUpperCase()} ${path}`));
    expect([...served].filter((route) => !documented.has(route))).to.deep.equal([]);
  });

  it('gives every error answer the shared Error schema, and each code the status of ERROR_STATUS', async function () {
    const document = await documentOf(await apps.build({ everything: true, overrides: { security: { rateLimitPerMinute: 1000 } } }));
    const errorSchema = document.components.schemas.Error as Schema;
    const code = (errorSchema.properties?.error as Schema).properties?.code;
    expect(code?.enum).to.have.members(Object.keys(ERROR_STATUS));
    const seen = new Set<string>();
    for (const [method, path, op] of operations(document)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const codes = response['x-error-codes'];
        if (codes === undefined) continue;
        expect(response.content?.['application/json']?.schema, `${method} ${path} ${status}`).to.deep.equal({ $ref: '#/components/schemas/Error' });
        for (const one of codes) {
          expect(ERROR_STATUS[one as keyof typeof ERROR_STATUS], `${method} ${path}: ${one}`).to.equal(Number(status));
          expect(response.description, `${method} ${path}: ${one}`).to.include(one);
          seen.add(status);
        }
      }
      expect(op.responses, `${method} ${path}`).to.have.property('500');
      expect(
        Object.keys(op.responses).some((status) => status.startsWith('2')),
        `${method} ${path} has a success answer`,
      ).to.equal(true);
    }
    expect([...seen].sort()).to.deep.equal(['400', '404', '413', '415', '422', '429', '500', '503']);
    const predict = document.paths['/predict']?.post?.responses ?? {};
    expect(Object.keys(predict)).to.deep.equal(['200', '400', '413', '415', '422', '429', '500']);
    expect(document.paths['/healthz']?.get?.responses, 'probes are never rate limited').not.to.have.property('429');
    expect(document.paths['/readyz']?.get?.responses['503']?.content?.['application/json']?.schema).to.deep.equal({ $ref: '#/components/schemas/Readiness' });
  });

  it('shows the keys this server has: a request without one is refused 401 exactly where the document asks for one', async function () {
    const security = { predictApiKey: 'p'.repeat(24), feedbackApiKey: 'f'.repeat(24), monitoringApiKey: 'm'.repeat(24), adminApiKey: 'a'.repeat(24) };
    const app = await apps.build({ everything: true, overrides: { security } });
    const document = await documentOf(app);
    expect(Object.keys(document.components.securitySchemes)).to.have.members(['predictKey', 'feedbackKey', 'monitoringKey', 'adminKey']);
    expect(document.paths['/predict']?.post?.security).to.deep.equal([{ predictKey: [] }]);
    expect(document.paths['/feedback']?.post?.security).to.deep.equal([{ feedbackKey: [] }]);
    expect(document.paths['/monitoring/latency']?.get?.security).to.deep.equal([{ monitoringKey: [] }, { adminKey: [] }]);
    expect(document.paths['/admin/dead-letters/{id}/replay']?.post?.security).to.deep.equal([{ adminKey: [] }]);
    for (const [method, path, op] of operations(document)) {
      const assetNames = op.parameters?.find((parameter) => parameter.name === 'name')?.schema.enum as string[] | undefined;
      const url = path.replace('{id}', 'some-id').replace('{name}', String(assetNames?.[0]));
      const answer = await app.request(method.toUpperCase(), url, method === 'post' ? {} : undefined);
      const guarded = op.security.length > 0;
      expect(answer.status === 401, `${method} ${path}: ${answer.status}`).to.equal(guarded);
      expect(Object.keys(op.responses).includes('401'), `${method} ${path} documents 401`).to.equal(guarded);
      // The open routes answer without a key (none of them needs a store this app lacks).
      if (!guarded) expect(answer.status, `${method} ${path}`).to.equal(200);
    }
  });

  it('asks for no key where none is set, and says so', async function () {
    const document = await documentOf(await apps.build());
    expect(document.components.securitySchemes).to.deep.equal({});
    for (const [method, path, op] of operations(document)) {
      expect(op.security, `${method} ${path}`).to.deep.equal([]);
      expect(op.responses, `${method} ${path}`).not.to.have.property('401');
      expect(op.responses, `${method} ${path}: no rate limit set`).not.to.have.property('429');
    }
    expect(document.info.description).to.include('none is set');
  });

  it('changes with the model spec and the batch limit the app is built with', async function () {
    const before = await documentOf(await apps.build());
    const base = (await (await apps.build()).request<{ spec: ModelSpec }>('GET', '/model')).body.spec;
    const spec: ModelSpec = {
      ...base,
      model_version: 'fraud-detection-model@9.9.9-test',
      threshold: 0.3,
      features: [
        { name: 'amount', type: 'number', min: 1, max: 500, description: 'Amount, capped lower.' },
        { name: 'is_weekend', type: 'boolean' },
        { name: 'channel', type: 'categorical', categories: ['web', 'pos', 'phone'] },
        { name: 'attempts', type: 'integer', min: 0, max: 5 },
      ],
    };
    const app = await apps.build({ spec, overrides: { maxInstancesPerRequest: 3 } });
    const after = await documentOf(app);
    expectFeaturesMatch(after, spec);
    expect(after).not.to.deep.equal(before);
    expect(after.components.schemas.PredictBatch?.properties?.instances).to.deep.include({ maxItems: 3 });
    expect(after.info.description).to.include('fraud-detection-model@9.9.9-test').and.include('0.3').and.include('`channel`');
    expect(after.info.description).not.to.include('`velocity`');
    expect((after.components.schemas.Features?.properties?.is_weekend as Schema).description).to.equal('true or false.');
    // The route checks what the document says: 600 is past the new maximum.
    const refused = await app.request('POST', '/predict', { features: { amount: 600, is_weekend: false, channel: 'web', attempts: 1 } });
    expect(refused.status).to.equal(422);
  });
});
