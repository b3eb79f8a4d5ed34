import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { storeKindOf } from './create-telemetry-store.ts';

describe('telemetry store selection from configuration', () => {
  const cfg = (env: Record<string, string>) => loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), 'cityops-cfg-')) });

  it('uses the embedded store without CITYOPS_INFLUX_URL', () => {
    expect(storeKindOf(cfg({}))).toBe('embedded');
  });

  it('picks the v2 API with org + bucket (+ token) and the v1 API with a database', () => {
    expect(storeKindOf(cfg({ CITYOPS_INFLUX_URL: 'http://influx:8086', CITYOPS_INFLUX_ORG: 'hcmc', CITYOPS_INFLUX_BUCKET: 'telemetry', CITYOPS_INFLUX_TOKEN: 't' }))).toBe('influx-v2');
    expect(storeKindOf(cfg({ CITYOPS_INFLUX_URL: 'http://influx:8086', CITYOPS_INFLUX_DATABASE: 'cityops', CITYOPS_INFLUX_USERNAME: 'u' }))).toBe('influx-v1');
  });

  it('refuses an InfluxDB URL without a bucket/org or a database, with CITYOPS_CENTER_CONFIG_INVALID', () => {
    expect(() => storeKindOf(cfg({ CITYOPS_INFLUX_URL: 'http://influx:8086' }))).toThrow(expect.objectContaining({ code: 'CITYOPS_CENTER_CONFIG_INVALID' }));
    expect(() => storeKindOf(cfg({ CITYOPS_INFLUX_URL: 'http://influx:8086', CITYOPS_INFLUX_TOKEN: 't', CITYOPS_INFLUX_BUCKET: 'b' }))).toThrow(/CITYOPS_INFLUX_ORG/);
  });

  it('reads CITYOPS_SPOOL_MAX_BYTES as an integer (default 1 GiB) and rejects garbage', () => {
    expect(cfg({}).spoolMaxBytes).toBe(1024 ** 3);
    expect(cfg({ CITYOPS_SPOOL_MAX_BYTES: '5000000' }).spoolMaxBytes).toBe(5_000_000);
    expect(() => cfg({ CITYOPS_SPOOL_MAX_BYTES: '5MB' })).toThrow(expect.objectContaining({ code: 'CITYOPS_CENTER_CONFIG_INVALID' }));
  });
});
