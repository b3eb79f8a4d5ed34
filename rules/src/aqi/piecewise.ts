/** One row of a breakpoint table: concentrations [lo, hi] map linearly onto index [iLo, iHi]. */
export interface Breakpoint {
  lo: number;
  hi: number;
  iLo: number;
  iHi: number;
}

/**
 * I = (iHi − iLo) / (hi − lo) × (C − lo) + iLo for the row whose range holds
 * C. A concentration in the gap between two rows (possible only before the
 * caller's truncation, e.g. 9.05 for US PM2.5) takes the upper row. Above the
 * last row: `extrapolate` continues its line, otherwise null.
 */
export function interpolate(table: readonly Breakpoint[], c: number, extrapolate: boolean): number | null {
  if (!Number.isFinite(c) || c < 0) return null;
  for (const row of table) {
    if (c <= row.hi) {
      const from = Math.max(c, row.lo);
      return ((row.iHi - row.iLo) / (row.hi - row.lo)) * (from - row.lo) + row.iLo;
    }
  }
  if (!extrapolate) return null;
  const last = table[table.length - 1]!;
  return ((last.iHi - last.iLo) / (last.hi - last.lo)) * (c - last.lo) + last.iLo;
}

/** Truncate (not round) to `decimals`, tolerant of binary noise such as 9.1 → 9.0999999. */
export function truncate(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.floor(value * f + 1e-7) / f;
}

/** Builds a table from the official columns: concentrations [c0, c1, …] against indices [i0, i1, …]. */
export function continuousTable(concentrations: readonly number[], indices: readonly number[]): Breakpoint[] {
  const rows: Breakpoint[] = [];
  for (let i = 0; i + 1 < concentrations.length; i++) {
    rows.push({ lo: concentrations[i]!, hi: concentrations[i + 1]!, iLo: indices[i]!, iHi: indices[i + 1]! });
  }
  return rows;
}
