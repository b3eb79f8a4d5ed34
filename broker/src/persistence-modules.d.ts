// The Aedes persistence packages ship no type declarations; only their factories are used here.
declare module 'aedes-persistence-level' {
  import type { Level } from 'level';
  const factory: (db: Level<string, Buffer>) => unknown;
  export default factory;
}

declare module 'aedes-persistence-redis' {
  const factory: (options: { host?: string; port?: number; family?: 4 | 6; password?: string; db?: number; maxSessionDelivery?: number }) => unknown;
  export default factory;
}
