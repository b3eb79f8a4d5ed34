import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Database } from '@cityops/sqlite';
import { dashboardError } from './errors.ts';
import { isRole, type Operator, type OperatorAccounts, type OperatorSession, type Role } from './ports.ts';

export interface OperatorAccountsOptions {
  /** scrypt N; the default (2^15) costs ~50 ms. Tests lower it. */
  scryptCost?: number;
  /** Session lifetime; default 12 h, one control-room shift. */
  sessionTtlMs?: number;
  clock?: () => number;
}

const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY_LENGTH = 32;
const DEFAULT_COST = 1 << 15;
const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface UserRow {
  username: string;
  role: string;
  hash: Buffer;
  salt: Buffer;
  cost: number;
}

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  // maxmem must grow with N or Node refuses costs above 2^14 (128 * N * r bytes).
  const options: ScryptOptions = { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

export function createSqliteOperatorAccounts(db: Database, options: OperatorAccountsOptions = {}): OperatorAccounts {
  const cost = options.scryptCost ?? DEFAULT_COST;
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const clock = options.clock ?? Date.now;

  db.exec(`
    CREATE TABLE IF NOT EXISTS dashboard_users (
      username   TEXT PRIMARY KEY COLLATE NOCASE,
      role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
      hash       BLOB NOT NULL,
      salt       BLOB NOT NULL,
      cost       INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS dashboard_sessions (
      token_hash TEXT PRIMARY KEY,
      username   TEXT NOT NULL REFERENCES dashboard_users(username) ON DELETE CASCADE,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dashboard_sessions_expiry ON dashboard_sessions(expires_at);
  `);

  const insertUser = db.prepare(
    'INSERT INTO dashboard_users (username, role, hash, salt, cost, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectUser = db.prepare<[string], UserRow>(
    'SELECT username, role, hash, salt, cost FROM dashboard_users WHERE username = ?',
  );
  const selectUsers = db.prepare<[], { username: string; role: string }>(
    'SELECT username, role FROM dashboard_users ORDER BY username',
  );
  const deleteUser = db.prepare('DELETE FROM dashboard_users WHERE username = ?');
  // Explicit, because foreign-key enforcement is a per-connection pragma the center may not set.
  const deleteUserSessions = db.prepare('DELETE FROM dashboard_sessions WHERE username = ?');
  const insertSession = db.prepare('INSERT INTO dashboard_sessions (token_hash, username, expires_at) VALUES (?, ?, ?)');
  const selectSession = db.prepare<[string, number], { username: string; role: string; expires_at: number }>(
    `SELECT u.username, u.role, s.expires_at FROM dashboard_sessions s
       JOIN dashboard_users u ON u.username = s.username
      WHERE s.token_hash = ? AND s.expires_at > ?`,
  );
  const deleteSession = db.prepare('DELETE FROM dashboard_sessions WHERE token_hash = ?');
  const deleteExpired = db.prepare('DELETE FROM dashboard_sessions WHERE expires_at <= ?');

  // Unknown usernames still pay for one scrypt so response time does not reveal which names exist.
  const dummySalt = randomBytes(16);

  return {
    async add(username, role: Role) {
      if (!USERNAME_PATTERN.test(username)) throw dashboardError('CITYOPS_DASHBOARD_INVALID_USERNAME');
      if (!isRole(role)) throw dashboardError('CITYOPS_DASHBOARD_INVALID_ROLE');
      if (selectUser.get(username)) throw dashboardError('CITYOPS_DASHBOARD_USER_EXISTS');
      const password = randomBytes(18).toString('base64url');
      const salt = randomBytes(16);
      const hash = await scryptAsync(password, salt, cost);
      try {
        insertUser.run(username, role, hash, salt, cost, clock());
      } catch (err) {
        // A concurrent add of the same name won the race while we hashed.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw dashboardError('CITYOPS_DASHBOARD_USER_EXISTS');
        }
        throw err;
      }
      return { username, role, password };
    },

    async verify(username, password) {
      const row = typeof username === 'string' ? selectUser.get(username) : undefined;
      if (!row) {
        await scryptAsync(String(password), dummySalt, cost);
        return null;
      }
      const hash = await scryptAsync(String(password), row.salt, row.cost);
      if (hash.length !== row.hash.length || !timingSafeEqual(hash, row.hash)) return null;
      return isRole(row.role) ? { username: row.username, role: row.role } : null;
    },

    list() {
      return selectUsers.all().flatMap((r): Operator[] => (isRole(r.role) ? [{ username: r.username, role: r.role }] : []));
    },

    remove(username) {
      const removed = db.transaction(() => {
        deleteUserSessions.run(username);
        return deleteUser.run(username).changes > 0;
      })();
      return removed;
    },

    createSession(username): OperatorSession {
      const row = selectUser.get(username);
      if (!row || !isRole(row.role)) throw dashboardError('CITYOPS_DASHBOARD_USER_NOT_FOUND');
      const now = clock();
      deleteExpired.run(now);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + ttl;
      insertSession.run(sha256(token), row.username, expiresAt);
      return { token, username: row.username, role: row.role, expiresAt };
    },

    resolveSession(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 128) return null;
      const row = selectSession.get(sha256(token), clock());
      if (!row || !isRole(row.role)) return null;
      return { username: row.username, role: row.role, expiresAt: row.expires_at };
    },

    revokeSession(token) {
      if (typeof token === 'string' && token.length > 0) deleteSession.run(sha256(token));
    },
  };
}
