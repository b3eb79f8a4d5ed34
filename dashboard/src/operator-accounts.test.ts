import { afterEach, describe, expect, it } from 'vitest';
import { createTempAccounts, type TempAccounts } from './test-fixtures.ts';
import type { DashboardError } from './errors.ts';
import type { Role } from './ports.ts';

const codeOf = async (promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> => {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    return (err as DashboardError).code;
  }
  return undefined;
};

describe('createSqliteOperatorAccounts', () => {
  let temp: TempAccounts | undefined;
  let now = Date.UTC(2026, 10, 24);
  afterEach(() => {
    temp?.close();
    temp = undefined;
  });
  const open = (sessionTtlMs = 60_000) => (temp = createTempAccounts({ clock: () => now, sessionTtlMs }));

  it('adds a user with a random password that verifies, and stores only a hash', async () => {
    const { users, db } = open();
    const created = await users.add('lan.nguyen', 'operator');
    expect(created.username).toBe('lan.nguyen');
    expect(created.role).toBe('operator');
    expect(created.password.length).toBeGreaterThanOrEqual(20);
    expect(await users.verify('lan.nguyen', created.password)).toEqual({ username: 'lan.nguyen', role: 'operator' });
    expect(await users.verify('lan.nguyen', `${created.password}x`)).toBeNull();
    expect(await users.verify('nobody', created.password)).toBeNull();
    const row = db.prepare('SELECT * FROM dashboard_users').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(created.password);
    const other = await users.add('minh', 'viewer');
    expect(other.password).not.toBe(created.password);
  });

  it('lists, refuses duplicates and bad input, and removes', async () => {
    const { users } = open();
    await users.add('b-admin', 'admin');
    await users.add('a-viewer', 'viewer');
    expect(users.list()).toEqual([
      { username: 'a-viewer', role: 'viewer' },
      { username: 'b-admin', role: 'admin' },
    ]);
    expect(await codeOf(users.add('a-viewer', 'operator'))).toBe('CITYOPS_DASHBOARD_USER_EXISTS');
    expect(await codeOf(users.add('A-VIEWER', 'operator'))).toBe('CITYOPS_DASHBOARD_USER_EXISTS');
    expect(await codeOf(users.add('bad name', 'viewer'))).toBe('CITYOPS_DASHBOARD_INVALID_USERNAME');
    expect(await codeOf(users.add('ok', 'root' as Role))).toBe('CITYOPS_DASHBOARD_INVALID_ROLE');
    expect(users.remove('a-viewer')).toBe(true);
    expect(users.remove('a-viewer')).toBe(false);
    expect(users.list().map((u) => u.username)).toEqual(['b-admin']);
  });

  it('creates sessions whose token is hashed at rest, resolves them until expiry, and revokes them', async () => {
    const { users, db } = open(60_000);
    await users.add('op', 'operator');
    const session = users.createSession('op');
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(now + 60_000);
    const stored = db.prepare('SELECT token_hash FROM dashboard_sessions').all() as Array<{ token_hash: string }>;
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).not.toBe(session.token);
    expect(users.resolveSession(session.token)).toEqual({ username: 'op', role: 'operator', expiresAt: now + 60_000 });
    expect(users.resolveSession('not-a-token')).toBeNull();

    now += 60_001;
    expect(users.resolveSession(session.token)).toBeNull();

    const second = users.createSession('op');
    // Creating a session sweeps expired ones.
    expect((db.prepare('SELECT count(*) AS n FROM dashboard_sessions').get() as { n: number }).n).toBe(1);
    users.revokeSession(second.token);
    expect(users.resolveSession(second.token)).toBeNull();
    expect(await codeOf(() => users.createSession('ghost'))).toBe('CITYOPS_DASHBOARD_USER_NOT_FOUND');
  });

  it('ends a removed user’s sessions', async () => {
    const { users } = open();
    await users.add('temp', 'viewer');
    const session = users.createSession('temp');
    expect(users.resolveSession(session.token)).not.toBeNull();
    users.remove('temp');
    expect(users.resolveSession(session.token)).toBeNull();
  });
});
