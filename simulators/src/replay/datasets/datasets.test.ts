import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { checkPayload } from '../../simulation.ts';
import { SIM_ERROR_CODES } from '../../errors.ts';
import { loadUsConsulateCsv, parseUsConsulateCsv, US_CONSULATE_SENSOR_ID } from './us-consulate.ts';
import { healthyAirSensorId, loadHealthyAirCsv, parseHealthyAirCsv } from './healthyair.ts';
import { skippedTotal } from './dataset-stats.ts';

const DATA = join(import.meta.dirname, '../../../datasets/hcmc');
const body = (payload: Buffer): Record<string, unknown> => JSON.parse(payload.toString()) as Record<string, unknown>;

const CONSULATE_HEADER = 'Site;Parameter;Date (LT);Year;Month;Day;Hour;AQI;AQI Category;24-hr. Midpoint Avg. Conc.;Raw Conc.;Conc. Unit;Duration;QC Name';

describe('US Consulate PM2.5 CSV', () => {
  it('keeps only Valid rows, drops -999 and reads local time from the numeric columns', () => {
    const csv = [
      CONSULATE_HEADER,
      'Ho Chi Minh City;PM2.5 - Principal;2016-02-11 02:00 PM;2016;2;11;14;91;2;30.9;36;UG/M3;1 Hr;Valid',
      'Ho Chi Minh City;PM2.5 - Principal;2016-02-17 10:00 AM;2016;2;17;10;100;2;35.3;-999;UG/M3;1 Hr;Missing',
      'Ho Chi Minh City;PM2.5 - Principal;2016-02-18 10:00 AM;2016;2;18;10;100;2;35.3;-999;UG/M3;1 Hr;Valid',
      'Ho Chi Minh City;PM2.5 - Principal;2016-02-19 10:00 AM;2016;2;19;10;100;2;35.3;40;UG/M3;1 Hr;Invalid',
      'Ho Chi Minh City;PM2.5 - Principal;2016-02-20 00:00 AM;2016;2;20;0;100;2;35.3;12.5;UG/M3;1 Hr;Valid',
      'Ho Chi Minh City;PM2.5 - Principal;garbage;x;2;20;0;100;2;35.3;12.5;UG/M3;1 Hr;Valid',
    ].join('\n');
    const { items, stats } = parseUsConsulateCsv(csv);
    expect(stats).toMatchObject({ rows: 6, valid: 2, skipped: { qc_not_valid: 2, missing_value: 1, bad_date: 1 } });
    expect(items.map((i) => i.deviceId)).toEqual([US_CONSULATE_SENSOR_ID, US_CONSULATE_SENSOR_ID]);
    expect(items[0]?.topic).toBe('city/hcmc/air/air-us-consulate/telemetry');
    expect(body(items[0]!.payload)).toMatchObject({ ts: '2016-02-11T14:00:00.000+07:00', pm25: 36, pm10Estimated: true });
    expect(items[0]?.eventTime).toBe(Date.parse('2016-02-11T07:00:00Z'));
    expect(body(items[1]!.payload).ts).toBe('2016-02-20T00:00:00.000+07:00');
    for (const i of items) expect(checkPayload('air', body(i.payload))).toBeNull();
  });

  it('parses the real file: every Valid row with a value becomes a contract-valid reading', () => {
    const { items, stats } = loadUsConsulateCsv(join(DATA, 'us_consulate_hcmc_pm25_2016_YTD_airnow.csv'), { city: 'saigon' });
    expect(stats.rows).toBe(7043);
    expect(stats.skipped.qc_not_valid).toBe(250);
    expect(stats.valid + skippedTotal(stats)).toBe(stats.rows);
    expect(stats.valid).toBeGreaterThan(6700);
    expect(items[0]?.topic.startsWith('city/saigon/air/')).toBe(true);
    for (const i of items) expect(checkPayload('air', body(i.payload))).toBeNull();
  });

  it('refuses a file that is not the AirNow export', () => {
    expect(() => parseUsConsulateCsv('a;b\n1;2\n')).toThrow(expect.objectContaining({ code: SIM_ERROR_CODES.DATASET_UNREADABLE }));
  });
});

describe('HealthyAir CSV', () => {
  it('parses DD-MM-YYYY local time, leaves blank and drifting values out, skips rows without PM2.5', () => {
    const csv = [
      'date,Station_No,TSP,PM2.5,O3,CO,NO2,SO2,Temperature,Humidity',
      '23-02-2021 21:00,1,32.9,15.6,55.4,1330.4,112.7,393,28.3,63.1',
      '23-02-2021 22:00,2,,14.5,,,,,,',
      '23-02-2021 23:00,3,30,,55,1200,112,377,28,64',
      '24-02-2021 00:00,4,20,12.3,-5,250000,112,377,95,140',
      '2021-02-24 01:00,1,30,12,55,1200,112,377,28,64',
      '24-02-2021 02:00,9,30,12,55,1200,112,377,28,64',
    ].join('\n');
    const { items, stats } = parseHealthyAirCsv(csv);
    expect(stats).toMatchObject({ rows: 6, valid: 3, skipped: { missing_value: 1, bad_date: 1, unknown_station: 1 }, fieldsDropped: 4 });
    const [a, b, c] = items.map((i) => body(i.payload));
    expect(a).toEqual({ ts: '2021-02-23T21:00:00.000+07:00', pm25: 15.6, pm10: 24, pm10Estimated: true, o3: 55.4, co: 1330.4, no2: 112.7, so2: 393, tempC: 28.3, humidityPct: 63.1 });
    expect(b).toEqual({ ts: '2021-02-23T22:00:00.000+07:00', pm25: 14.5, pm10: 22.31, pm10Estimated: true });
    // PM10 estimate never exceeds TSP; -5 O3, 250000 CO, 95 °C, 140 % are dropped
    expect(c).toEqual({ ts: '2021-02-24T00:00:00.000+07:00', pm25: 12.3, pm10: 18.92, pm10Estimated: true, no2: 112, so2: 377 });
    expect(items.map((i) => i.deviceId)).toEqual([healthyAirSensorId(1), healthyAirSensorId(2), healthyAirSensorId(4)]);
    expect(items[0]?.eventTime).toBe(Date.parse('2021-02-23T14:00:00Z'));
    for (const i of items) expect(checkPayload('air', body(i.payload))).toBeNull();
  });

  it('parses the real file: all six stations, every reading contract-valid', () => {
    const { items, stats } = loadHealthyAirCsv(join(DATA, 'healthyair_hcmc_hourly_2021-02_2022-06.csv'));
    expect(stats.rows).toBe(52548);
    expect(stats.valid + skippedTotal(stats)).toBe(stats.rows);
    expect(stats.valid).toBeGreaterThan(52000);
    expect(new Set(items.map((i) => i.deviceId))).toEqual(new Set([1, 2, 3, 4, 5, 6].map(healthyAirSensorId)));
    let bad = 0;
    for (const i of items) if (checkPayload('air', body(i.payload)) !== null) bad++;
    expect(bad).toBe(0);
    const first = items.reduce((m, i) => Math.min(m, i.eventTime), Infinity);
    expect(new Date(first).toISOString()).toBe('2021-02-23T14:00:00.000Z');
  });
});
