import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RuleAreas } from '@cityops/rules';

/**
 * The basemap's district polygons (`districts.geojson`, property `name_vi`,
 * the same names as the HCMC registry) for district rules. Missing or
 * unreadable → undefined: district rules then use the registry's district.
 */
export function loadDistrictAreas(basemapDir: string, logger: Logger): RuleAreas | undefined {
  const file = join(basemapDir, 'districts.geojson');
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { features?: unknown };
    if (!Array.isArray(data.features)) throw new Error('not a FeatureCollection');
    const features = data.features.filter(
      (f): f is RuleAreas['features'][number] =>
        typeof f === 'object' && f !== null && ['Polygon', 'MultiPolygon'].includes((f as { geometry?: { type?: string } }).geometry?.type ?? ''),
    );
    return { features, nameProperty: 'name_vi' };
  } catch (error) {
    logger.warn({ err: error, file }, 'district polygons could not be read; district rules use the registry districts');
    return undefined;
  }
}
