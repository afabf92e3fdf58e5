import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { packageNameOf, publishedDependencies, publishedManifest } from '../build/build-package';

// The parts of the packed build that need no build; test/e2e/producer-package.test.ts builds, packs and installs it.
describe('the packed @vigil/prediction-log', function () {
  it('names the package of an import, scoped or not, with or without a subpath', function () {
    expect(['bullmq', 'bullmq/dist/esm/classes', '@scope/name', '@scope/name/sub/path'].map(packageNameOf)).to.deep.equal([
      'bullmq',
      'bullmq',
      '@scope/name',
      '@scope/name',
    ]);
  });

  it('depends on exactly the packages the bundle imports, at the ranges the workspace manifest gives them', function () {
    expect(publishedDependencies(['bullmq', 'uuid'], { '@vigil/queue': '*', bullmq: '^6.7.0', uuid: '^11.0.0', ioredis: '^5.9.2' })).to.deep.equal({
      bullmq: '^6.7.0',
      uuid: '^11.0.0',
    });
  });

  it('refuses to build when the bundle imports a package the workspace manifest does not list', function () {
    expect(() => publishedDependencies(['bullmq', 'left-pad'], { bullmq: '^6.7.0' })).to.throw(/the bundle imports left-pad, which .* does not list/);
  });

  it('exports the built JavaScript and declarations, and is not private', function () {
    const manifest = publishedManifest({ name: '@vigil/prediction-log', version: '1.2.3', engines: { node: '>=20.19' } }, { bullmq: '^6.7.0' });
    expect(manifest).to.deep.include({
      name: '@vigil/prediction-log',
      version: '1.2.3',
      type: 'module',
      types: './dist/index.d.ts',
      files: ['dist', 'README.md'],
    });
    expect(manifest.exports['.']).to.deep.equal({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    expect(manifest).not.to.have.property('private');
  });

  it('keeps the workspace manifest on the TypeScript source, so the repository needs no build', function () {
    const workspace = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, Record<string, string>> };
    expect(Object.values(workspace.exports['.']!)).to.deep.equal(['./src/index.ts', './src/index.ts', './src/index.ts']);
  });

  it('leaves examples/ out of the root workspaces: the example installs the tarball, not the workspace', function () {
    const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { workspaces: string[] };
    // A glob's literal start (before its first wildcard) is the folder it can match in.
    const prefixes = root.workspaces.map((glob) => glob.split('*')[0] as string);
    expect(prefixes.filter((prefix) => 'examples/express-model-server/'.startsWith(prefix))).to.deep.equal([]);
    const example = JSON.parse(readFileSync(new URL('../../../examples/express-model-server/package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(example.dependencies['@vigil/prediction-log']).to.equal('file:vigil-prediction-log.tgz');
  });
});
