export * from './recorded-message.ts';
export * from './recording-writer.ts';
export * from './recording-reader.ts';
export * from './recorder.ts';
