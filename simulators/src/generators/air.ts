import type { AirPayload, SensorProperties } from '@cityops/contracts';
import type { Rng } from '../rng.ts';
import type { SensorEvent } from '../events.ts';
import { envelope } from '../events.ts';
import { formatHcmcTimestamp, hcmcLocalTime, hourlyProfile } from '../hcmc-time.ts';
import { clamp, ouStep, round, type Generator, type InitialStateOptions } from './types.ts';

/**
 * Monthly mean PM2.5 for a typical HCMC urban site, µg/m³: the dry season
 * (Dec–Apr) is dirtier than the wet season, roughly as the US Consulate
 * monitor and the HealthyAir stations show.
 */
export const MONTHLY_PM25: readonly number[] = [42, 40, 36, 31, 25, 22, 21, 21, 22, 24, 30, 38];

/**
 * Diurnal multiplier by local hour: the morning rush into a shallow mixing
 * layer peaks at 7–9 h, afternoon mixing dilutes, the evening rush and the
 * collapsing boundary layer bring a second peak.
 */
export const PM_DIURNAL: readonly number[] = [
  1.05, 1.0, 0.95, 0.9, 0.9, 0.98, 1.15, 1.35, 1.42, 1.3, 1.1, 0.95,
  0.85, 0.78, 0.72, 0.72, 0.78, 0.9, 1.05, 1.18, 1.22, 1.18, 1.12, 1.08,
];

export interface AirState {
  tMs: number | null;
  intervalS: number;
  events: readonly SensorEvent[];
  /** Site factor (traffic sites dirtier than background sites). */
  siteFactor: number;
  /** PM10 / PM2.5 ratio of this site, 1.35–1.65. */
  pm10Ratio: number;
  /** Whether this station reports gases (low-cost stations often do not). */
  gases: boolean;
  /** Log-scale OU noise on particulate levels. */
  noise: number;
}

export function initialAirState(sensor: SensorProperties, rng: Rng, options: InitialStateOptions = {}): AirState {
  void sensor;
  return {
    tMs: options.startMs ?? null,
    intervalS: options.intervalS ?? 10,
    events: options.events ?? [],
    siteFactor: rng.float(0.85, 1.15),
    pm10Ratio: rng.float(1.35, 1.65),
    gases: rng.chance(0.75),
    noise: rng.normal(0, 0.12),
  };
}

/** Expected background PM2.5 at tMs for a site factor, before noise and episodes. */
export function typicalPm25(tMs: number, siteFactor = 1): number {
  const local = hcmcLocalTime(tMs);
  const monthly = MONTHLY_PM25[local.month - 1] ?? 30;
  let diurnal = hourlyProfile(PM_DIURNAL, local.hour);
  // weekends: the commute peaks are flatter
  if (local.weekend) diurnal = 1 + (diurnal - 1) * 0.6;
  return monthly * diurnal * siteFactor;
}

export const generateAir: Generator<AirPayload, AirState> = (_sensor, tMs, rng, state) => {
  const fromMs = state.tMs ?? tMs - state.intervalS * 1000;
  const noise = clamp(ouStep(state.noise, tMs - fromMs, 1800, 0.15, rng), -0.5, 0.5);
  let extra = 0;
  for (const e of state.events) if (e.kind === 'pollution') extra += e.extraPm25 * envelope(e, tMs, e.decayTauS);
  const pm25 = clamp(typicalPm25(tMs, state.siteFactor) * Math.exp(noise) + extra, 1, 2000);
  const pm10 = clamp(pm25 * clamp(state.pm10Ratio + rng.normal(0, 0.04), 1.3, 1.8), 0, 2000);
  const local = hcmcLocalTime(tMs);
  // hottest ~14 h, coolest ~5 h; humidity moves the other way
  const heat = Math.cos((2 * Math.PI * (local.hour - 14)) / 24);
  const dry = local.month === 12 || local.month <= 4;
  const tempC = clamp(30.5 + 3.8 * heat + rng.normal(0, 0.3), 26, 35);
  const humidityPct = clamp((dry ? 72 : 78) - 12 * heat + rng.normal(0, 1.5), 60, 90);
  const payload: AirPayload = {
    ts: formatHcmcTimestamp(tMs),
    pm25: round(pm25, 1),
    pm10: round(pm10, 1),
    tempC: round(tempC, 1),
    humidityPct: round(humidityPct, 1),
  };
  if (state.gases) {
    const traffic = hourlyProfile(PM_DIURNAL, local.hour) * state.siteFactor;
    // photochemical ozone: builds with sunlight from ~7 h, peaks after noon
    const sun = local.hour > 7 && local.hour < 18 ? Math.sin((Math.PI * (local.hour - 7)) / 11) : 0;
    payload.no2 = round(clamp(32 * traffic * Math.exp(noise) + rng.normal(0, 2), 1, 200000), 1);
    payload.co = round(clamp(900 * traffic * Math.exp(noise) + rng.normal(0, 40), 50, 200000), 0);
    payload.so2 = round(clamp(10 * state.siteFactor + rng.normal(0, 1), 1, 200000), 1);
    payload.o3 = round(clamp(18 + 75 * sun + rng.normal(0, 3), 1, 200000), 1);
  }
  return { payload, state: { ...state, tMs, noise } };
};
