import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from '@cityops/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDeviceAccounts } from './device-accounts.ts';
import type { DeviceAccounts } from './types.ts';

describe('createSqliteDeviceAccounts', () => {
  let dir: string;
  let db: Database.Database;
  let accounts: DeviceAccounts;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cityops-accounts-'));
    db = new Database(path.join(dir, 'center.db'));
    db.pragma('journal_mode = WAL');
    accounts = createSqliteDeviceAccounts(db, { scryptCost: 1024 });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a sensor, returns a fresh secret once and stores only its hash', async () => {
    const creds = await accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    expect(creds.id).toBe('flood-001');
    expect(creds.username).toBe('flood-001');
    expect(creds.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const row = db.prepare('SELECT * FROM broker_devices WHERE id = ?').get('flood-001') as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(creds.password);
    expect(row).toMatchObject({ kind: 'sensor', domain: 'flood', sensor_ids: null, rotated_at: null });
    expect(typeof row['created_at']).toBe('number');

    const other = await accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
    expect(other.password).not.toBe(creds.password);
  });

  it('verifies the right secret and refuses wrong secrets and unknown users', async () => {
    const creds = await accounts.add({ id: 'air-001', kind: 'sensor', domain: 'air' });
    expect(await accounts.verify('air-001', creds.password)).toEqual({ id: 'air-001', kind: 'sensor', domain: 'air' });
    expect(await accounts.verify('air-001', `${creds.password}x`)).toBeNull();
    expect(await accounts.verify('air-001', '')).toBeNull();
    expect(await accounts.verify('air-002', creds.password)).toBeNull();
    expect(await accounts.verify('NOT A VALID ID', creds.password)).toBeNull();
  });

  it('keeps gateways\' sensor lists and lists devices in id order', async () => {
    await accounts.add({ id: 'gw-b', kind: 'gateway', sensorIds: ['flood-001', 'flood-002'] });
    await accounts.add({ id: 'gw-a', kind: 'gateway' });
    await accounts.add({ id: 'portal', kind: 'integrator' });
    expect(accounts.get('gw-b')).toEqual({ id: 'gw-b', kind: 'gateway', sensorIds: ['flood-001', 'flood-002'] });
    expect(accounts.list().map((d) => [d.id, d.kind, d.sensorIds])).toEqual([
      ['gw-a', 'gateway', []],
      ['gw-b', 'gateway', ['flood-001', 'flood-002']],
      ['portal', 'integrator', undefined],
    ]);
    expect(accounts.get('nope')).toBeUndefined();
  });

  it('rotates: the old secret stops working at once, even after a cached success', async () => {
    const first = await accounts.add({ id: 'traffic-001', kind: 'sensor', domain: 'traffic' });
    expect(await accounts.verify('traffic-001', first.password)).not.toBeNull();
    expect(await accounts.verify('traffic-001', first.password)).not.toBeNull(); // served from the cache
    const second = await accounts.rotate('traffic-001');
    expect(second.password).not.toBe(first.password);
    expect(await accounts.verify('traffic-001', first.password)).toBeNull();
    expect(await accounts.verify('traffic-001', second.password)).not.toBeNull();
    const row = db.prepare('SELECT rotated_at FROM broker_devices WHERE id = ?').get('traffic-001') as { rotated_at: number | null };
    expect(row.rotated_at).not.toBeNull();
  });

  it('refuses a cached secret once another process (the CLI) has rotated or removed the device', async () => {
    const creds = await accounts.add({ id: 'flood-600', kind: 'sensor', domain: 'flood' });
    await accounts.add({ id: 'flood-601', kind: 'sensor', domain: 'flood' });
    const other = await accounts.rotate('flood-601');
    expect(await accounts.verify('flood-600', creds.password)).not.toBeNull(); // now cached here
    expect(await accounts.verify('flood-601', other.password)).not.toBeNull();
    // `cityops devices rotate/remove` opens its own connection to the same database file.
    const cliDb = new Database(path.join(dir, 'center.db'));
    const cli = createSqliteDeviceAccounts(cliDb, { scryptCost: 1024 });
    const rotated = await cli.rotate('flood-600');
    expect(cli.remove('flood-601')).toBe(true);
    cliDb.close();
    expect(await accounts.verify('flood-600', creds.password)).toBeNull();
    expect(await accounts.verify('flood-600', rotated.password)).toMatchObject({ id: 'flood-600' });
    expect(await accounts.verify('flood-601', other.password)).toBeNull();
  });

  it('answers repeated successful verifications from memory, without scrypt', async () => {
    const creds = await accounts.add({ id: 'flood-500', kind: 'sensor', domain: 'flood' });
    expect(await accounts.verify('flood-500', creds.password)).not.toBeNull();
    // Spoil the stored salt behind the cache's back: only a cached answer can still succeed.
    db.prepare("UPDATE broker_devices SET salt = 'AAAA' WHERE id = ?").run('flood-500');
    expect(await accounts.verify('flood-500', creds.password)).toMatchObject({ id: 'flood-500' });
    // A different (wrong) password is never answered from the cache.
    expect(await accounts.verify('flood-500', 'wrong')).toBeNull();
  });

  it('removes: the device is gone and its cached verification with it', async () => {
    const creds = await accounts.add({ id: 'air-009', kind: 'sensor', domain: 'air' });
    expect(await accounts.verify('air-009', creds.password)).not.toBeNull();
    expect(accounts.remove('air-009')).toBe(true);
    expect(accounts.remove('air-009')).toBe(false);
    expect(await accounts.verify('air-009', creds.password)).toBeNull();
    expect(accounts.get('air-009')).toBeUndefined();
  });

  it('survives reopening the database (credentials are persistent)', async () => {
    const creds = await accounts.add({ id: 'flood-777', kind: 'sensor', domain: 'flood' });
    db.close();
    db = new Database(path.join(dir, 'center.db'));
    const reopened = createSqliteDeviceAccounts(db, { scryptCost: 1024 });
    expect(await reopened.verify('flood-777', creds.password)).toMatchObject({ id: 'flood-777' });
  });

  it('reports typed errors', async () => {
    await accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    await expect(accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' })).rejects.toMatchObject({
      code: 'CITYOPS_BROKER_DEVICE_EXISTS',
    });
    await expect(accounts.rotate('missing-1')).rejects.toMatchObject({ code: 'CITYOPS_BROKER_DEVICE_NOT_FOUND' });
    for (const id of ['A-upper', 'x', '-leading', 'has space', 'a'.repeat(65), 'a/b', '+']) {
      await expect(accounts.add({ id, kind: 'integrator' })).rejects.toMatchObject({ code: 'CITYOPS_BROKER_INVALID_DEVICE_ID' });
    }
    await expect(accounts.add({ id: 'flood-003', kind: 'sensor' })).rejects.toMatchObject({ code: 'CITYOPS_BROKER_INVALID_DEVICE' });
    await expect(accounts.add({ id: 'gw-1', kind: 'gateway', sensorIds: ['Bad Id'] })).rejects.toMatchObject({
      code: 'CITYOPS_BROKER_INVALID_DEVICE_ID',
    });
    await expect(accounts.add({ id: 'portal-1', kind: 'integrator', domain: 'air' })).rejects.toMatchObject({
      code: 'CITYOPS_BROKER_INVALID_DEVICE',
    });
  });

  it('refuses the second of two concurrent adds of the same id', async () => {
    const results = await Promise.allSettled([
      accounts.add({ id: 'race-1', kind: 'integrator' }),
      accounts.add({ id: 'race-1', kind: 'integrator' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({ code: 'CITYOPS_BROKER_DEVICE_EXISTS' });
  });
});
