import { describe, it, expect } from 'vitest';
import type { SensorProperties } from '@cityops/contracts';
import { planSimulation, runVirtual } from './sensor-program.ts';
import { trafficNeighbours } from './scenarios.ts';
import { hcmcLikeSensors, hcmc } from './test-support/fixtures.ts';

const road = (id: string, roadName: string, district: string): SensorProperties =>
  ({ id, domain: 'traffic', name: id, district, roadName, freeFlowKmh: 40 }) as SensorProperties;

describe('incidents spilling to neighbouring roads', () => {
  it('picks neighbours on the same road first, then in the same district', () => {
    const sensors = [road('t-a1', 'Điện Biên Phủ', 'Quận 3'), road('t-b', 'Nam Kỳ Khởi Nghĩa', 'Quận 3'), road('t-a2', 'Điện Biên Phủ', 'Quận 1'), road('t-c', 'Lê Lợi', 'Quận 1'), road('t-d', 'Hai Bà Trưng', 'Quận 3')];
    expect(trafficNeighbours(sensors[0]!, sensors, 3).map((s) => s.id)).toEqual(['t-a2', 't-b', 't-d']);
  });

  it('slows the neighbours of the demo incident, later and less than the incident road', () => {
    const sensors = hcmcLikeSensors();
    const startMs = hcmc('2026-11-25T21:00:00'); // evening after the peak: roads near free flow, so a cap shows
    const demo = planSimulation(sensors, { startMs, seed: 4, scenario: 'demo' });
    const calm = planSimulation(sensors, { startMs, seed: 4, scenario: 'calm' });
    const incidents = demo.events.filter((e) => e.event.kind === 'incident');
    expect(incidents).toHaveLength(3);
    const [primary, ...spills] = incidents;
    expect(spills.every((s) => s.label.includes('spill-over') && s.event.startMs === primary!.event.startMs + 90_000)).toBe(true);
    const speed = (readings: ReturnType<typeof runVirtual>, id: string, from: number, to: number) => {
      const xs = readings.filter((r) => r.sensorId === id && r.tMs >= from && r.tMs < to).map((r) => (r.payload as { speedKmh: number }).speedKmh);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const until = startMs + 12 * 60_000;
    const withDemo = runVirtual(demo, until);
    const without = runVirtual(calm, until);
    const window: [number, number] = [startMs + 4 * 60_000, startMs + 10 * 60_000];
    for (const s of spills) {
      // slower than the same road on a calm day, but not as slow as the blocked road
      expect(speed(withDemo, s.sensorId, ...window)).toBeLessThan(0.8 * speed(without, s.sensorId, ...window));
      expect(speed(withDemo, s.sensorId, ...window)).toBeGreaterThan(speed(withDemo, primary!.sensorId, ...window));
      // before the queue reaches them, they run as on a calm day
      expect(speed(withDemo, s.sensorId, startMs, startMs + 80_000)).toBeCloseTo(speed(without, s.sensorId, startMs, startMs + 80_000), 5);
    }
  });
});
