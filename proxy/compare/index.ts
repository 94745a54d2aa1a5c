// The comparison engine: pure functions from captured responses to diff entries, fingerprints and
// noise verdicts. See docs/compare.md.
export type { NormalizedBody } from './decode.ts';
export { decodeBody, decodeContent, readableText, MAX_DECODED_BYTES } from './decode.ts';
export { normalizeResponse, applyRules, normalizeHeaderValue, IGNORED, type NormalizedResponse } from './normalize.ts';
export { diffResponses, diffBodies } from './response-diff.ts';
export { diffValues, equalValues } from './diff.ts';
export { textDiff } from './text-diff.ts';
export { foldPath, formatPath, parsePattern, parseConcretePath, pathExists, type PathKey } from './json-path.ts';
export { fingerprint, fieldId } from './fingerprint.ts';
export {
  isRealDifference,
  noiseFields,
  noiseScore,
  realDifferences,
  DEFAULT_NOISE_THRESHOLDS,
  type FieldCounts,
  type NoiseThresholds,
  type NoiseScore,
} from './noise.ts';
export { compileRules, isCompiled, type CompiledRules } from './rules.ts';
