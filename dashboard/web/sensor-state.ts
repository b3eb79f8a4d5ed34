import type { LiveReading, LiveSensorCollection, LiveSensorFeature, Reading, SensorStatus } from '@cityops/contracts';
import type { Feature, FeatureCollection, Point } from 'geojson';
import { NO_DATA_COLOR, aqiClass, sensorClass, sensorColor, type AirScheme } from './sensor-classes.ts';

export interface SensorPointProperties {
  id: string;
  domain: string;
  color: string;
  online: boolean;
  /** Colour class index (higher is worse), -1 without data: clusters show their worst member. */
  cls: number;
}

/**
 * The map's copy of the registry with live values. MapLibre flattens nested
 * properties to strings, so features carry only what the paint needs and
 * popups read the full record from here.
 */
export class SensorState {
  private readonly sensors = new Map<string, LiveSensorFeature>();
  /** Colouring of the air layer (legend switch). */
  airScheme: AirScheme = 'pm25';

  private paint(p: LiveSensorFeature['properties']): { color: string; cls: number } {
    if (!p.online) return { color: sensorColor(p), cls: -1 };
    if (p.domain === 'air' && this.airScheme !== 'pm25') return aqiClass(p, this.airScheme) ?? { color: NO_DATA_COLOR, cls: -1 };
    return { color: sensorColor(p), cls: sensorClass(p) ?? -1 };
  }

  replace(collection: LiveSensorCollection): void {
    this.sensors.clear();
    for (const feature of collection.features) this.sensors.set(feature.properties.id, feature);
  }

  get(id: string): LiveSensorFeature | undefined {
    return this.sensors.get(id);
  }

  size(): number {
    return this.sensors.size;
  }

  all(): IterableIterator<LiveSensorFeature> {
    return this.sensors.values();
  }

  /** How the map draws a sensor now: colour, colour class (clusters show their worst) and online ring. */
  painted(id: string): { domain: string; color: string; cls: number; online: boolean } | undefined {
    const sensor = this.sensors.get(id);
    if (!sensor) return undefined;
    const p = sensor.properties;
    return { domain: p.domain, online: p.online, ...this.paint(p) };
  }

  /**
   * Returns true when the state changed. Readings older than what is shown are ignored.
   * `redrawn` collects the sensors whose drawing changed (colour, class or online), the only
   * changes the map has to redraw for.
   */
  applyReadings(readings: readonly Reading[], redrawn?: Set<string>): boolean {
    let changed = false;
    for (const reading of readings) {
      const sensor = this.sensors.get(reading.sensorId);
      if (!sensor) continue;
      const latest = sensor.properties.latest;
      if (latest && latest.ts > reading.ts) continue;
      const before = redrawn ? this.painted(reading.sensorId) : undefined;
      sensor.properties.latest = { ts: reading.ts, receivedAt: reading.receivedAt, fields: reading.fields };
      const aqi = (reading as LiveReading).aqi;
      if (aqi) sensor.properties.aqi = aqi;
      // A reading proves the sensor is talking even if its status message was lost.
      sensor.properties.online = true;
      changed = true;
      if (redrawn && !samePaint(before, this.painted(reading.sensorId))) redrawn.add(reading.sensorId);
    }
    return changed;
  }

  applyStatus(status: SensorStatus): boolean {
    const sensor = this.sensors.get(status.sensorId);
    if (!sensor || sensor.properties.online === status.online) return false;
    sensor.properties.online = status.online;
    return true;
  }

  /**
   * The map as it stood at a past instant: each sensor coloured by its
   * snapshot reading, or as "no data" when it had none then.
   */
  toGeoJSONAt(readings: readonly { sensorId: string; ts: number; fields: Reading['fields'] }[]): FeatureCollection<Point, SensorPointProperties> {
    const byId = new Map(readings.map((r) => [r.sensorId, r]));
    const features: Array<Feature<Point, SensorPointProperties>> = [];
    for (const sensor of this.sensors.values()) {
      const p = sensor.properties;
      const r = byId.get(p.id);
      const latest = r ? { ts: r.ts, receivedAt: r.ts, fields: r.fields } : null;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: sensor.geometry.coordinates },
        properties: { id: p.id, domain: p.domain, color: sensorColor({ ...p, latest, online: true }), online: true, cls: sensorClass({ ...p, latest }) ?? -1 },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  toGeoJSON(): FeatureCollection<Point, SensorPointProperties> {
    const features: Array<Feature<Point, SensorPointProperties>> = [];
    for (const sensor of this.sensors.values()) {
      const p = sensor.properties;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: sensor.geometry.coordinates },
        properties: { id: p.id, domain: p.domain, online: p.online, ...this.paint(p) },
      });
    }
    return { type: 'FeatureCollection', features };
  }
}

const samePaint = (a: ReturnType<SensorState['painted']>, b: ReturnType<SensorState['painted']>): boolean =>
  a !== undefined && b !== undefined && a.color === b.color && a.cls === b.cls && a.online === b.online;
