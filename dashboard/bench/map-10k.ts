/**
 * The control-room map under a 10,000-sensor stream, measured in Debian's
 * Chromium against a real dashboard server:
 *   - first map paint, from navigation start: the first frame whose pixels show the basemap
 *     (firstBasemapPaintMs: districts and roads) and the first that also shows the sensors in view
 *     (firstMapPaintMs); the map's first `idle` (everything loaded, labels placed: mapIdleMs);
 *   - long tasks (PerformanceObserver 'longtask'), frame intervals (rAF deltas) and map frames drawn
 *     (MapLibre 'render' events) while every sensor reports every `--every` seconds (the server
 *     coalesces per sensor);
 *   - JS heap (performance.memory, precise) sampled over the stream, and the live heap after a forced
 *     collection before and after it.
 *
 * With --gl software (the default: the platform-notes flags) each long task is one map frame: the page
 * is composited in software, so the WebGL frame is read back (glReadPixels) on the main thread and the
 * task lasts until SwiftShader has drawn it. --gl swiftshader composites on Chromium's GPU path (as a
 * display with a GPU does), with SwiftShader as the GPU. `npm run bench:map` runs both.
 * --trace prints what the long tasks spend their time in; --timeline the page load, step by step.
 *
 *   npx tsx dashboard/bench/map-10k.ts [--sensors 10000] [--seconds 60] [--every 3] [--gl software|swiftshader]
 *     [--viewport 1920x1080] [--loads 5] [--timeline] [--trace file.json] [--profile] [--query cluster=0]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Domain, LiveSensorFeature, Reading } from '@cityops/contracts';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { buildDashboard } from '../src/dashboard.ts';
import { BASEMAP_DIR, DASHBOARD_DIR, createMemoryDeps, createTempAccounts } from '../src/test-fixtures.ts';

const { values: args } = parseArgs({
  options: {
    sensors: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    every: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    /**
     * WebGL and compositing: `software` (the platform-notes flags, --disable-gpu) composites the page in
     * software, so every WebGL frame is read back synchronously on the page's main thread; `swiftshader`
     * runs both WebGL and the compositor on SwiftShader (Chromium's GPU path, as on a display with a GPU).
     */
    gl: { type: 'string', default: 'software' },
    /** Write a Chrome trace of 10 s of the stream here and print where the page's long tasks spend their time. */
    trace: { type: 'string', default: '' },
    /** The browser window: the wall display (1920x1080) or the laptop (1366x768) of the issue. */
    viewport: { type: 'string', default: '1920x1080' },
    /** How many times the map is opened in a new page to measure its first paint (median and range reported). */
    loads: { type: 'string', default: '5' },
    /** Print the page load's timeline: requests (start → end) and the map's events up to its first idle. */
    timeline: { type: 'boolean', default: false },
    /** Page query string, e.g. "cluster=0" to compare with clustering off. */
    query: { type: 'string', default: '' },
  },
});
if (args.gl !== 'software' && args.gl !== 'swiftshader') throw new Error(`--gl software|swiftshader, not ${args.gl}`);
const [WIDTH = Number.NaN, HEIGHT = Number.NaN, ...rest] = args.viewport.split('x').map(Number);
if (rest.length > 0 || ![WIDTH, HEIGHT].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--viewport WIDTHxHEIGHT, not ${args.viewport}`);
const SENSORS = Number(args.sensors);
const LOADS = Math.max(1, Number(args.loads));
const SECONDS = Number(args.seconds);
const EVERY_S = Number(args.every);

/** Deterministic pseudo-random (mulberry32), so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticSensors(n: number): LiveSensorFeature[] {
  const random = rng(42);
  const domains: Domain[] = ['traffic', 'flood', 'air'];
  return Array.from({ length: n }, (_, i) => {
    const domain = domains[i % 3] ?? 'traffic';
    const id = `${domain.slice(0, 3)}-bench${String(i).padStart(5, '0')}`;
    return {
      type: 'Feature',
      properties: { id, domain, name: id, district: 'Quận 1', online: true, latest: null, ...(domain === 'traffic' ? { freeFlowKmh: 40 } : {}) },
      geometry: { type: 'Point', coordinates: [106.55 + random() * 0.35, 10.68 + random() * 0.22] },
    };
  });
}

function reading(sensor: LiveSensorFeature, random: () => number): Reading {
  const ts = Date.now();
  const fields =
    sensor.properties.domain === 'traffic'
      ? { speedKmh: Math.round(random() * 50), volume: 100, occupancyPct: 20, intervalS: 60 }
      : sensor.properties.domain === 'flood'
        ? { waterLevelCm: Math.round(random() * 70), intervalS: 300 }
        : { pm25: Math.round(random() * 120), pm10: 40 };
  return { sensorId: sensor.properties.id, domain: sensor.properties.domain, ts, receivedAt: ts, fields };
}

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args?: { name?: string } }
type TraceFile = { traceEvents: TraceEvent[] } | TraceEvent[];

/** The renderer main thread's tasks over 50 ms, and the trace events their time is spent in (self time). */
function summariseLongTasks(trace: TraceFile): string {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return 'trace: no renderer main thread';
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && (e.dur ?? 0) > 50_000);
  const self = new Map<string, number>();
  let total = 0;
  for (const task of tasks) {
    total += task.dur ?? 0;
    const stack: TraceEvent[] = [];
    for (const e of onMain) {
      if (e.ts < task.ts || e.ts + (e.dur ?? 0) > task.ts + (task.dur ?? 0)) continue;
      while (stack.length > 0 && (stack.at(-1)?.ts ?? 0) + (stack.at(-1)?.dur ?? 0) <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - (e.dur ?? 0));
      self.set(e.name, (self.get(e.name) ?? 0) + (e.dur ?? 0));
      stack.push(e);
    }
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return [`trace: ${tasks.length} main-thread tasks > 50 ms, ${(total / 1000).toFixed(0)} ms in all; self time by event:`, ...top].join('\n');
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main(): Promise<void> {
  const webRoot = mkdtempSync(join(tmpdir(), 'cityops-bench-web-'));
  await build({ configFile: join(DASHBOARD_DIR, 'vite.config.ts'), logLevel: 'error', build: { outDir: webRoot, emptyOutDir: true } });
  const temp = createTempAccounts();
  const password = (await temp.users.add('bench', 'viewer')).password;
  const sensors = syntheticSensors(SENSORS);
  const deps = createMemoryDeps(temp.users, sensors);
  const dashboard = await buildDashboard(deps, { webRoot, basemapDir: BASEMAP_DIR, telemetryFlushMs: 250 });
  const { port } = await dashboard.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', ...(args.gl === 'swiftshader' ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-gpu']), '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  let streaming: ReturnType<typeof setInterval> | undefined;
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, locale: 'vi-VN' });
    const errors: string[] = [];
    // Sign in once (the map loads there, so the HTTP cache is warm like a display's second day), close that
    // page, then measure a signed-in operator opening the map in a new page (the wall-display case). Not a
    // reload: the time to tear the previous 10,000-sensor map down would count towards the new page's load.
    const signIn = await context.newPage();
    signIn.on('pageerror', (err) => errors.push(err.message));
    await signIn.goto(`${origin}/`);
    await signIn.locator('input[name=username]').fill('bench');
    await signIn.locator('input[name=password]').fill(password);
    await signIn.locator('button[type=submit]').click();
    await signIn.waitForFunction(async () => {
      await window.__cityops?.ready;
      return window.__cityops !== undefined;
    });
    await signIn.close();
    // First map paint: the first map frame whose pixels show the basemap and the sensors, timed from navigation
    // start — checked by a hook installed before the page's own scripts. A `render` event alone is not enough:
    // it also fires for frames drawn while layers are still loading or not yet shown, so the hook reads the
    // frame back (before it is presented, while the drawing buffer still holds it) and looks for the district
    // fill at the points where districts are, and for a sensor's colour at a sensor (or cluster) in view.
    const firstPaintHook = `(() => {
      const w = window;
      const hexes = (value) => JSON.stringify(value ?? '').match(/#[0-9a-fA-F]{6}/g) ?? [];
      const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const near = (pixel, colours) => colours.some((c) => Math.max(...c.map((v, i) => Math.abs(v - pixel[i]))) <= 40);
      const drawn = (map) => {
        try {
          if (!map.isSourceLoaded('districts') || !map.isSourceLoaded('roads')) return 'none';
          const canvas = map.getCanvas();
          const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
          const ratio = canvas.width / canvas.clientWidth;
          const pixel = (x, y) => {
            const out = new Uint8Array(4);
            gl.readPixels(Math.round(x * ratio), Math.round(canvas.height - y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
            return [...out];
          };
          // The basemap: at least 3 of the 3×3 grid points over a district show a district colour (roads or labels may cover a few).
          const fills = hexes(map.getPaintProperty('districts-fill', 'fill-color')).map(rgb);
          let over = 0, shown = 0;
          for (const fx of [0.25, 0.5, 0.75]) for (const fy of [0.25, 0.5, 0.75]) {
            const at = [canvas.clientWidth * fx, canvas.clientHeight * fy];
            if (map.queryRenderedFeatures(at, { layers: ['districts-fill'] }).length === 0) continue;
            over++;
            if (near(pixel(at[0], at[1]), fills)) shown++;
          }
          if (over === 0 || shown < Math.min(3, over)) return 'none';
          if (!map.getSource('sensors') || !map.isSourceLoaded('sensors')) return 'basemap';
          // The sensors: a sensor or cluster in view shows one of its layer's colours at its centre.
          const layers = map.getStyle().layers.filter((l) => l.id.startsWith('sensors-') && l.type === 'circle');
          for (const layer of layers.slice(0, 12)) {
            const hit = map.queryRenderedFeatures({ layers: [layer.id] }).find((f) => f.geometry.type === 'Point');
            if (!hit) continue;
            const [dx, dy] = map.getPaintProperty(layer.id, 'circle-translate') ?? [0, 0];
            const at = map.project(hit.geometry.coordinates);
            const colours = [...hexes(map.getPaintProperty(layer.id, 'circle-color')), ...hexes(hit.properties.color)].map(rgb);
            if (near(pixel(at.x + dx, at.y + dy), colours)) return 'all';
          }
          return 'basemap';
        } catch { return 'none'; }
      };
      w.__timeline = [];
      const mark = (what) => w.__timeline.push([Math.round(performance.now()), what]);
      const attach = () => {
        const map = w.__cityops && w.__cityops.map;
        if (!map) return requestAnimationFrame(attach);
        mark('app started, map created');
        for (const type of ['style.load', 'load', 'idle']) map.once(type, () => mark('map ' + type));
        const loaded = new Set();
        map.on('sourcedata', (e) => { if (e.sourceId && !loaded.has(e.sourceId) && map.isSourceLoaded(e.sourceId)) { loaded.add(e.sourceId); mark('source loaded: ' + e.sourceId); } });
        let renders = 0;
        map.on('render', () => { renders++; if (renders <= 40 && !w.__firstMapPaint) mark('render ' + renders); });
        const onRender = () => {
          const shown = drawn(map);
          if (shown !== 'none' && !w.__firstBasemapPaint) { w.__firstBasemapPaint = performance.now(); mark('first basemap paint (districts and roads drawn)'); }
          if (shown !== 'all') return;
          w.__firstMapPaint = performance.now();
          mark('first map paint (basemap and sensors drawn)');
          map.off('render', onRender);
        };
        map.on('render', onRender);
      };
      attach();
    })()`;
    /** Opens the map in a new page and measures its load; the page stays open. */
    const openMap = async () => {
      const page = await context.newPage();
      page.on('pageerror', (err) => errors.push(err.message));
      await page.addInitScript(firstPaintHook);
      const t0 = Date.now();
      await page.goto(`${origin}/${args.query ? `?${args.query}` : ''}`);
      await page.waitForFunction(() => window.__cityops !== undefined);
      const measured = await page.evaluate(async () => {
        await window.__cityops?.ready;
        const map = window.__cityops?.map;
        if (!map) throw new Error('no map');
        await new Promise<void>((resolve) => (map.loaded() && !map.isMoving() ? resolve() : map.once('idle', () => resolve())));
        const nav = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        const hook = window as unknown as { __firstMapPaint?: number; __firstBasemapPaint?: number };
        const start = nav?.startTime ?? 0;
        return { mapIdleMs: performance.now() - start, firstBasemapPaintMs: (hook.__firstBasemapPaint ?? Number.NaN) - start, firstMapPaintMs: (hook.__firstMapPaint ?? Number.NaN) - start, fcpMs: paint?.startTime ?? Number.NaN };
      });
      return { page, measured: { ...measured, wallMs: Date.now() - t0 } };
    };
    // --loads pages in turn (each closed before the next opens); the last one stays for the stream.
    const loads: Array<Awaited<ReturnType<typeof openMap>>['measured']> = [];
    let opened = await openMap();
    loads.push(opened.measured);
    while (loads.length < LOADS) {
      await opened.page.close();
      opened = await openMap();
      loads.push(opened.measured);
    }
    const page = opened.page;
    if (args.timeline) {
      const timeline = await page.evaluate(`(() => [
        ...performance.getEntriesByType('navigation').flatMap((n) => [[Math.round(n.requestStart), 'page request → response ' + Math.round(n.responseStart) + '–' + Math.round(n.responseEnd) + ' ms'], [Math.round(n.domContentLoadedEventStart), 'DOMContentLoaded']]),
        ...performance.getEntriesByType('resource').map((r) => [Math.round(r.startTime), 'request ' + new URL(r.name).pathname + ' → ' + Math.round(r.responseEnd) + ' ms (' + Math.round(r.encodedBodySize / 1024) + ' kB)']),
        ...window.__timeline,
      ].sort((a, b) => a[0] - b[0]))()`) as [number, string][];
      console.error(timeline.map(([at, what]) => `${String(at).padStart(6)} ms  ${what}`).join('\n'));
    }

    // The live heap after a full collection (the page runs with --expose-gc) before the stream and after it (outside the
    // measured window: a forced collection is a long task itself). The sampled heap is a sawtooth between collections.
    const heapAfterGc = async (): Promise<number> =>
      page.evaluate('(() => { globalThis.gc(); return Math.round(performance.memory.usedJSHeapSize / 104857.6) / 10; })()') as Promise<number>;
    const heapLive = { before: await heapAfterGc(), after: Number.NaN };

    // Instrument: long tasks, rAF frame intervals, heap samples.
    // A string, not a function: tsx would wrap named arrows in a __name helper the page does not have.
    await page.evaluate(`(() => {
      const w = window;
      w.__bench = { longTasks: [], frames: [], heap: [], renders: [], mapFrames: 0 };
      w.__cityops?.map.on('render', () => w.__bench.mapFrames++);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__bench.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
      let last = performance.now();
      const frame = (now) => {
        w.__bench.frames.push(now - last);
        last = now;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      setInterval(() => {
        if (performance.memory) w.__bench.heap.push(performance.memory.usedJSHeapSize);
        w.__bench.renders.push(w.__cityops?.sensors?.renders() ?? 0);
        // Keep the map painting like a wall display (a gentle pan), so frames are real map frames.
        w.__cityops?.map.panBy([1, 0], { duration: 0 });
      }, 5000);
    })()`);

    const random = rng(7);
    let published = 0;
    // Each tick publishes 1/(4·every) of the fleet, so every sensor reports once per `every` seconds.
    const perTick = EVERY_S > 0 ? Math.ceil(SENSORS / (EVERY_S * 4)) : 0; // --every 0: no stream (the idle baseline)
    let cursor = 0;
    streaming = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        const sensor = sensors[cursor++ % sensors.length];
        if (sensor) dashboard.publishReading(reading(sensor, random));
        published++;
      }
    }, 250);
    const startedAt = Date.now();
    // --profile: the page's JS self time by function over the first 10 s of the stream (CDP sampling profiler).
    const cdp = args.profile ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map<string, number>();
      const dt = (profile.endTime - profile.startTime) / Math.max(1, profile.samples?.length ?? 1) / 1000;
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      for (const id of profile.samples ?? []) {
        const n = byId.get(id);
        const key = `${n?.callFrame.functionName || '(anon)'} ${n?.callFrame.url.split('/').pop()}:${n?.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + dt);
      }
      console.error([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n'));
    }
    if (args.trace) {
      await browser.startTracing(page, { path: args.trace, categories: ['devtools.timeline', 'toplevel', 'v8', 'blink', 'gpu', 'cc'] });
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await browser.stopTracing();
      console.error(summariseLongTasks(JSON.parse(readFileSync(args.trace, 'utf8')) as TraceFile));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - (Date.now() - startedAt))));
    clearInterval(streaming);
    streaming = undefined;
    const elapsed = (Date.now() - startedAt) / 1000;

    const result = await page.evaluate(() => (window as unknown as { __bench: { longTasks: number[]; frames: number[]; heap: number[]; renders: number[]; mapFrames: number } }).__bench);
    heapLive.after = await heapAfterGc();
    const frames = [...result.frames].sort((a, b) => a - b);
    const longTasks = [...result.longTasks].sort((a, b) => a - b);
    const heapMb = result.heap.map((b) => Math.round((b / 1048576) * 10) / 10);
    const renders = (result.renders.at(-1) ?? 0) - (result.renders[0] ?? 0);
    const report = {
      sensors: SENSORS,
      gl: args.gl,
      viewport: args.viewport,
      streamSeconds: Math.round(elapsed),
      readingsPerSecond: Math.round(published / elapsed),
      // Median and range over the --loads page loads, in ms from navigation start.
      firstPaint: Object.fromEntries(
        (['firstBasemapPaintMs', 'firstMapPaintMs', 'mapIdleMs', 'fcpMs', 'wallMs'] as const).map((key) => {
          const sorted = loads.map((l) => Math.round(l[key])).sort((x, y) => x - y);
          return [key, { median: pct(sorted, 50), min: sorted[0], max: sorted.at(-1), runs: loads.map((l) => Math.round(l[key])) }];
        }),
      ),
      frames: { count: frames.length, medianMs: Math.round(pct(frames, 50) * 10) / 10, p95Ms: Math.round(pct(frames, 95) * 10) / 10, maxMs: Math.round(frames.at(-1) ?? 0) },
      longTasks: { count: longTasks.length, over50ms: longTasks.filter((d) => d > 50).length, maxMs: Math.round(longTasks.at(-1) ?? 0), p95Ms: Math.round(pct(longTasks, 95)) },
      mapFramesPerSecond: Math.round((result.mapFrames / elapsed) * 10) / 10,
      sourceRedrawsPerSecond: Math.round((renders / Math.max(1, (result.renders.length - 1) * 5)) * 10) / 10,
      heapAfterGcMb: { beforeStream: heapLive.before, afterStream: heapLive.after },
      heapMb: { first: heapMb[0], last: heapMb.at(-1), min: Math.min(...heapMb), max: Math.max(...heapMb), samples: heapMb },
      pageErrors: errors,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    if (streaming) clearInterval(streaming);
    await browser.close();
    await dashboard.close();
    temp.close();
    rmSync(webRoot, { recursive: true, force: true });
  }
}

await main();
