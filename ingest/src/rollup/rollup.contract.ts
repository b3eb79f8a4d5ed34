import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Reading } from '@cityops/contracts';
import type { TelemetryStore } from '../store/telemetry-store.ts';
import type { RollupStore } from './rollup-port.ts';
import type { DistrictHistoryStore } from '../store/district-history.ts';

export interface RollupFixture {
  /** opened with rollupHistoryMinRangeMs = 1 hour */
  store: TelemetryStore & RollupStore & DistrictHistoryStore;
  cleanup: () => Promise<void>;
}

const T0 = Date.UTC(2026, 9, 1, 6, 0, 0);
const MIN = 60_000;
const flood = (sensorId: string, ts: number, waterLevelCm: number, district = 'Quận 7'): Reading => ({
  sensorId, domain: 'flood', ts, receivedAt: ts, district, fields: { waterLevelCm, intervalS: 20 },
});

/** Rollups and retention, the same on every store (contracts §8). */
export function describeRollupContract(name: string, make: () => Promise<RollupFixture>): void {
  describe(`rollups and retention: ${name}`, () => {
    let fx: RollupFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.store.close();
      await fx.cleanup();
    });

    // Three readings per minute for two sensors over three minutes.
    const seed = async () => {
      const rs: Reading[] = [];
      for (let m = 0; m < 3; m++) {
        for (let k = 0; k < 3; k++) {
          rs.push(flood('fl-1', T0 + m * MIN + k * 20_000, 10 * m + k));
          rs.push(flood('fl-2', T0 + m * MIN + k * 20_000, 100 + k));
        }
      }
      await fx.store.write(rs);
    };

    it('computes 1-minute min/mean/max/count per sensor, and long history reads them even after raw retention removed the readings', async () => {
      await seed();
      expect(await fx.store.rollup('flood', T0, T0 + 3 * MIN)).toBe(6);
      await fx.store.applyRetention({ rawBefore: T0 + 10 * MIN, rollupBefore: 0 });
      expect(await fx.store.count()).toBe(0);
      // 2 hours > the 1 h threshold: answered from flood_1m.
      const h = await fx.store.history({ sensorId: 'fl-1', domain: 'flood', from: T0 - MIN, to: T0 + 2 * 60 * MIN, everyMs: MIN });
      expect(h.points).toEqual([
        { ts: T0, fields: { waterLevelCm: 1, intervalS: 20 } },
        { ts: T0 + MIN, fields: { waterLevelCm: 11, intervalS: 20 } },
        { ts: T0 + 2 * MIN, fields: { waterLevelCm: 21, intervalS: 20 } },
      ]);
      const hourly = await fx.store.history({ sensorId: 'fl-2', domain: 'flood', from: T0, to: T0 + 2 * 60 * MIN, everyMs: 60 * MIN });
      expect(hourly.points).toEqual([{ ts: T0, fields: { waterLevelCm: 101, intervalS: 20 } }]);
      // Short ranges still read raw readings (gone here).
      expect((await fx.store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 3 * MIN, everyMs: MIN })).points).toEqual([]);
    });

    it('recomputing a minute after a late reading overwrites its rollup', async () => {
      await seed();
      await fx.store.rollup('flood', T0, T0 + 3 * MIN);
      await fx.store.write([flood('fl-1', T0 + 50_000, 41)]); // late, into minute 0: 0,1,2,41
      await fx.store.rollup('flood', T0, T0 + MIN);
      await fx.store.applyRetention({ rawBefore: T0 + 10 * MIN, rollupBefore: 0 });
      const h = await fx.store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 2 * 60 * MIN, everyMs: MIN });
      expect(h.points[0]).toEqual({ ts: T0, fields: { waterLevelCm: 11, intervalS: 20 } });
    });

    it('district aggregates: mean over the district\'s sensors per bucket, other districts and domains left out', async () => {
      await seed(); // fl-1 and fl-2 in Quận 7
      await fx.store.write([flood('fl-9', T0 + 10_000, 500, 'Quận 4'), { sensorId: 'air-1', domain: 'air', ts: T0, receivedAt: T0, district: 'Quận 7', fields: { pm25: 5, pm10: 6 } }]);
      const h = await fx.store.districtHistory({ domain: 'flood', district: 'Quận 7', from: T0, to: T0 + 3 * MIN, everyMs: MIN });
      expect(h.points).toEqual([
        { ts: T0, fields: { waterLevelCm: (0 + 1 + 2 + 100 + 101 + 102) / 6, intervalS: 20 } },
        { ts: T0 + MIN, fields: { waterLevelCm: (10 + 11 + 12 + 100 + 101 + 102) / 6, intervalS: 20 } },
        { ts: T0 + 2 * MIN, fields: { waterLevelCm: (20 + 21 + 22 + 100 + 101 + 102) / 6, intervalS: 20 } },
      ]);
      const q4 = await fx.store.districtHistory({ domain: 'flood', district: 'Quận 4', from: T0, to: T0 + 3 * MIN, everyMs: 3 * MIN });
      expect(q4.points).toEqual([{ ts: T0, fields: { waterLevelCm: 500, intervalS: 20 } }]);
      await expect(fx.store.districtHistory({ domain: 'flood', district: 'Quận 7', from: T0, to: T0 + MIN, everyMs: 0 })).rejects.toMatchObject({ code: 'CITYOPS_INGEST_INVALID_QUERY' });
    });

    it('rollup retention removes old rollups; raw readings newer than the raw cutoff stay', async () => {
      await seed();
      await fx.store.rollup('flood', T0, T0 + 3 * MIN);
      await fx.store.applyRetention({ rawBefore: T0 + MIN, rollupBefore: T0 + 2 * MIN });
      expect(await fx.store.count()).toBe(12);
      const h = await fx.store.history({ sensorId: 'fl-1', domain: 'flood', from: T0, to: T0 + 2 * 60 * MIN, everyMs: MIN });
      expect(h.points.map((p) => p.ts)).toEqual([T0 + 2 * MIN]);
    });
  });
}
