import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Domain, Reading, ReadingField } from '@cityops/contracts';
import type { TelemetryStore } from './telemetry-store.ts';

export interface ContractFixture {
  store: TelemetryStore;
  /** closes the store if needed and opens a new one on the same data */
  reopen?: () => Promise<TelemetryStore>;
  cleanup: () => Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 0, 0, 0);
const MIN = 60_000;

export function reading(
  sensorId: string,
  domain: Domain,
  ts: number,
  fields: Partial<Record<ReadingField, number>>,
  district?: string,
): Reading {
  const r: Reading = { sensorId, domain, ts, receivedAt: ts + 250, fields };
  if (district !== undefined) r.district = district;
  return r;
}

const flood = (sensorId: string, ts: number, waterLevelCm: number, extra: Partial<Record<ReadingField, number>> = {}) =>
  reading(sensorId, 'flood', ts, { waterLevelCm, intervalS: 60, ...extra }, 'Bình Thạnh');

/**
 * The behaviour every TelemetryStore adapter must show (embedded SQLite now,
 * InfluxDB adapters later). `makeStore` gives a fresh, empty store per test.
 * Notes for InfluxDB adapters: windows are [from, to) like Flux range(); bucket
 * ts is the window start (aggregateWindow(timeSrc: "_start"), createEmpty: false);
 * latest() must merge series of one sensor whose district tag changed.
 */
