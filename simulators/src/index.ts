export * from './errors.ts';
export { createRng, deriveSeed, shuffled, type Rng } from './rng.ts';
export { HCMC_UTC_OFFSET_MS, formatHcmcTimestamp, hcmcLocalTime, hourlyProfile, type LocalTime } from './hcmc-time.ts';
export * from './events.ts';
export * from './generators/index.ts';
export * from './scenarios.ts';
export * from './sensor-program.ts';
export * from './simulation.ts';
