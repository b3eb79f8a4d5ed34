import type { SensorProperties } from '@cityops/contracts';

/** A registry shaped like the center's HCMC one: 65 rain + 37 tide flood sites, 7 air stations, 40 roads. */
export function hcmcLikeSensors(): SensorProperties[] {
  const out: SensorProperties[] = [];
  for (let i = 0; i < 65; i++) {
    out.push({ id: `flood-r${String(i).padStart(3, '0')}`, domain: 'flood', name: `Rain site ${i}`, district: 'Quận 3', cause: 'rain' } as SensorProperties);
  }
  for (let i = 0; i < 37; i++) {
    out.push({ id: `flood-t${String(i).padStart(3, '0')}`, domain: 'flood', name: `Tide site ${i}`, district: 'Quận 7', cause: 'tide' } as SensorProperties);
  }
  for (let i = 0; i < 7; i++) out.push({ id: `air-${i}`, domain: 'air', name: `Station ${i}`, district: 'Quận 1' });
  for (let i = 0; i < 40; i++) {
    out.push({
      id: `traffic-${i}`,
      domain: 'traffic',
      name: `Road ${i}`,
      district: 'Quận 1',
      roadName: `Road ${i}`,
      freeFlowKmh: 30 + (i % 4) * 10,
    });
  }
  return out;
}

/** Local HCMC wall time → epoch ms. */
export const hcmc = (iso: string): number => Date.parse(`${iso}+07:00`);
