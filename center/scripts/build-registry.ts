/**
 * Builds the seeded HCMC sensor registry (contracts §3) from the real data in
 * ../shared/data (see center/data/SOURCES.md). Run when the source data change:
 *   npx tsx center/scripts/build-registry.ts [sharedDataDir]
 * The output is committed so a checkout needs no shared/ folder to start.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import distance from '@turf/distance';
import { point } from '@turf/helpers';
import type { Feature, FeatureCollection, LineString, MultiPolygon, Point, Polygon } from 'geojson';
import type { SensorFeature } from '@cityops/contracts';

const here = dirname(fileURLToPath(import.meta.url));
const sharedData = process.argv[2] ?? join(here, '../../../shared/data');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

type DistrictProps = { id: number; name_vi: string; name_en: string };
const districts = readJson<FeatureCollection<Polygon | MultiPolygon, DistrictProps>>(
  join(sharedData, 'boundaries/hcmc_districts_22_2021-2025.geojson'),
);

/** Geocoded points can sit a few metres outside a boundary (rivers, edges): fall back to the nearest district. */
function districtOf(lon: number, lat: number): string {
  const p = point([lon, lat]);
  const inside = districts.features.find((d) => booleanPointInPolygon(p, d));
  if (inside) return inside.properties.name_vi;
  let best = { name: '', km: Infinity };
  for (const d of districts.features) {
    const ring = d.geometry.type === 'Polygon' ? d.geometry.coordinates[0] : d.geometry.coordinates[0]?.[0];
    for (const c of ring ?? []) {
      const km = distance(p, point(c));
      if (km < best.km) best = { name: d.properties.name_vi, km };
    }
  }
  return best.name;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const sensor = (
  lon: number,
  lat: number,
  properties: Omit<SensorFeature['properties'], 'district'>,
): SensorFeature => ({
  type: 'Feature',
  properties: { ...properties, district: districtOf(lon, lat) },
  geometry: { type: 'Point', coordinates: [round6(lon), round6(lat)] },
});

// Flood sensors at the traffic police (PC08) flood hotspots.
type FloodProps = { no: number; cause: 'rain' | 'tide'; place: string; road_class: string };
const floodPoints = readJson<FeatureCollection<Point, FloodProps>>(
  join(sharedData, 'flood/hcmc_flood_points_pc08_2026-10-06.geojson'),
);
const flood = floodPoints.features.map((f) => {
  const [lon, lat] = f.geometry.coordinates as [number, number];
  return sensor(lon, lat, {
    id: `flood-${String(f.properties.no).padStart(3, '0')}`,
    domain: 'flood',
    name: f.properties.place,
    cause: f.properties.cause,
    reportingIntervalS: 60,
  });
});

// Air sensors at the HealthyAir stations and the US Consulate monitor.
const stationRows = readFileSync(join(sharedData, 'air_quality/stations_hcmc_air_quality.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1);
const air = stationRows.map((row) => {
  const [stationId, network, name, siteType, lat, lon] = row.split(',') as string[];
  const id = stationId === 'US_CONSULATE_HCMC' ? 'air-us-consulate' : `air-healthyair-${stationId}`;
  return sensor(Number(lon), Number(lat), {
    id,
    domain: 'air',
    name: `${name} (${network?.split(' ')[0]})`,
    siteType,
    reportingIntervalS: 300,
  });
});

// Traffic sensors on the longest trunk/primary/secondary OSM ways, at least 400 m apart.
type RoadProps = { osm_way_id: number; highway: string; length_m: number };
const roads = readJson<FeatureCollection<LineString, RoadProps>>(
  join(sharedData, 'roads/hcmc_central_roads_osm_major.geojson'),
);
const FREE_FLOW_KMH: Record<string, number> = { trunk: 60, primary: 50, secondary: 40 };
const byWay = new Map<number, { highway: string; length: number; longest: Feature<LineString, RoadProps> }>();
for (const f of roads.features) {
  if (!(f.properties.highway in FREE_FLOW_KMH)) continue;
  const way = byWay.get(f.properties.osm_way_id);
  if (!way) byWay.set(f.properties.osm_way_id, { highway: f.properties.highway, length: f.properties.length_m, longest: f });
  else {
    way.length += f.properties.length_m;
    if (f.properties.length_m > way.longest.properties.length_m) way.longest = f;
  }
}
const traffic: SensorFeature[] = [];
for (const [wayId, way] of [...byWay].sort((a, b) => b[1].length - a[1].length)) {
  if (traffic.length >= 40) break;
  const coords = way.longest.geometry.coordinates;
  const mid = coords[Math.floor(coords.length / 2)] as [number, number];
  const prev = coords[Math.max(0, Math.floor(coords.length / 2) - 1)] as [number, number];
  const at: [number, number] = [(mid[0] + prev[0]) / 2, (mid[1] + prev[1]) / 2];
  if (traffic.some((t) => distance(point(t.geometry.coordinates), point(at)) < 0.4)) continue;
  const n = String(traffic.length + 1).padStart(3, '0');
  traffic.push(
    sensor(at[0], at[1], {
      id: `traffic-${n}`,
      domain: 'traffic',
      name: `${way.highway[0]!.toUpperCase()}${way.highway.slice(1)} road, OSM way ${wayId}`,
      roadName: `OSM way ${wayId} (${way.highway})`,
      osmWayId: wayId,
      freeFlowKmh: FREE_FLOW_KMH[way.highway]!,
      reportingIntervalS: 60,
    }),
  );
}

const registry = {
  type: 'FeatureCollection',
  name: 'hcmc-sensors',
  attribution:
    'Flood hotspots: HCMC traffic police (PC08) 2026-10-06, geocoded by github.com/nhaajtdajt/MapForPeople; ' +
    'air stations: HealthyAir (doi:10.17632/pk6tzrjks8.1) and U.S. Department of State AirNow; ' +
    'roads and districts: © OpenStreetMap contributors (ODbL 1.0).',
  features: [...flood, ...air, ...traffic],
};
const out = join(here, '../data/hcmc-sensors.geojson');
writeFileSync(out, `${JSON.stringify(registry, null, 1)}\n`);
console.log(`wrote ${out}: ${flood.length} flood, ${air.length} air, ${traffic.length} traffic sensors`);
