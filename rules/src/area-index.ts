import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

/** Administrative areas (e.g. HCMC districts) for district rules; `name` from `nameProperty`. */
export interface RuleAreas {
  features: ReadonlyArray<Feature<Polygon | MultiPolygon, Record<string, unknown> | null>>;
  nameProperty: string;
}

export interface AreaIndex {
  /** The name of the area containing the point, or undefined outside all areas. */
  areaOf(location: readonly [number, number]): string | undefined;
}

type BBox = [number, number, number, number];

function bboxOf(geometry: Polygon | MultiPolygon): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  for (const ring of rings) {
    for (const [x, y] of ring as number[][]) {
      if (x! < box[0]) box[0] = x!;
      if (y! < box[1]) box[1] = y!;
      if (x! > box[2]) box[2] = x!;
      if (y! > box[3]) box[3] = y!;
    }
  }
  return box;
}

/**
 * Point-in-polygon with turf, behind a bounding-box prefilter. The district
 * of a district rule is where the sensor *is*, not what its registry entry
 * says: registries drift (HCMC merged Quận 2, 9 and Thủ Đức in 2021).
 */
export function createAreaIndex(areas: RuleAreas): AreaIndex {
  const entries = areas.features
    .map((f) => ({ feature: f, name: f.properties?.[areas.nameProperty], box: bboxOf(f.geometry) }))
    .filter((e): e is typeof e & { name: string } => typeof e.name === 'string' && e.name.length > 0);
  return {
    areaOf([lon, lat]) {
      for (const e of entries) {
        if (lon < e.box[0] || lon > e.box[2] || lat < e.box[1] || lat > e.box[3]) continue;
        if (booleanPointInPolygon([lon, lat], e.feature)) return e.name;
      }
      return undefined;
    },
  };
}
