export * from './fault-options.ts';
export * from './fault-injector.ts';
