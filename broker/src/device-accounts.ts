import { createHash } from 'node:crypto';
import type { Database } from '@cityops/sqlite';
import { isDomain, isSensorId } from '@cityops/contracts';
import { deviceExists, deviceNotFound, invalidDevice, invalidDeviceId } from './errors.ts';
import { DEFAULT_SCRYPT_COST, generateSecret, hashSecret, secretMatches, type SecretHash } from './secret-hash.ts';
import { DEVICE_KINDS, type AddDeviceInput, type DeviceAccounts, type DeviceCredentials, type DeviceKind, type DevicePrincipal } from './types.ts';

export interface SqliteDeviceAccountsOptions {
  /** scrypt N (power of two). Lower it only in tests. */
  scryptCost?: number;
  /** extension: most cached successful verifications kept (default 10,000) */
  cacheSize?: number;
  /** extension: epoch-ms clock for created/rotated timestamps */
  clock?: () => number;
}

interface DeviceRow {
  id: string;
  kind: string;
  domain: string | null;
  sensor_ids: string | null;
  salt: string;
  hash: string;
  scrypt_n: number;
  created_at: number;
  rotated_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS broker_devices (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('sensor', 'gateway', 'integrator')),
  domain TEXT,
  sensor_ids TEXT,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  scrypt_n INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  rotated_at INTEGER
) STRICT`;

function isDeviceKind(value: unknown): value is DeviceKind {
  return typeof value === 'string' && (DEVICE_KINDS as readonly string[]).includes(value);
}

function toPrincipal(row: DeviceRow): DevicePrincipal {
  const principal: DevicePrincipal = { id: row.id, kind: row.kind as DeviceKind };
  if (row.domain !== null && isDomain(row.domain)) principal.domain = row.domain;
  if (row.sensor_ids !== null) principal.sensorIds = Object.freeze(JSON.parse(row.sensor_ids) as string[]);
  return Object.freeze(principal);
}

function validate(input: AddDeviceInput): void {
  if (!isSensorId(input.id)) throw invalidDeviceId(input.id);
  if (!isDeviceKind(input.kind)) throw invalidDevice(`unknown device kind ${JSON.stringify(input.kind)}`);
  if (input.kind === 'sensor' && !isDomain(input.domain)) {
    throw invalidDevice(`sensor "${input.id}" needs a domain (traffic, flood or air)`);
  }
  if (input.kind !== 'sensor' && input.domain !== undefined) {
    throw invalidDevice(`only sensors have a domain (got one for ${input.kind} "${input.id}")`);
  }
  if (input.kind !== 'gateway' && input.sensorIds !== undefined) {
    throw invalidDevice(`only gateways list sensorIds (got them for ${input.kind} "${input.id}")`);
  }
  for (const sensorId of input.sensorIds ?? []) {
    if (!isSensorId(sensorId)) throw invalidDeviceId(sensorId);
  }
}

/**
 * Device credentials in the center's SQLite database. Secrets exist in clear
 * only in the returned DeviceCredentials; the table keeps a salted scrypt hash.
 */
export function createSqliteDeviceAccounts(db: Database, options: SqliteDeviceAccountsOptions = {}): DeviceAccounts {
  const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  const cacheSize = options.cacheSize ?? 10_000;
  const clock = options.clock ?? Date.now;

  db.exec(SCHEMA);
  const selectOne = db.prepare<[string], DeviceRow>('SELECT * FROM broker_devices WHERE id = ?');
  const selectAll = db.prepare<[], DeviceRow>('SELECT * FROM broker_devices ORDER BY id');
  const insert = db.prepare(
    `INSERT INTO broker_devices (id, kind, domain, sensor_ids, salt, hash, scrypt_n, created_at, rotated_at)
     VALUES (@id, @kind, @domain, @sensorIds, @salt, @hash, @cost, @now, NULL)`,
  );
  const updateSecret = db.prepare(
    'UPDATE broker_devices SET salt = @salt, hash = @hash, scrypt_n = @cost, rotated_at = @now WHERE id = @id',
  );
  const deleteOne = db.prepare('DELETE FROM broker_devices WHERE id = ?');

  // A device that does not exist still costs one scrypt, so response time does not reveal which ids are registered.
  const decoy: Promise<SecretHash> = hashSecret(generateSecret(), cost);

  // Reconnect storms (a gateway rebooting, a cell tower coming back) would otherwise cost one
  // scrypt per CONNECT. Keys are SHA-256(username, password): the cache never holds a secret.
  // Values are the stored hash the secret matched: `cityops devices rotate|remove` runs in
  // another process, so every hit is checked against the current row (one indexed read).
  const cache = new Map<string, { id: string; hash: string }>();
  const cacheKeysById = new Map<string, Set<string>>();

  const cacheKey = (username: string, password: string): string =>
    createHash('sha256').update(username).update('\0').update(password).digest('base64url');

  function remember(key: string, principal: DevicePrincipal, hash: string): void {
    if (cache.size >= cacheSize) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = cache.keys().next();
      if (!oldest.done) forgetKey(oldest.value);
    }
    cache.set(key, { id: principal.id, hash });
    let keys = cacheKeysById.get(principal.id);
    if (keys === undefined) cacheKeysById.set(principal.id, (keys = new Set()));
    keys.add(key);
  }

  function forgetKey(key: string): void {
    const principal = cache.get(key);
    cache.delete(key);
    if (principal !== undefined) cacheKeysById.get(principal.id)?.delete(key);
  }

  function forgetDevice(id: string): void {
    for (const key of cacheKeysById.get(id) ?? []) cache.delete(key);
    cacheKeysById.delete(id);
  }

  return {
    async add(input) {
      validate(input);
      if (selectOne.get(input.id) !== undefined) throw deviceExists(input.id);
      const password = generateSecret();
      const secret = await hashSecret(password, cost);
      try {
        insert.run({
          id: input.id,
          kind: input.kind,
          domain: input.domain ?? null,
          sensorIds: input.kind === 'gateway' ? JSON.stringify(input.sensorIds ?? []) : null,
          salt: secret.salt,
          hash: secret.hash,
          cost: secret.cost,
          now: clock(),
        });
      } catch (err) {
        // Two concurrent adds of the same id both pass the check above while hashing.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw deviceExists(input.id);
        throw err;
      }
      return { id: input.id, username: input.id, password };
    },

    async rotate(id) {
      if (selectOne.get(id) === undefined) throw deviceNotFound(id);
      const password = generateSecret();
      const secret = await hashSecret(password, cost);
      const result = updateSecret.run({ id, salt: secret.salt, hash: secret.hash, cost: secret.cost, now: clock() });
      if (result.changes === 0) throw deviceNotFound(id);
      forgetDevice(id);
      return { id, username: id, password };
    },

    remove(id) {
      forgetDevice(id);
      return deleteOne.run(id).changes > 0;
    },

    get(id) {
      const row = selectOne.get(id);
      return row === undefined ? undefined : toPrincipal(row);
    },

    credentialVersion(id) {
      // The hash is salted afresh on every rotation; it never leaves the process.
      return selectOne.get(id)?.hash;
    },

    list() {
      return selectAll.all().map(toPrincipal);
    },

    async verify(username, password) {
      const key = cacheKey(username, password);
      const cached = cache.get(key);
      if (cached !== undefined) {
        const current = selectOne.get(cached.id);
        if (current !== undefined && current.hash === cached.hash) return toPrincipal(current);
        forgetKey(key); // rotated or removed, possibly by another process
      }

      const row = isSensorId(username) ? selectOne.get(username) : undefined;
      const stored: SecretHash = row === undefined ? await decoy : { salt: row.salt, hash: row.hash, cost: row.scrypt_n };
      const matches = await secretMatches(password, stored);
      if (row === undefined || !matches) return null;

      // The row may have been rotated or removed while scrypt ran; only cache what is still current.
      const current = selectOne.get(username);
      if (current === undefined || current.hash !== row.hash) return null;
      const principal = toPrincipal(current);
      remember(key, principal, current.hash);
      return principal;
    },
  };
}
