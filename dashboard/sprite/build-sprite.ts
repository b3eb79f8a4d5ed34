/*
 * The map's MapLibre sprite, built from the SVG icons in ./icons/ (drawn for
 * this project) at build time: no icon server, no committed PNGs. All icons
 * are laid out on one sheet in CSS pixels and the sheet is drawn as a single
 * SVG by resvg, once per pixel ratio, so @2x is exactly twice @1x.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import type { Plugin } from 'vite';

export const SPRITE_ICON_DIR = fileURLToPath(new URL('./icons/', import.meta.url));
/** Served at `/sprites/cityops{,@2x}.{json,png}`; the style's `sprite` is `${origin}/sprites/cityops`. */
export const SPRITE_PATH = 'sprites/cityops';
/** The source SVGs are served too (`/sprites/icons/<id>.svg`): the legend shows them crisp at any zoom. */
export const SPRITE_ICON_PATH = 'sprites/icons';
export const SPRITE_PIXEL_RATIOS = [1, 2] as const;

/** Transparent gap between icons so linear filtering never bleeds a neighbour in. */
const PADDING = 2;
const SHEET_WIDTH = 128;

export interface SpriteIcon {
  id: string;
  /** CSS pixels (the SVG's width/height) */
  width: number;
  height: number;
  viewBox: string;
  /** the SVG's content inside its root element */
  body: string;
  source: string;
}

/** MapLibre sprite index entry (style spec "Sprite index file"). */
export interface SpriteEntry {
  x: number;
  y: number;
  width: number;
  height: number;
  pixelRatio: number;
}

export interface Sprite {
  pixelRatio: number;
  index: Record<string, SpriteEntry>;
  png: Buffer;
  width: number;
  height: number;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

export function parseIcon(id: string, source: string): SpriteIcon {
  const open = /<svg\b[^>]*>/.exec(source);
  const close = source.lastIndexOf('</svg>');
  if (!open || close < 0) throw new Error(`sprite icon ${id}: no <svg> root`);
  const width = Number(attr(open[0], 'width'));
  const height = Number(attr(open[0], 'height'));
  const viewBox = attr(open[0], 'viewBox');
  // Whole CSS pixels keep @1x and @2x rectangles exact multiples of each other.
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || !viewBox) {
    throw new Error(`sprite icon ${id}: needs integer width and height and a viewBox on <svg>`);
  }
  if (/\sid="/.test(source)) throw new Error(`sprite icon ${id}: no id attributes (icons share one sheet document)`);
  return { id, width, height, viewBox, body: source.slice(open.index + open[0].length, close), source };
}

export function loadIcons(dir: string = SPRITE_ICON_DIR): SpriteIcon[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .sort()
    .map((f) => parseIcon(basename(f, '.svg'), readFileSync(join(dir, f), 'utf8')));
}

/** Shelf packing in CSS pixels, tallest first; deterministic for a given icon set. */
export function layoutIcons(icons: readonly SpriteIcon[]): { width: number; height: number; positions: Map<string, { x: number; y: number }> } {
  const sorted = [...icons].sort((a, b) => b.height - a.height || a.id.localeCompare(b.id));
  const positions = new Map<string, { x: number; y: number }>();
  let x = 0;
  let y = 0;
  let shelf = 0;
  let width = 0;
  for (const icon of sorted) {
    if (x > 0 && x + icon.width > SHEET_WIDTH) {
      y += shelf + PADDING;
      x = 0;
      shelf = 0;
    }
    positions.set(icon.id, { x, y });
    x += icon.width + PADDING;
    shelf = Math.max(shelf, icon.height);
    width = Math.max(width, x - PADDING);
  }
  return { width: Math.max(width, 1), height: Math.max(y + shelf, 1), positions };
}

export function buildSprite(icons: readonly SpriteIcon[], pixelRatio: number): Sprite {
  const layout = layoutIcons(icons);
  const parts: string[] = [];
  const index: Record<string, SpriteEntry> = {};
  for (const icon of icons) {
    const at = layout.positions.get(icon.id)!;
    parts.push(`<svg x="${at.x}" y="${at.y}" width="${icon.width}" height="${icon.height}" viewBox="${icon.viewBox}">${icon.body}</svg>`);
    index[icon.id] = { x: at.x * pixelRatio, y: at.y * pixelRatio, width: icon.width * pixelRatio, height: icon.height * pixelRatio, pixelRatio };
  }
  const sheet = `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">${parts.join('')}</svg>`;
  const rendered = new Resvg(sheet, { fitTo: { mode: 'zoom', value: pixelRatio }, font: { loadSystemFonts: false } }).render();
  return { pixelRatio, index, png: rendered.asPng(), width: rendered.width, height: rendered.height };
}

/** Every file the map needs, by path under the web root. */
export function spriteFiles(icons: readonly SpriteIcon[] = loadIcons()): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const ratio of SPRITE_PIXEL_RATIOS) {
    const sprite = buildSprite(icons, ratio);
    const suffix = ratio === 1 ? '' : `@${ratio}x`;
    files.set(`${SPRITE_PATH}${suffix}.json`, Buffer.from(JSON.stringify(sprite.index, null, 1)));
    files.set(`${SPRITE_PATH}${suffix}.png`, sprite.png);
  }
  for (const icon of icons) files.set(`${SPRITE_ICON_PATH}/${icon.id}.svg`, Buffer.from(icon.source));
  return files;
}

/** Vite plugin: emits the sprite into the build (dist/sprites/) and serves it from `vite` dev. */
export function cityopsSprite(): Plugin {
  const types: Record<string, string> = { json: 'application/json', png: 'image/png', svg: 'image/svg+xml' };
  return {
    name: 'cityops-sprite',
    generateBundle() {
      for (const [fileName, source] of spriteFiles()) this.emitFile({ type: 'asset', fileName, source });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]?.replace(/^\//, '') ?? '';
        if (!path.startsWith('sprites/')) return next();
        // Rebuilt per request in development, so an edited icon shows on reload.
        const file = spriteFiles().get(decodeURIComponent(path));
        if (!file) return next();
        res.setHeader('content-type', types[path.split('.').pop() ?? ''] ?? 'application/octet-stream');
        res.end(file);
      });
    },
  };
}
