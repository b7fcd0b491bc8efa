export * from './config';
export { Transformer, paramSpecs, countParams, initMemberValues } from './transformer';
export type {
  ParamSpec,
  ParamInit,
  HiddenState,
  ForwardOptions,
  ForwardResult,
  TensorRecord,
} from './transformer';
export { DropoutStreams } from './dropout';
export { generate } from './generate';
export type { GenerateOptions } from './generate';
