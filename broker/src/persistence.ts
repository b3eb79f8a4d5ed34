import aedesPersistenceLevel from 'aedes-persistence-level';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Level } from 'level';

/**
 * Where Aedes keeps sessions (subscriptions, offline queues), retained
 * messages, QoS 1/2 messages in flight and Last Wills.
 * - `memory`: Aedes' default; lost on restart (tests, development).
 * - `level`: LevelDB files under a directory, one center on one machine.
 * - `redis`: a Redis server, shared by several centers when the broker is scaled out.
 */
export type BrokerPersistenceOptions =
  | { kind: 'memory' }
  | { kind: 'level'; path: string }
  | { kind: 'redis'; url: string };

/** What Aedes.createBroker takes as `persistence`, plus how to let go of it. */
export interface BrokerPersistence {
  /** undefined → Aedes' in-memory default */
  readonly instance: unknown;
  close(): Promise<void>;
}

interface Destroyable {
  destroy(): Promise<void>;
}

// Promise style, as Aedes 1.x itself calls persistences: the callback form waits for a
// 'ready' event that only the old callback-style setup emits, and would never return.
const destroy = (instance: unknown): Promise<void> => (instance as Destroyable).destroy();

/** `redis://[:password@]host:port[/db]` → ioredis options. */
export function redisOptions(url: string): { host: string; port: number; family: 4 | 6; password?: string; db?: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`not a redis:// URL: ${url}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    family: host.includes(':') ? 6 : 4,
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === undefined || Number.isNaN(db) ? {} : { db }),
  };
}

export async function createBrokerPersistence(options: BrokerPersistenceOptions): Promise<BrokerPersistence> {
  switch (options.kind) {
    case 'memory':
      return { instance: undefined, close: async () => undefined };
    case 'level': {
      // Buffer values: aedes-persistence-level stores msgpack-encoded packets.
      const db = new Level<string, Buffer>(options.path, { valueEncoding: 'buffer' });
      await db.open();
      const instance = aedesPersistenceLevel(db);
      return { instance, close: () => destroy(instance) };
    }
    case 'redis': {
      const instance = aedesPersistenceRedis(redisOptions(options.url));
      return { instance, close: () => destroy(instance) };
    }
  }
}
