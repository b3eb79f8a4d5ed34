export type { Generator, GeneratorResult, InitialStateOptions } from './types.ts';
export * from './traffic.ts';
export * from './flood.ts';
export * from './air.ts';
