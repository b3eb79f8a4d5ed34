import type { Domain, LiveSensorProperties } from '@cityops/contracts';

/*
 * Colour classes per domain, shared by the map paint and the legend so the
 * two cannot drift apart. Computed in JS (not in style expressions) because
 * traffic needs the per-sensor free-flow speed and the thresholds are tested.
 */

export const OFFLINE_COLOR = '#8a8f98';
export const NO_DATA_COLOR = '#c9ccd1';

export const PALETTES: Record<Domain, readonly string[]> = {
  // speed / free-flow: free flow, slow, congested, jammed
  traffic: ['#2e9d4f', '#f2c230', '#f07f22', '#d62d20'],
  // water depth: < 10 cm light, 10–30 blue, 30–50 dark blue, ≥ 50 purple
  flood: ['#a9d8f0', '#2f80d1', '#123f8c', '#7b2fa6'],
  // PM2.5 (µg/m³), US EPA breakpoints as used by the consulate's monitor
  air: ['#3fa34d', '#e8c81e', '#f08a24', '#d9342b', '#8e3b9e'],
};

const DEFAULT_FREE_FLOW_KMH = 40;

export function trafficClass(speedKmh: number, freeFlowKmh: number | undefined): number {
  const ratio = speedKmh / (freeFlowKmh && freeFlowKmh > 0 ? freeFlowKmh : DEFAULT_FREE_FLOW_KMH);
  if (ratio >= 0.75) return 0;
  if (ratio >= 0.5) return 1;
  if (ratio >= 0.25) return 2;
  return 3;
}

export function floodClass(waterLevelCm: number): number {
  if (waterLevelCm < 10) return 0;
  if (waterLevelCm < 30) return 1;
  if (waterLevelCm < 50) return 2;
  return 3;
}

export function airClass(pm25: number): number {
  if (pm25 <= 12) return 0;
  if (pm25 <= 35.4) return 1;
  if (pm25 <= 55.4) return 2;
  if (pm25 <= 150.4) return 3;
  return 4;
}

/** The class index for the sensor's latest reading, or null without data. */
export function sensorClass(props: Pick<LiveSensorProperties, 'domain' | 'freeFlowKmh' | 'latest'>): number | null {
  const fields = props.latest?.fields;
  if (!fields) return null;
  switch (props.domain) {
    case 'traffic':
      return fields.speedKmh === undefined ? null : trafficClass(fields.speedKmh, props.freeFlowKmh);
    case 'flood':
      return fields.waterLevelCm === undefined ? null : floodClass(fields.waterLevelCm);
    case 'air':
      return fields.pm25 === undefined ? null : airClass(fields.pm25);
  }
}

export function sensorColor(props: Pick<LiveSensorProperties, 'domain' | 'freeFlowKmh' | 'latest' | 'online'>): string {
  if (!props.online) return OFFLINE_COLOR;
  const cls = sensorClass(props);
  return cls === null ? NO_DATA_COLOR : (PALETTES[props.domain][cls] ?? NO_DATA_COLOR);
}

/** How the air layer is coloured: PM2.5 concentration classes, or the station's VN_AQI / US AQI category from the server. */
export type AirScheme = 'pm25' | 'vn' | 'us';
export const AIR_SCHEMES: readonly AirScheme[] = ['pm25', 'vn', 'us'];
/** Decision 1459/QĐ-TCMT and US EPA use the same six colours (0;228;0 · 255;255;0 · 255;126;0 · 255;0;0 · 143;63;151 · 126;0;35). */
export const AQI_COLORS: readonly string[] = ['#00E400', '#FFFF00', '#FF7E00', '#FF0000', '#8F3F97', '#7E0023'];

interface AqiLike {
  color?: string;
  category?: { level?: number; hex?: string };
}

/** An air station's colour and class under an AQI scheme; null when the server sent no index for it. */
export function aqiClass(props: { aqi?: unknown }, scheme: 'vn' | 'us'): { color: string; cls: number } | null {
  const aqi = props.aqi as Partial<Record<'vn' | 'us', AqiLike | null>> | undefined;
  const summary = aqi?.[scheme];
  const level = summary?.category?.level;
  if (!summary || typeof level !== 'number') return null;
  return { color: summary.color ?? summary.category?.hex ?? AQI_COLORS[level - 1] ?? NO_DATA_COLOR, cls: Math.min(level - 1, PALETTES.air.length - 1) };
}
