import { DOMAINS, type Domain, type SensorFeature } from '@cityops/contracts';
import { invalidOptions } from './errors.ts';
import { createRng, deriveSeed } from './rng.ts';

export type FleetCounts = Partial<Record<Domain, number>>;

/** `traffic=500,flood=300,air=20` → counts per domain. */
export function parseFleetCounts(spec: string): FleetCounts {
  const counts: FleetCounts = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [domain, value] = part.split('=');
    const n = Number(value);
    if (!DOMAINS.includes(domain as Domain) || !Number.isInteger(n) || n < 0) {
      throw invalidOptions(`"${part}" is not <traffic|flood|air>=<whole number>`);
    }
    counts[domain as Domain] = n;
  }
  return counts;
}

/**
 * A fleet of any size per domain, built from the registry's real sites: the
 * first sensors are the registry's own; more are copies of them (round-robin)
 * placed 50–300 m away in a seeded direction, keeping the site's district,
 * road and thresholds, so a load test still looks like the city.
 */
export function expandFleet(registry: readonly SensorFeature[], counts: FleetCounts, seed = 1): SensorFeature[] {
  const out: SensorFeature[] = [];
  for (const domain of DOMAINS) {
    const sites = registry.filter((f) => f.properties.domain === domain);
    const wanted = counts[domain] ?? sites.length;
    if (wanted > 0 && sites.length === 0) throw invalidOptions(`no ${domain} sensor in the registry to copy`);
    for (let i = 0; i < wanted; i++) {
      const site = sites[i % sites.length]!;
      if (i < sites.length) {
        out.push(site);
        continue;
      }
      const id = `${site.properties.id.slice(0, 50)}-s${String(Math.floor(i / sites.length)).padStart(4, '0')}`;
      const rng = createRng(deriveSeed(seed, id));
      const bearing = rng.float(0, 2 * Math.PI);
      const metres = rng.float(50, 300);
      const [lon, lat] = site.geometry.coordinates;
      const dLat = (metres * Math.cos(bearing)) / 111_320;
      const dLon = (metres * Math.sin(bearing)) / (111_320 * Math.cos((lat * Math.PI) / 180));
      out.push({
        type: 'Feature',
        properties: { ...site.properties, id, name: `${site.properties.name} (sim ${Math.floor(i / sites.length)})` },
        geometry: { type: 'Point', coordinates: [Math.round((lon + dLon) * 1e6) / 1e6, Math.round((lat + dLat) * 1e6) / 1e6] },
      });
    }
  }
  return out;
}
