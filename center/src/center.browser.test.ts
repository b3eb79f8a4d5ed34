import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, removeDir, startTestCenter, type TestCenter } from './test-support/harness.ts';

const SCREENSHOT = join(import.meta.dirname, '../../docs/screenshots/center-live-demo.png');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * What a new user sees after `npm start`: the real center with the simulated
 * HCMC sensors, the built map in Chromium, and the first simulated alert
 * arriving in the list without a reload — with nothing fetched from outside.
 */
describe('the live HCMC map with simulated sensors', () => {
  let t: TestCenter;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestCenter({}, { simulate: { seed: 7, scenario: 'demo' } });
    if (!existsSync(join(t.config.webRoot, 'index.html'))) throw new Error(`the map is not built at ${t.config.webRoot}: run npm run build:web`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (t) removeDir(t.dataDir);
  });

  it('renders HCMC, shows live sensors and a simulated alert, and requests nothing from outside', async () => {
    const viewer = (await cli(t.dataDir, 'users', 'add', 'control-room', '--role', 'viewer')) as { username: string; password: string };
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url()));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(t.httpUrl);
    await page.locator('input[name=username]').fill(viewer.username);
    await page.locator('input[name=password]').fill(viewer.password);
    await page.locator('button[type=submit]').click();
    await page.waitForFunction(() => window.__cityops !== undefined);
    await page.evaluate(async () => {
      await window.__cityops?.ready;
    });

    const districts = await page.evaluate(() => new Set(window.__cityops?.map.querySourceFeatures('districts').map((f) => String(f.properties.name_vi))).size);
    expect(districts).toBeGreaterThanOrEqual(15);
    // Live readings from the simulated sensors reach the page's sensor state.
    const ids = t.center.sensors.all().map((s) => s.feature.properties.id);
    await page.waitForFunction((all) => all.filter((id) => window.__cityops?.sensors?.state.get(id)?.properties.latest).length >= 50, ids, { timeout: 30_000 });

    // The demo's rain event floods hotspots: the first alert arrives without a reload.
    const firstAlert = page.locator('.alert-item').first();
    await firstAlert.waitFor({ timeout: 90_000 });
    expect(await firstAlert.locator('.alert-message').textContent()).toMatch(/Ngập|Nước dâng|PM2\.5|VN_AQI|Ùn tắc|Kẹt|mất kết nối|không gửi/);
    const apiAlerts = t.center.alerts.list({ state: ['active'] });
    expect(apiAlerts.length).toBeGreaterThan(0);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await context.close();

    const local = /^(https?|wss?):\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//;
    expect(requests.filter((u) => !local.test(u) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 150_000);
});
