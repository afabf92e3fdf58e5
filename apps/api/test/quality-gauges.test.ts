import { expect } from 'chai';
import { createApiMetrics, type QualitySnapshot } from '@vigil/metrics';

const figures = (precision: number | null, recall: number | null, f1: number | null, roc_auc: number | null) => ({ precision, recall, f1, roc_auc });

/** The vigil_quality_* lines of a scrape, without HELP and TYPE. */
async function qualityLines(metrics: ReturnType<typeof createApiMetrics>): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith('vigil_quality_'));
}

// The gauges of @vigil/metrics alone, on a source given by hand; apps/api/test/quality-metrics.test.ts checks them against the API.
describe('vigil_quality_* gauges', function () {
  it('export each defined figure per model version and window, and no sample for a null one', async function () {
    const metrics = createApiMetrics();
    const snapshot: QualitySnapshot = {
      window: '7d',
      models: [
        { modelVersion: 'm@2', realized: figures(0.75, 0.5, 0.6, 0.9), estimated: figures(0.7, null, null, 0.85), labelCoverage: 0.25, labeled: 40 },
        { modelVersion: 'm@1', realized: figures(null, null, null, null), estimated: figures(0.1, 0.2, 0.3, 0.4), labelCoverage: 0, labeled: 0 },
      ],
    };
    metrics.setScrapeSources({ quality: async () => snapshot });
    expect(await qualityLines(metrics)).to.deep.equal([
      'vigil_quality_realized{model_version="m@2",metric="precision",window="7d"} 0.75',
      'vigil_quality_realized{model_version="m@2",metric="recall",window="7d"} 0.5',
      'vigil_quality_realized{model_version="m@2",metric="f1",window="7d"} 0.6',
      'vigil_quality_realized{model_version="m@2",metric="roc_auc",window="7d"} 0.9',
      'vigil_quality_estimated{model_version="m@2",metric="precision",window="7d"} 0.7',
      'vigil_quality_estimated{model_version="m@2",metric="roc_auc",window="7d"} 0.85',
      'vigil_quality_estimated{model_version="m@1",metric="precision",window="7d"} 0.1',
      'vigil_quality_estimated{model_version="m@1",metric="recall",window="7d"} 0.2',
      'vigil_quality_estimated{model_version="m@1",metric="f1",window="7d"} 0.3',
      'vigil_quality_estimated{model_version="m@1",metric="roc_auc",window="7d"} 0.4',
      'vigil_quality_label_coverage{model_version="m@2",window="7d"} 0.25',
      'vigil_quality_label_coverage{model_version="m@1",window="7d"} 0',
      'vigil_quality_labeled{model_version="m@2",window="7d"} 40',
      'vigil_quality_labeled{model_version="m@1",window="7d"} 0',
    ]);
  });

  it('drop a model version that left the window, and every sample while the source knows nothing or is absent', async function () {
    const metrics = createApiMetrics();
    let snapshot: QualitySnapshot | undefined = {
      window: '7d',
      models: [{ modelVersion: 'm@1', realized: figures(1, 1, 1, 1), estimated: figures(1, 1, 1, 1), labelCoverage: 1, labeled: 1 }],
    };
    metrics.setScrapeSources({ quality: async () => snapshot });
    expect(await qualityLines(metrics)).to.have.length(10);
    snapshot = { window: '7d', models: [] };
    expect(await qualityLines(metrics)).to.deep.equal([]);
    snapshot = undefined; // a failed read (scrapeCache resolves undefined)
    expect(await qualityLines(metrics)).to.deep.equal([]);
    metrics.setScrapeSources({}); // no quality source at all
    expect(await qualityLines(metrics)).to.deep.equal([]);
    const text = await metrics.registry.metrics();
    expect(text).to.include('# TYPE vigil_quality_realized gauge');
    expect(text).to.include('vigil_scrape_source_failures_total{source="quality"} 0');
  });
});
