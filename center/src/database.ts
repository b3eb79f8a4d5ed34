import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from '@cityops/sqlite';

/**
 * The center's own state (devices, operators, sessions, alerts, audit, dead
 * letters). WAL lets the CLI (`cityops devices add`) write while the center runs.
 */
export function openCenterDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, 'center.db'));
  db.pragma('journal_mode = WAL');
  // FULL: an acknowledged alert change or a new device must survive power loss, and these writes are rare.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
