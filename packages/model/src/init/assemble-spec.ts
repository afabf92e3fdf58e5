import type { FeatureSpec, ModelSpec, OutputTransform } from '../model-spec';
import type { InferredFeature } from './infer-features';
import type { InferredLayout } from './infer-layout';
import type { ChosenOutput } from './infer-output';

export interface SpecParts {
  readonly version: string;
  readonly threshold: number;
  readonly layout: InferredLayout;
  readonly features: readonly InferredFeature[];
  readonly output: ChosenOutput;
  readonly transform: OutputTransform;
  /** Values per row of the output; undefined before the sample has run (the draft). */
  readonly outputWidth: number | undefined;
}

/** A feature as the spec holds it, with `input` only where the model input is named otherwise (per_feature). */
function featureEntry(feature: InferredFeature, layout: InferredLayout): FeatureSpec {
  const { description, ...typed } = feature.spec;
  const input = layout.layout === 'per_feature' ? layout.inputs.get(feature.spec.name)?.name : undefined;
  return { ...typed, ...(input !== undefined && input !== feature.spec.name ? { input } : {}), ...(description ? { description } : {}) };
}

/** The spec, its fields in the order people read them (what, how it is fed, what it answers, the features). */
export function assembleSpec(parts: SpecParts): ModelSpec {
  const { layout, output } = parts;
  const twoColumns = output.zipMap !== undefined || (parts.outputWidth ?? 1) >= 2;
  return {
    model_version: parts.version,
    input_layout: layout.layout,
    ...(layout.layout === 'tensor' ? { input_name: layout.input.name } : {}),
    output_name: output.name,
    output_transform: parts.transform,
    ...(twoColumns ? { positive_class_index: output.positiveClassIndex ?? 1 } : {}),
    threshold: parts.threshold,
    features: parts.features.map((feature) => featureEntry(feature, layout)),
  };
}
