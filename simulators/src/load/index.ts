export * from './latency-summary.ts';
export * from './load-run.ts';
export * from './load-payloads.ts';