export function describeTelemetryStoreContract(name: string, makeStore: () => Promise<ContractFixture>): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let fx: ContractFixture;
    let store: TelemetryStore;

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
    });
    afterEach(async () => {
      await store.close();
      await fx.cleanup();
    });

    it('starts empty and counts what it stores, in total and per sensor', async () => {
      expect(await store.count()).toBe(0);
      await store.write([]);
      await store.write([flood('fl-1', T0, 1), flood('fl-1', T0 + MIN, 2), flood('fl-2', T0, 3)]);
      expect(await store.count()).toBe(3);
      expect(await store.count({ sensorId: 'fl-1' })).toBe(2);
      expect(await store.count({ sensorId: 'fl-2' })).toBe(1);
      expect(await store.count({ sensorId: 'nope' })).toBe(0);
    });

    // Fields of the newer reading win. Whether a field absent from it survives is the
    // adapter's (SQLite replaces the row; InfluxDB merges field sets), so not asserted here.
    it('overwrites the same (domain, sensorId, ts) instead of duplicating', async () => {
      await store.write([flood('fl-1', T0, 10, { rainfallMm: 5 })]);
      await store.write([flood('fl-1', T0, 42, { rainfallMm: 6 })]);
      expect(await store.count()).toBe(1);
      const h = await store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 1 });
      expect(h.points).toEqual([{ ts: T0, fields: { waterLevelCm: 42, intervalS: 60, rainfallMm: 6 } }]);
    });

    it('overwrites within one batch too (last one wins)', async () => {
      await store.write([flood('fl-1', T0, 1), flood('fl-1', T0, 2), flood('fl-1', T0, 3)]);
      expect(await store.count()).toBe(1);
      const [latest] = await store.latest();
      expect(latest?.fields.waterLevelCm).toBe(3);
    });

    it('keys by domain as well: the same sensorId and ts in two domains are two readings', async () => {
      await store.write([flood('x-1', T0, 1), reading('x-1', 'air', T0, { pm25: 3, pm10: 4 })]);
      expect(await store.count({ sensorId: 'x-1' })).toBe(2);
    });

    it('returns raw history in [from, to), ascending, for that sensor and domain only', async () => {
      const readings = [3, 1, 0, 2, 4].map((i) => flood('fl-1', T0 + i * MIN, i * 10));
      await store.write([...readings, flood('fl-2', T0 + MIN, 99)]);
      const h = await store.history({ sensorId: 'fl-1', domain: 'flood', from: T0 + MIN, to: T0 + 4 * MIN });
      expect(h).toEqual({
        sensorId: 'fl-1',
        domain: 'flood',
        from: T0 + MIN,
        to: T0 + 4 * MIN,
        everyMs: null,
        points: [1, 2, 3].map((i) => ({ ts: T0 + i * MIN, fields: { waterLevelCm: i * 10, intervalS: 60 } })),
      });
      const other = await store.history({ sensorId: 'fl-1', domain: 'air', from: T0, to: T0 + 10 * MIN });
      expect(other.points).toEqual([]);
    });

    it('buckets history: mean per field, ts = bucket start aligned to the epoch, empty buckets omitted', async () => {
      const every = 5 * MIN;
      await store.write([
        flood('fl-1', T0 + 1 * MIN, 10, { rainfallMm: 2 }),
        flood('fl-1', T0 + 2 * MIN, 20),
        flood('fl-1', T0 + 4 * MIN + 59_999, 60, { rainfallMm: 4 }),
        flood('fl-1', T0 + 5 * MIN, 100),
        flood('fl-1', T0 + 21 * MIN, -8),
      ]);
      // from is not aligned: the first bucket still starts on the epoch grid.
      const h = await store.history({ sensorId: 'fl-1', domain: 'flood', from: T0 + 30_000, to: T0 + 30 * MIN, everyMs: every });
      expect(h.everyMs).toBe(every);
      expect(h.points).toEqual([
        { ts: T0, fields: { waterLevelCm: 30, intervalS: 60, rainfallMm: 3 } },
        { ts: T0 + 5 * MIN, fields: { waterLevelCm: 100, intervalS: 60 } },
        { ts: T0 + 20 * MIN, fields: { waterLevelCm: -8, intervalS: 60 } },
      ]);
    });

    it('buckets a day of minute readings into hours', async () => {
      const batch: Reading[] = [];
      for (let m = 0; m < 24 * 60; m++) batch.push(flood('fl-1', T0 + m * MIN, m % 60));
      await store.write(batch);
      const h = await store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 86_400_000, everyMs: 3_600_000 });
      expect(h.points).toHaveLength(24);
      for (const [i, p] of h.points.entries()) {
        expect(p.ts).toBe(T0 + i * 3_600_000);
        expect(p.fields.waterLevelCm).toBeCloseTo(29.5, 9);
      }
    });

    it('returns an empty series for a sensor it has never seen', async () => {
      const h = await store.history({ sensorId: 'ghost', domain: 'traffic', from: T0, to: T0 + MIN, everyMs: MIN });
      expect(h).toEqual({ sensorId: 'ghost', domain: 'traffic', from: T0, to: T0 + MIN, everyMs: MIN, points: [] });
    });

    it('rejects an invalid history query with CITYOPS_INGEST_INVALID_QUERY', async () => {
      const q = { sensorId: 'fl-1', domain: 'flood' as const, from: T0, to: T0 + MIN };
      await expect(store.history({ ...q, to: T0 - 1 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
      await expect(store.history({ ...q, everyMs: 0 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
      await expect(store.history({ ...q, everyMs: 1.5 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
    });

    it('round-trips every field of every domain', async () => {
      const all: Reading[] = [
        reading('tr-1', 'traffic', T0, {
          speedKmh: 31.25, volume: 120, occupancyPct: 40.5, intervalS: 60,
          countsByClass_motorbike: 90, countsByClass_car: 25, countsByClass_bus: 3, countsByClass_truck: 2,
        }, 'Quận 1'),
        reading('fl-1', 'flood', T0, { waterLevelCm: -12.5, rainfallMm: 3.2, intervalS: 300, batteryV: 12.6 }, 'Quận 7'),
        reading('air-1', 'air', T0, {
          pm25: 35.5, pm10: 60, no2: 40, so2: 5, o3: 80, co: 900, tempC: -5.5, humidityPct: 88,
        }, 'Thủ Đức'),
      ];
      await store.write(all);
      const latest = await store.latest();
      const byId = new Map(latest.map((r) => [r.sensorId, r]));
      for (const r of all) expect(byId.get(r.sensorId)).toEqual(r);
    });

    it('latest() gives one reading per sensor, the one with the greatest ts', async () => {
      await store.write([
        flood('fl-1', T0 + 2 * MIN, 2),
        flood('fl-1', T0 + 5 * MIN, 5),
        flood('fl-1', T0 + 3 * MIN, 3), // arrives last but is older
        reading('air-1', 'air', T0, { pm25: 1, pm10: 2 }),
      ]);
      const latest = await store.latest();
      expect(latest).toHaveLength(2);
      const fl = latest.find((r) => r.sensorId === 'fl-1');
      expect(fl).toEqual(flood('fl-1', T0 + 5 * MIN, 5));
      expect(latest.find((r) => r.sensorId === 'air-1')?.fields).toEqual({ pm25: 1, pm10: 2 });
    });

    it('stores the district as a tag; latest() is one per sensor even if its district changed', async () => {
      await store.write([reading('fl-9', 'flood', T0, { waterLevelCm: 1, intervalS: 60 }, 'Quận 4')]);
      await store.write([reading('fl-9', 'flood', T0 + MIN, { waterLevelCm: 2, intervalS: 60 }, 'Quận 8')]);
      const latest = await store.latest();
      expect(latest).toHaveLength(1);
      expect(latest[0]?.district).toBe('Quận 8');
      expect(latest[0]?.fields.waterLevelCm).toBe(2);
      expect(await store.count({ sensorId: 'fl-9' })).toBe(2);
    });

    it('latestIn() gives each sensor its last reading in [from, to), one per (domain, sensorId), ordered by domain then sensor', async () => {
      await store.write([
        flood('fl-1', T0, 1),
        flood('fl-1', T0 + 2 * MIN, 2),
        flood('fl-1', T0 + 5 * MIN, 5), // at `to`: outside
        flood('fl-2', T0 + MIN, 7), // exactly at `from`: inside
        flood('fl-3', T0, 9), // only before the window
        reading('fl-1', 'air', T0 + 3 * MIN, { pm25: 12, pm10: 20 }, 'Quận 1'),
        reading('tr-1', 'traffic', T0 + 4 * MIN, { speedKmh: 30, intervalS: 60 }),
        reading('tr-1', 'traffic', T0 + 3 * MIN, { speedKmh: 10, intervalS: 60 }), // older, written later
      ]);
      const at = await store.latestIn({ from: T0 + MIN, to: T0 + 5 * MIN });
      expect(at).toEqual([
        reading('tr-1', 'traffic', T0 + 4 * MIN, { speedKmh: 30, intervalS: 60 }),
        flood('fl-1', T0 + 2 * MIN, 2),
        flood('fl-2', T0 + MIN, 7),
        reading('fl-1', 'air', T0 + 3 * MIN, { pm25: 12, pm10: 20 }, 'Quận 1'),
      ]);
      // The whole past up to `to` equals latest() when nothing is newer.
      expect(await store.latestIn({ from: 0, to: T0 + 60 * MIN })).toEqual(await store.latest());
      expect(await store.latestIn({ from: T0 + 10 * MIN, to: T0 + 20 * MIN })).toEqual([]);
      expect(await store.latestIn({ from: T0 + MIN, to: T0 + MIN })).toEqual([]);
    });

    it('latestIn() is one reading per sensor even if its district changed in the window, and refuses a bad window', async () => {
      await store.write([reading('fl-9', 'flood', T0, { waterLevelCm: 1, intervalS: 60 }, 'Quận 4')]);
      await store.write([reading('fl-9', 'flood', T0 + MIN, { waterLevelCm: 2, intervalS: 60 }, 'Quận 8')]);
      const at = await store.latestIn({ from: T0, to: T0 + 10 * MIN });
      expect(at).toHaveLength(1);
      expect(at[0]?.district).toBe('Quận 8');
      expect(at[0]?.fields.waterLevelCm).toBe(2);
      const older = await store.latestIn({ from: T0, to: T0 + MIN });
      // Which district an older reading carries is the adapter's (SQLite keeps the series' current one, InfluxDB the tag it was written with).
      expect(older.map((r) => r.fields.waterLevelCm)).toEqual([1]);
      await expect(store.latestIn({ from: T0, to: T0 - 1 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
      await expect(store.latestIn({ from: Number.NaN, to: T0 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
    });

    it('latestIn() answers for thousands of sensors at once, each at its own last reading before the instant', async () => {
      const batch: Reading[] = [];
      const sensors = 3000;
      // Sensor i reports every (i % 5 + 1) minutes over 30 minutes.
      for (let i = 0; i < sensors; i++) {
        const every = (i % 5) + 1;
        for (let m = 0; m < 30; m += every) batch.push(reading(`tr-${String(i).padStart(4, '0')}`, 'traffic', T0 + m * MIN, { speedKmh: m, intervalS: 60 * every }));
      }
      await store.write(batch);
      const at = T0 + 17 * MIN;
      const result = await store.latestIn({ from: at - 15 * MIN, to: at + 1 });
      expect(result).toHaveLength(sensors);
      for (const [i, r] of result.entries()) {
        const every = (i % 5) + 1;
        const last = Math.floor(17 / every) * every;
        expect(r.sensorId).toBe(`tr-${String(i).padStart(4, '0')}`);
        expect([r.ts, r.fields.speedKmh]).toEqual([T0 + last * MIN, last]);
      }
    });

    it('writes a large multi-sensor batch completely', async () => {
      const batch: Reading[] = [];
      for (let i = 0; i < 5000; i++) {
        batch.push(reading(`tr-${i % 250}`, 'traffic', T0 + Math.floor(i / 250) * MIN, { speedKmh: i % 250, volume: i, occupancyPct: 50, intervalS: 60 }));
      }
      await store.write(batch);
      expect(await store.count()).toBe(5000);
      expect(await store.count({ sensorId: 'tr-7' })).toBe(20);
      expect(await store.latest()).toHaveLength(250);
    });

    it('keeps what it stored across a reopen', async () => {
      if (!fx.reopen) return;
      await store.write([flood('fl-1', T0, 1), flood('fl-1', T0 + MIN, 2)]);
      store = await fx.reopen();
      expect(await store.count()).toBe(2);
      await store.write([flood('fl-1', T0 + MIN, 20), flood('fl-1', T0 + 2 * MIN, 3)]);
      expect(await store.count()).toBe(3);
      const h = await store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 10 * MIN });
      expect(h.points.map((p) => p.fields.waterLevelCm)).toEqual([1, 20, 3]);
    });

    it('refuses work after close with CITYOPS_INGEST_STORE_CLOSED', async () => {
      await store.close();
      await store.close();
      await expect(store.write([flood('fl-1', T0, 1)])).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_CLOSED' });
      await expect(store.count()).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_CLOSED' });
      await expect(store.latestIn({ from: T0, to: T0 + MIN })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_CLOSED' });
    });
  });
}
