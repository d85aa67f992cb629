export {
  describeVectorIndexConformance,
  type VectorIndexCapabilities,
  type VectorIndexSuiteOptions,
} from './conformance.ts';
