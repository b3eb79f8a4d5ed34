import { READING_FIELDS, type Domain } from '@cityops/contracts';
import { formatHcmcTimestamp } from '../hcmc-time.ts';
import type { Rng } from '../rng.ts';
import type { ReadingPayload } from '../sensor-program.ts';
import type { FaultOptions } from './fault-options.ts';

export interface Outgoing {
  topic: string;
  payload: string;
  /** Which fault shaped this message ('none' for a clean reading). */
  fault: 'none' | 'stuck' | 'spike' | 'clockSkew' | 'duplicate' | 'outOfOrder' | 'malformed' | 'foreignTopic';
}

export interface FaultInjector {
  /** The messages to publish for this reading, in order (none on a dropout). */
  apply(payload: ReadingPayload, tMs: number): Outgoing[];
  /** Messages still held back (out-of-order) — flushed on stop. */
  flush(): Outgoing[];
  /** This sensor's clock offset (0 unless it drew clock skew). */
  readonly skewMs: number;
}

/** Contract ranges of the fields a spike may hit (contracts §2): a spike is wrong but valid. */
const RANGE: Record<string, [number, number]> = {
  speedKmh: [0, 250], volume: [0, 100_000], occupancyPct: [0, 100], waterLevelCm: [-100, 500], rainfallMm: [0, 500],
  pm25: [0, 2000], pm10: [0, 2000], no2: [0, 200_000], so2: [0, 200_000], o3: [0, 200_000], co: [0, 200_000],
};

const MALFORMED: ((p: Record<string, unknown>) => string)[] = [
  (p) => JSON.stringify(p).slice(0, -3), // truncated JSON
  (p) => JSON.stringify(p).replace(/("[A-Za-z]+":)-?\d+(\.\d+)?/, '$1NaN'), // NaN is not JSON
  (p) => JSON.stringify({ ...p, ts: undefined }), // missing ts
  (p) => JSON.stringify(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === 'ts' || typeof v !== 'number' ? v : -1e9]))), // out of range
  () => '\u0000\u00ff garbage',
];

/**
 * Per-sensor fault layer between a generator and the MQTT client. The
 * generator's sequence is never changed by faults (its state lives elsewhere);
 * only what goes on the wire is. `foreignTopic` needs another sensor's topic.
 */
export function createFaultInjector(options: { sensorId: string; domain: Domain; topic: string; foreignTopic: string | null; faults: FaultOptions; rng: Rng }): FaultInjector {
  const { faults, rng } = options;
  const measured = READING_FIELDS[options.domain].filter((f) => f in RANGE);
  const skewMs = rng.chance(faults.clockSkew ?? 0) ? (rng.chance(0.5) ? 1 : -1) * (faults.clockSkewMs ?? 120_000) : 0;
  let stuckLeft = 0;
  let stuckValues: Record<string, unknown> | null = null;
  let held: Outgoing | null = null;

  const msg = (payload: string, fault: Outgoing['fault'], topic = options.topic): Outgoing => ({ topic, payload, fault });

  return {
    skewMs,
    apply(payload, tMs) {
      if (rng.chance(faults.dropout ?? 0)) return [];
      let body: Record<string, unknown> = { ...payload };
      let fault: Outgoing['fault'] = 'none';
      if (stuckLeft === 0 && rng.chance(faults.stuck ?? 0)) {
        stuckLeft = faults.stuckReadings ?? 30;
        stuckValues = Object.fromEntries(measured.filter((f) => f in body).map((f) => [f, body[f]]));
      }
      if (stuckLeft > 0 && stuckValues) {
        stuckLeft--;
        body = { ...body, ...stuckValues };
        fault = 'stuck';
      } else if (rng.chance(faults.spike ?? 0)) {
        const candidates = measured.filter((f) => typeof body[f] === 'number');
        const field = candidates[rng.int(0, Math.max(0, candidates.length - 1))];
        if (field !== undefined && typeof body[field] === 'number') {
          const [min, max] = RANGE[field]!;
          body[field] = Math.min(max, Math.max(min, Math.round((body[field] as number) * (faults.spikeFactor ?? 8) * 10) / 10 || max / 2));
          fault = 'spike';
        }
      }
      if (skewMs !== 0) {
        body.ts = formatHcmcTimestamp(tMs + skewMs);
        if (fault === 'none') fault = 'clockSkew';
      }
      let out: Outgoing[];
      if (rng.chance(faults.malformed ?? 0)) {
        const pick = MALFORMED[rng.int(0, MALFORMED.length - 1)]!;
        out = [msg(pick(body), 'malformed')];
      } else {
        out = [msg(JSON.stringify(body), fault)];
        if (rng.chance(faults.duplicate ?? 0)) out.push(msg(JSON.stringify(body), 'duplicate'));
      }
      if (options.foreignTopic !== null && rng.chance(faults.foreignTopic ?? 0)) out.push(msg(JSON.stringify(body), 'foreignTopic', options.foreignTopic));
      // out of order: hold this reading back and send it after the next one
      if (held) {
        out = [...out, held];
        held = null;
      } else if (out.length > 0 && rng.chance(faults.outOfOrder ?? 0)) {
        const [first, ...rest] = out;
        held = { ...first!, fault: 'outOfOrder' };
        out = rest;
      }
      return out;
    },
    flush() {
      const out = held ? [held] : [];
      held = null;
      return out;
    },
  };
}
