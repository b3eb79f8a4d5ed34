import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has the documented defaults (contracts §7)', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/cityops' });
    expect(config).toMatchObject({ city: 'hcmc', httpPort: 8080, mqttPort: 1883, host: '::', dataDir: '/srv/cityops/data', allowAnonymous: false });
    expect(config.influxUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads CITYOPS_* from the environment over a config file with the same keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityops-config-'));
    const file = join(dir, 'cityops.config.json');
    writeFileSync(file, JSON.stringify({ CITYOPS_CITY: 'danang', CITYOPS_MQTT_PORT: 2883, CITYOPS_ALLOW_ANONYMOUS: true }));
    const config = loadConfig({ env: { CITYOPS_MQTT_PORT: '3883' }, cwd: dir });
    expect(config).toMatchObject({ city: 'danang', mqttPort: 3883, allowAnonymous: true });
  });

  it('names the variable when a value is invalid', () => {
    expect(() => loadConfig({ env: { CITYOPS_HTTP_PORT: 'eighty' } })).toThrow(expect.objectContaining({ code: 'CITYOPS_CENTER_CONFIG_INVALID', message: expect.stringContaining('CITYOPS_HTTP_PORT') }));
    expect(() => loadConfig({ env: { CITYOPS_HTTP_PORT: '70000' } })).toThrow(/httpPort/);
    expect(() => loadConfig({ env: { CITYOPS_ALLOW_ANONYMOUS: 'maybe' } })).toThrow(/CITYOPS_ALLOW_ANONYMOUS/);
    expect(() => loadConfig({ env: { CITYOPS_CITY: 'Ho Chi Minh/#' } })).toThrow(/city/);
  });

  it('refuses unknown keys in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityops-config-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ CITYOPS_HTTP_PROT: 1 }));
    expect(() => loadConfig({ env: {}, cwd: dir, file: 'c.json' })).toThrow(/CITYOPS_HTTP_PROT/);
  });
});

describe('the README', () => {
  it('documents every configuration variable by its full name', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const missing = Object.keys(CONFIG_VARIABLES).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
