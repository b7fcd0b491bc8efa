/** The analysis step: similarity analyses of an experiment's stored runs, and reading them back. */
export {
  analyzeExperiment,
  type AnalyzeOptions,
  type AnalyzeResult,
  type AnalysisProgress,
  type AnalysisStore,
  type GenerationOptions,
} from './run-analysis';
export { planAnalysis, resolveSteps, type AnalysisPlan } from './plan';
export { buildProbe, probeFromDataset, hashBatch, DEFAULT_MAX_TOKENS, type Probe } from './probe';
export { probeActivations, stackedModel, type ModelActivations } from './activations';
export { generate, promptsFromRows, type GenerateOptions, type DecodeMode } from './generate';
export { RepresentationTables, outputTables, layerNames, OUTPUT_MEASURES } from './pairwise';
export { spectraTable, alignedTable } from './weight-tables';
export { analysisKey, ANALYSIS_VERSION } from './keys';
