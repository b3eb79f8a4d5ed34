import { readFileSync } from 'node:fs';
import type { Database } from '@cityops/sqlite';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  SensorFeature,
  SensorRegistry,
  type Domain,
  type LiveSensorCollection,
  type LiveSensorFeature,
  type Reading,
  type SensorStatus,
} from '@cityops/contracts';
import { CenterError } from '../errors.ts';

const checkRegistry = TypeCompiler.Compile(SensorRegistry);
const checkFeature = TypeCompiler.Compile(SensorFeature);

export interface SensorEntry {
  feature: SensorFeature;
  domain: Domain;
  district: string;
  gatewayId?: string;
  /** From the operator's registry (CLI) rather than the registry file. */
  registered: boolean;
}

interface LiveState {
  online: boolean;
  latest: Pick<Reading, 'ts' | 'receivedAt' | 'fields'> | null;
}

export interface SensorDirectory {
  get(id: string): SensorEntry | undefined;
  all(): SensorEntry[];
  register(feature: SensorFeature): void;
  unregister(id: string): boolean;
  recordReading(reading: Reading): void;
  recordStatus(status: SensorStatus): void;
  live(): LiveSensorCollection;
}

/** Reads and validates a registry file, naming the first offending feature. */
export function readRegistryFile(path: string): SensorFeature[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CenterError('CITYOPS_CENTER_REGISTRY_INVALID', `cannot read sensor registry ${path}: ${(error as Error).message}`);
  }
  if (!checkRegistry.Check(parsed)) {
    const first = checkRegistry.Errors(parsed).First();
    throw new CenterError('CITYOPS_CENTER_REGISTRY_INVALID', `sensor registry ${path} is invalid at ${first?.path ?? '?'}: ${first?.message ?? ''}`);
  }
  const seen = new Set<string>();
  for (const f of parsed.features) {
    if (seen.has(f.properties.id)) throw new CenterError('CITYOPS_CENTER_REGISTRY_INVALID', `sensor registry ${path}: duplicate id ${f.properties.id}`);
    seen.add(f.properties.id);
  }
  return parsed.features;
}

const toEntry = (feature: SensorFeature, registered: boolean): SensorEntry => ({
  feature,
  domain: feature.properties.domain,
  district: feature.properties.district,
  ...(feature.properties.gatewayId ? { gatewayId: feature.properties.gatewayId } : {}),
  registered,
});

/**
 * The registry file's sensors plus those registered by operators (table
 * `center_sensors`, written by `cityops devices add`, possibly from another
 * process while the center runs — hence the read-through on a miss).
 */
export function createSensorDirectory(options: { db: Database; registryFile: string }): SensorDirectory {
  const { db } = options;
  db.exec(`CREATE TABLE IF NOT EXISTS center_sensors (
    id TEXT PRIMARY KEY,
    feature TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`);
  const selectOne = db.prepare<[string], { feature: string }>('SELECT feature FROM center_sensors WHERE id = ?');
  const selectAll = db.prepare<[], { feature: string }>('SELECT feature FROM center_sensors ORDER BY id');
  const insert = db.prepare('INSERT INTO center_sensors (id, feature, created_at) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM center_sensors WHERE id = ?');

  const entries = new Map<string, SensorEntry>();
  for (const f of readRegistryFile(options.registryFile)) entries.set(f.properties.id, toEntry(f, false));
  for (const row of selectAll.all()) {
    const f = JSON.parse(row.feature) as SensorFeature;
    entries.set(f.properties.id, toEntry(f, true));
  }
  const live = new Map<string, LiveState>();

  const state = (id: string): LiveState => {
    let s = live.get(id);
    if (!s) {
      s = { online: false, latest: null };
      live.set(id, s);
    }
    return s;
  };

  return {
    get(id) {
      const hit = entries.get(id);
      if (hit) return hit;
      const row = selectOne.get(id);
      if (!row) return undefined;
      const entry = toEntry(JSON.parse(row.feature) as SensorFeature, true);
      entries.set(id, entry);
      return entry;
    },
    all: () => [...entries.values()],
    register(feature) {
      if (!checkFeature.Check(feature)) {
        const first = checkFeature.Errors(feature).First();
        throw new CenterError('CITYOPS_CENTER_REGISTRY_INVALID', `sensor ${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
      }
      const id = feature.properties.id;
      if (entries.has(id) || selectOne.get(id)) throw new CenterError('CITYOPS_CENTER_SENSOR_EXISTS', `sensor ${id} is already registered`);
      insert.run(id, JSON.stringify(feature), Date.now());
      entries.set(id, toEntry(feature, true));
    },
    unregister(id) {
      const removed = remove.run(id).changes > 0;
      if (removed) {
        entries.delete(id);
        live.delete(id);
      }
      return removed;
    },
    recordReading(reading) {
      const s = state(reading.sensorId);
      // Event time decides what "latest" means: a late gateway batch must not roll the map back.
      if (!s.latest || reading.ts >= s.latest.ts) {
        s.latest = { ts: reading.ts, receivedAt: reading.receivedAt, fields: reading.fields };
      }
      s.online = true;
    },
    recordStatus(status) {
      state(status.sensorId).online = status.online;
    },
    live() {
      const features: LiveSensorFeature[] = [];
      for (const entry of entries.values()) {
        const s = live.get(entry.feature.properties.id);
        features.push({
          type: 'Feature',
          properties: { ...entry.feature.properties, online: s?.online ?? false, latest: s?.latest ?? null },
          geometry: entry.feature.geometry,
        });
      }
      return { type: 'FeatureCollection', features };
    },
  };
}
