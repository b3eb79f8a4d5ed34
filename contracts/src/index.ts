export * from './domains.ts';
export * from './topics.ts';
export * from './reading.ts';
export * from './status.ts';
export * from './sensor.ts';
export * from './alert.ts';
export * from './events.ts';
export * from './history.ts';
