import type { Domain } from '@cityops/contracts';

/** A small contract-valid reading per domain: load tests measure the pipeline, not the generators. */
export function loadPayload(domain: Domain): (tMs: number) => string {
  switch (domain) {
    case 'traffic':
      return (t) => `{"ts":${t},"speedKmh":42.5,"volume":120,"occupancyPct":18.2,"intervalS":60}`;
    case 'flood':
      return (t) => `{"ts":${t},"waterLevelCm":1.5,"intervalS":60}`;
    case 'air':
      return (t) => `{"ts":${t},"pm25":18.4,"pm10":30.1}`;
  }
}
