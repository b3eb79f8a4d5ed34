/**
 * Gas concentrations from µg/m³ (what CityOps sensors report, contracts §2)
 * to the mixing ratios of the US AQI tables, at 25 °C and 1 atm where one
 * mole of an ideal gas fills 24.45 L:  ppb = µg/m³ × 24.45 / M (g/mol).
 */
export const MOLAR_VOLUME_25C_L = 24.45;

/** Molar masses, g/mol. */
export const MOLAR_MASS = { o3: 47.997, no2: 46.0055, so2: 64.066, co: 28.01 } as const;
export type Gas = keyof typeof MOLAR_MASS;

export const ugm3ToPpb = (gas: Gas, ugm3: number): number => (ugm3 * MOLAR_VOLUME_25C_L) / MOLAR_MASS[gas];
export const ugm3ToPpm = (gas: Gas, ugm3: number): number => ugm3ToPpb(gas, ugm3) / 1000;
export const ppbToUgm3 = (gas: Gas, ppb: number): number => (ppb * MOLAR_MASS[gas]) / MOLAR_VOLUME_25C_L;
