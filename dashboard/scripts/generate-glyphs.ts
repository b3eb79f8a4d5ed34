/*
 * Generates MapLibre glyph PBFs (24 px SDF, 3 px buffer — the format
 * MapLibre's glyph parser expects) for the map labels, from Debian's
 * fonts-dejavu-core, rasterised by @mapbox/tiny-sdf in Chromium (the SDF
 * generator needs a 2D canvas). Run once by hand; the output is committed
 * under web/public/glyphs/ so neither the build nor the page needs a font
 * server or this Debian package:
 *
 *   apt-get install -y fonts-dejavu-core chromium
 *   npx tsx dashboard/scripts/generate-glyphs.ts
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Pbf from 'pbf';
import { chromium } from 'playwright-core';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONTS = [
  { stack: 'DejaVu Sans Book', file: 'DejaVuSans.ttf' },
  { stack: 'DejaVu Sans Bold', file: 'DejaVuSans-Bold.ttf' },
];
/*
 * Basic Latin + Latin-1, Latin Extended-A/B, spacing modifiers, combining
 * marks, Latin Extended Additional (the precomposed Vietnamese letters such
 * as ậ ạ ờ), general punctuation. MapLibre only asks for ranges that occur
 * in a label, and every label here is Vietnamese or English.
 */
const RANGE_STARTS = [0, 256, 512, 768, 7680, 8192];
// Matches MapLibre's own TinySDF path (glyph_manager): same buffer, radius, cutoff, and its baseline calibration.
const FONT_SIZE = 24;
const BUFFER = 3;
const RADIUS = 8;
const CUTOFF = 0.25;
const TOP_ADJUSTMENT = 27;

const OUT_DIR = fileURLToPath(new URL('../web/public/glyphs/', import.meta.url));
const require = createRequire(import.meta.url);

interface DrawnGlyph {
  id: number;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
  bitmap: number[];
}

/** Code points the font really has (fontconfig's charset), so no tofu is baked in. */
function fontCodePoints(file: string): Set<number> {
  const charset = execFileSync('fc-query', ['--format=%{charset}', file], { encoding: 'utf8' });
  const points = new Set<number>();
  for (const part of charset.trim().split(/\s+/)) {
    const [a, b] = part.split('-').map((hex) => Number.parseInt(hex, 16));
    if (a === undefined || Number.isNaN(a)) continue;
    for (let cp = a; cp <= (b ?? a); cp++) points.add(cp);
  }
  return points;
}

function encodeRange(stack: string, start: number, glyphs: readonly DrawnGlyph[]): Uint8Array {
  const pbf = new Pbf();
  // glyphs.proto: glyphs { repeated fontstack stacks = 1 }, fontstack { name = 1; range = 2; repeated glyph glyphs = 3 }
  pbf.writeMessage(1, (_: unknown, out: Pbf) => {
    out.writeStringField(1, stack);
    out.writeStringField(2, `${start}-${start + 255}`);
    for (const glyph of glyphs) {
      out.writeMessage(3, (g: DrawnGlyph, o: Pbf) => {
        o.writeVarintField(1, g.id);
        if (g.width > 0 && g.height > 0) o.writeBytesField(2, Uint8Array.from(g.bitmap));
        o.writeVarintField(3, g.width);
        o.writeVarintField(4, g.height);
        o.writeSVarintField(5, g.left);
        o.writeSVarintField(6, g.top);
        o.writeVarintField(7, g.advance);
      }, glyph);
    }
  }, null);
  return pbf.finish();
}

async function main(): Promise<void> {
  const tinySdfSource = readFileSync(require.resolve('@mapbox/tiny-sdf'), 'utf8').replace('export default class TinySDF', 'class TinySDF');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>glyphs</title>');
    await page.addScriptTag({ content: `${tinySdfSource}\nwindow.TinySDF = TinySDF;` });
    rmSync(OUT_DIR, { recursive: true, force: true });
    for (const font of FONTS) {
      const path = join(FONT_DIR, font.file);
      const available = fontCodePoints(path);
      const family = `gen-${font.file.replace(/\W/g, '')}`;
      await page.evaluate(
        async ({ family, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const face = new FontFace(family, bytes);
          document.fonts.add(await face.load());
        },
        { family, base64: readFileSync(path).toString('base64') },
      );
      const dir = join(OUT_DIR, font.stack);
      mkdirSync(dir, { recursive: true });
      for (const start of RANGE_STARTS) {
        const ids: number[] = [];
        for (let cp = start; cp < start + 256; cp++) if (available.has(cp)) ids.push(cp);
        const glyphs = await page.evaluate(
          ({ family, ids, fontSize, buffer, radius, cutoff, topAdjustment }) => {
            const Sdf = (window as unknown as { TinySDF: new (o: object) => { draw(c: string): { data: Uint8ClampedArray; glyphWidth: number; glyphHeight: number; glyphLeft: number; glyphTop: number; glyphAdvance: number } } }).TinySDF;
            const sdf = new Sdf({ fontSize, buffer, radius, cutoff, fontFamily: `"${family}"` });
            return ids.map((id) => {
              const g = sdf.draw(String.fromCodePoint(id));
              return {
                id,
                width: g.glyphWidth,
                height: g.glyphHeight,
                left: g.glyphLeft,
                top: g.glyphTop - topAdjustment,
                advance: Math.round(g.glyphAdvance),
                bitmap: g.glyphWidth > 0 && g.glyphHeight > 0 ? Array.from(g.data) : [],
              };
            });
          },
          { family, ids, fontSize: FONT_SIZE, buffer: BUFFER, radius: RADIUS, cutoff: CUTOFF, topAdjustment: TOP_ADJUSTMENT },
        );
        writeFileSync(join(dir, `${start}-${start + 255}.pbf`), encodeRange(font.stack, start, glyphs));
      }
      console.log(`${font.stack}: ${RANGE_STARTS.length} ranges`);
    }
    copyFileSync('/usr/share/doc/fonts-dejavu-core/copyright', join(OUT_DIR, 'LICENSE-DejaVu.txt'));
    writeFileSync(
      join(OUT_DIR, 'README.md'),
      [
        '# Map label glyphs',
        '',
        'SDF glyph ranges (MapLibre glyph PBF format) for the map labels, generated by',
        '`dashboard/scripts/generate-glyphs.ts` from DejaVu Sans (Debian `fonts-dejavu-core`,',
        'licence in `LICENSE-DejaVu.txt`). Ranges: ' + RANGE_STARTS.map((s) => `${s}-${s + 255}`).join(', ') + '.',
        '',
      ].join('\n'),
    );
    console.log(`written to ${dirname(join(OUT_DIR, 'x'))}`);
  } finally {
    await browser.close();
  }
}

await main();
