import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteOperatorAccounts } from '@cityops/dashboard';
import type { CenterConfig } from '../config/config.ts';
import { openCenterDatabase } from '../database.ts';

/**
 * With no operator account at all, a new user could not sign in to the map
 * they were just shown. In demo mode (`--simulate`) create an admin once and
 * keep its password in the data dir (0600) so the start banner can repeat it.
 */
export async function ensureFirstAdmin(
  config: CenterConfig,
  demo: boolean,
): Promise<{ username: string; password: string; file: string } | undefined> {
  const file = join(config.dataDir, 'initial-admin.json');
  const db = openCenterDatabase(config.dataDir);
  try {
    const accounts = createSqliteOperatorAccounts(db);
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { username: string; password: string };
      if (await accounts.verify(saved.username, saved.password)) return { ...saved, file };
      return undefined;
    }
    if (!demo || accounts.list().length > 0) return undefined;
    const created = await accounts.add('admin', 'admin');
    writeFileSync(file, `${JSON.stringify({ username: created.username, password: created.password })}\n`, { mode: 0o600 });
    return { username: created.username, password: created.password, file };
  } finally {
    db.close();
  }
}
