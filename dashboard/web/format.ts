import { language } from './i18n.ts';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Control-room clocks show city time whatever the workstation's zone is. */
export function formatTime(input: string | number): string {
  const date = new Date(input);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
}

const UNITS: Record<string, string> = {
  speedKmh: 'km/h',
  volume: '',
  occupancyPct: '%',
  waterLevelCm: 'cm',
  rainfallMm: 'mm',
  batteryV: 'V',
  pm25: 'µg/m³',
  pm10: 'µg/m³',
  no2: 'µg/m³',
  o3: 'µg/m³',
  tempC: '°C',
  humidityPct: '%',
};

export const shownFields = (): string[] => Object.keys(UNITS);
export const unitOf = (field: string): string => UNITS[field] ?? '';

export function formatValue(field: string, value: number): string {
  const number = new Intl.NumberFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }).format(value);
  const unit = UNITS[field] ?? '';
  return unit ? `${number} ${unit}` : number;
}
