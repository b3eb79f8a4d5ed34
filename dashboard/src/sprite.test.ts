/*
 * The map's sprite (sprite/icons/*.svg → /sprites/cityops{,@2x}.{json,png},
 * built by the Vite plugin in sprite/build-sprite.ts) served by the real
 * dashboard: the index and the sheet agree, @2x is exactly twice @1x, every
 * icon's rectangle holds that icon's pixels, and every icon the map asks for
 * exists.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { SEVERITIES } from '@cityops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSprite, loadIcons, parseIcon, spriteFiles, type SpriteEntry } from '../sprite/build-sprite.ts';
import { DOMAIN_ICONS, FLOOD_HOTSPOT_ICON, SENSOR_NO_DATA_ICON, SENSOR_OFFLINE_ICON, alertIcon } from '../web/sprite-icons.ts';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import { BASEMAP_DIR, createMemoryDeps, createTempAccounts, type TempAccounts } from './test-fixtures.ts';

interface Bitmap {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel */
  data: Uint8Array;
}

/** Decodes the PNGs resvg writes (8-bit RGBA, not interlaced): enough to check the sheet's pixels without another library. */
function decodePng(png: Buffer): Bitmap {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]], 'bit depth, colour type, interlace').toEqual([8, 6, 0]);
    } else if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? data[y * stride + x - 4]! : 0;
      const b = y > 0 ? data[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? data[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter ?? 0];
      if (predictor === undefined) throw new Error(`PNG filter ${filter}`);
      data[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return { width, height, data };
}

const alphaAt = (bitmap: Bitmap, x: number, y: number): number => bitmap.data[(y * bitmap.width + x) * 4 + 3]!;

describe('map sprite', () => {
  let temp: TempAccounts;
  let dashboard: Dashboard;
  let webRoot: string;

  beforeAll(async () => {
    // The files the Vite plugin emits, in a web root served by the real server.
    webRoot = mkdtempSync(join(tmpdir(), 'cityops-sprite-'));
    for (const [path, bytes] of spriteFiles()) {
      mkdirSync(dirname(join(webRoot, path)), { recursive: true });
      writeFileSync(join(webRoot, path), bytes);
    }
    temp = createTempAccounts();
    dashboard = await buildDashboard(createMemoryDeps(temp.users), { webRoot, basemapDir: BASEMAP_DIR });
  });

  afterAll(async () => {
    await dashboard?.close();
    temp?.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const fetchFile = async (url: string) => {
    const res = await dashboard.app.inject({ method: 'GET', url, headers: { accept: 'text/html,*/*' } });
    return res;
  };

  const served = async (suffix: '' | '@2x') => {
    const json = await fetchFile(`/sprites/cityops${suffix}.json`);
    const png = await fetchFile(`/sprites/cityops${suffix}.png`);
    expect(json.statusCode).toBe(200);
    expect(png.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(png.headers['content-type']).toBe('image/png');
    return { index: json.json<Record<string, SpriteEntry>>(), bitmap: decodePng(png.rawPayload) };
  };

  it('serves @1x and @2x: every icon inside the sheet, @2x exactly twice @1x', async () => {
    const one = await served('');
    const two = await served('@2x');
    const ids = Object.keys(one.index).sort();
    expect(ids).toEqual(loadIcons().map((i) => i.id));
    expect(Object.keys(two.index).sort()).toEqual(ids);
    expect([two.bitmap.width, two.bitmap.height]).toEqual([one.bitmap.width * 2, one.bitmap.height * 2]);
    for (const [sprite, ratio] of [[one, 1], [two, 2]] as const) {
      const boxes: SpriteEntry[] = [];
      for (const id of ids) {
        const e = sprite.index[id]!;
        expect(e.pixelRatio, id).toBe(ratio);
        expect(e.x >= 0 && e.y >= 0 && e.width > 0 && e.height > 0, id).toBe(true);
        expect(e.x + e.width, id).toBeLessThanOrEqual(sprite.bitmap.width);
        expect(e.y + e.height, id).toBeLessThanOrEqual(sprite.bitmap.height);
        // No two icons share pixels.
        for (const b of boxes) expect(e.x >= b.x + b.width || b.x >= e.x + e.width || e.y >= b.y + b.height || b.y >= e.y + e.height, id).toBe(true);
        boxes.push(e);
      }
    }
    for (const id of ids) {
      const a = one.index[id]!;
      expect(two.index[id], id).toEqual({ x: a.x * 2, y: a.y * 2, width: a.width * 2, height: a.height * 2, pixelRatio: 2 });
    }
  });

  it("holds each icon's own drawing in its rectangle, and nothing outside the rectangles", async () => {
    const icons = loadIcons();
    for (const suffix of ['', '@2x'] as const) {
      const { index, bitmap } = await served(suffix);
      const ratio = suffix === '' ? 1 : 2;
      const inside = new Uint8Array(bitmap.width * bitmap.height);
      for (const icon of icons) {
        const e = index[icon.id]!;
        // The icon drawn alone at this ratio is the sheet's crop, pixel for pixel (± antialiasing rounding).
        const alone = decodePng(buildSprite([icon], ratio).png);
        expect([alone.width, alone.height], icon.id).toEqual([e.width, e.height]);
        let opaque = 0;
        let worst = 0;
        for (let y = 0; y < e.height; y++) {
          for (let x = 0; x < e.width; x++) {
            inside[(e.y + y) * bitmap.width + e.x + x] = 1;
            for (let ch = 0; ch < 4; ch++) {
              worst = Math.max(worst, Math.abs(bitmap.data[((e.y + y) * bitmap.width + e.x + x) * 4 + ch]! - alone.data[(y * e.width + x) * 4 + ch]!));
            }
            if (alphaAt(bitmap, e.x + x, e.y + y) > 0) opaque++;
          }
        }
        expect(worst, `${icon.id}${suffix}`).toBeLessThanOrEqual(2);
        expect(opaque / (e.width * e.height), `${icon.id}${suffix} is drawn`).toBeGreaterThan(0.1);
      }
      const stray: string[] = [];
      for (let y = 0; y < bitmap.height; y++) {
        for (let x = 0; x < bitmap.width; x++) if (!inside[y * bitmap.width + x] && alphaAt(bitmap, x, y) > 0) stray.push(`(${x},${y})`);
      }
      expect(stray, `pixels outside every icon${suffix}`).toEqual([]);
    }
  });

  it('has every icon the map and the legend use, and serves their SVGs; a missing sprite file is a JSON 404, not the page', async () => {
    const { index } = await served('');
    const used = [SENSOR_OFFLINE_ICON, SENSOR_NO_DATA_ICON, FLOOD_HOTSPOT_ICON, ...Object.values(DOMAIN_ICONS), ...SEVERITIES.map(alertIcon)];
    for (const id of used) {
      expect(index[id], id).toBeDefined();
      const svg = await fetchFile(`/sprites/icons/${id}.svg`);
      expect(svg.statusCode, id).toBe(200);
      expect(svg.headers['content-type'], id).toMatch(/^image\/svg\+xml/);
    }
    const missing = await fetchFile('/sprites/nope.json');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ code: string }>().code).toBe('CITYOPS_DASHBOARD_NOT_FOUND');
  });

  it('refuses icons the sheet cannot place exactly', () => {
    expect(() => parseIcon('x', '<svg xmlns="http://www.w3.org/2000/svg" width="10.5" height="10" viewBox="0 0 10 10"></svg>')).toThrow(/integer width/);
    expect(() => parseIcon('x', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"><g id="a"/></svg>')).toThrow(/no id/);
  });
});
