import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { createEmbeddedTelemetryStore, EMBEDDED_STORE_FILE } from './embedded-store.ts';
import { describeTelemetryStoreContract } from './telemetry-store.contract.ts';
import type { TelemetryStore } from './telemetry-store.ts';

const logger = pino({ level: 'silent' });

describeTelemetryStoreContract('embedded (SQLite)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cityops-store-'));
  let current: TelemetryStore = await createEmbeddedTelemetryStore({ dataDir, logger });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await createEmbeddedTelemetryStore({ dataDir, logger });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('embedded telemetry store specifics', () => {
  it('creates <dataDir>/telemetry.db (making the dir) in WAL mode with synchronous=FULL', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cityops-store-'));
    const dataDir = join(base, 'nested', 'data');
    const store = await createEmbeddedTelemetryStore({ dataDir, logger });
    try {
      expect((await stat(join(dataDir, EMBEDDED_STORE_FILE))).isFile()).toBe(true);
      await store.write([{ sensorId: 'air-1', domain: 'air', ts: 1_800_000_000_000, receivedAt: 1, fields: { pm25: 1, pm10: 2 } }]);
      const db = new Database(join(dataDir, EMBEDDED_STORE_FILE), { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT pm25, pm10, no2 FROM ingest_air').get()).toEqual({ pm25: 1, pm10: 2, no2: null });
      db.close();
    } finally {
      await store.close();
      await rm(base, { recursive: true, force: true });
    }
  });

  it('rejects a failing write with CITYOPS_INGEST_STORE_WRITE_FAILED and keeps working', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cityops-store-'));
    const store = await createEmbeddedTelemetryStore({ dataDir, logger });
    try {
      const good = { sensorId: 'fl-new', domain: 'flood' as const, ts: 1_800_000_000_000, receivedAt: 1, fields: { waterLevelCm: 1 } };
      // A ts that is not a number violates NOT NULL / type and aborts the whole transaction.
      const bad = { ...good, sensorId: 'fl-bad', ts: null as unknown as number };
      await expect(store.write([good, bad])).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_WRITE_FAILED' });
      expect(await store.count()).toBe(0);
      await store.write([good]);
      expect(await store.count({ sensorId: 'fl-new' })).toBe(1);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('fails to open with CITYOPS_INGEST_STORE_OPEN_FAILED when dataDir is a file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cityops-store-'));
    try {
      const store = await createEmbeddedTelemetryStore({ dataDir, logger });
      await store.close();
      await expect(
        createEmbeddedTelemetryStore({ dataDir: join(dataDir, EMBEDDED_STORE_FILE), logger }),
      ).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_OPEN_FAILED' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a resolved write survives SIGKILL of the writing process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cityops-store-'));
    try {
      const child = fileURLToPath(new URL('./fixtures/write-then-kill.ts', import.meta.url));
      const run = spawnSync(process.execPath, ['--import', 'tsx', child, dataDir, '2500'], { encoding: 'utf8', timeout: 20_000 });
      expect(run.signal).toBe('SIGKILL');
      const store = await createEmbeddedTelemetryStore({ dataDir, logger });
      try {
        expect(await store.count()).toBe(2500);
        expect(await store.count({ sensorId: 'fl-3' })).toBe(250);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('embedded store overwrite semantics', () => {
  it('replaces the whole row: fields absent from the newer reading are gone, and a missing district keeps the old one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cityops-store-'));
    const store = await createEmbeddedTelemetryStore({ dataDir, logger });
    try {
      const t = 1_800_000_000_000;
      await store.write([{ sensorId: 'fl-1', domain: 'flood', ts: t, receivedAt: t, district: 'Quận 4', fields: { waterLevelCm: 1, rainfallMm: 5 } }]);
      await store.write([{ sensorId: 'fl-1', domain: 'flood', ts: t, receivedAt: t + 1, fields: { waterLevelCm: 2 } }]);
      expect(await store.latest()).toEqual([
        { sensorId: 'fl-1', domain: 'flood', ts: t, receivedAt: t + 1, district: 'Quận 4', fields: { waterLevelCm: 2 } },
      ]);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
