/*
 * AQI of an air station as the server sends it (`aqi` on the sensor's
 * properties or latest reading). Read defensively: stations without it, or
 * an older server, simply show no AQI block.
 */

export type AqiScheme = 'vn' | 'us';
export interface AqiView {
  scheme: AqiScheme;
  value: number;
  color: string | undefined;
  name: { vi: string; en: string } | undefined;
  dominant: string | undefined;
  subIndices: [string, number][];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function one(scheme: AqiScheme, raw: unknown): AqiView | null {
  if (typeof raw === 'number') return { scheme, value: raw, color: undefined, name: undefined, dominant: undefined, subIndices: [] };
  if (!isRecord(raw) || typeof raw.value !== 'number') return null;
  const category = isRecord(raw.category) ? raw.category : undefined;
  const name = category && isRecord(category.name) && typeof category.name.vi === 'string' && typeof category.name.en === 'string'
    ? { vi: category.name.vi, en: category.name.en }
    : undefined;
  const subs = isRecord(raw.subIndices) ? Object.entries(raw.subIndices).filter((e): e is [string, number] => typeof e[1] === 'number') : [];
  return {
    scheme,
    value: raw.value,
    color: typeof category?.hex === 'string' ? category.hex : typeof raw.color === 'string' ? raw.color : undefined,
    name,
    dominant: typeof raw.dominant === 'string' ? raw.dominant : undefined,
    subIndices: subs,
  };
}

/** `{ vn, us }` (either may be missing) or a single result taken as VN_AQI. */
export function readAqi(props: Record<string, unknown>): AqiView[] {
  const latest = isRecord(props.latest) ? props.latest : undefined;
  const raw = props.aqi ?? latest?.aqi;
  if (raw === undefined || raw === null) return [];
  if (isRecord(raw) && ('vn' in raw || 'us' in raw)) {
    return [one('vn', raw.vn), one('us', raw.us)].filter((v): v is AqiView => v !== null);
  }
  const single = one('vn', raw);
  return single ? [single] : [];
}
